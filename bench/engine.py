"""Time 8 optimizers x 1,000 steps on Rosenbrock in the core, against torch.optim step by step.

Run: `.venv/bin/python bench/engine.py` (torch optional: with torch installed in the same
interpreter, the script also times the torch loop and prints the ratio). Figures go in
docs/performance.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.runs import RunConfig, RunSet, SurfaceRun, lambda_max_at, record  # noqa: E402
from app.core.surfaces import SURFACES  # noqa: E402

STEPS = 1_000
START = (-1.5, 2.0)
# (core optimizer id, lr) and the equivalent torch constructor.
CONFIGS = [
    ("sgd", 1e-4), ("momentum", 1e-4), ("nesterov", 1e-4), ("adagrad", 0.1),
    ("rmsprop", 1e-3), ("adam", 1e-2), ("adamw", 1e-2), ("nadam", 1e-2),
]


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def core_runs() -> None:
    """What POST /api/trajectories computes: every point's value, gradient and curvature."""
    surface = SURFACES["rosenbrock"]
    runs = [SurfaceRun(surface, START, RunConfig(optimizer=o, lr=lr)) for o, lr in CONFIGS]
    for cols in record(RunSet(runs, STEPS)).kept:
        [lambda_max_at(surface, x, y) for x, y in cols.params]


def core_steps_only() -> None:
    """Like the torch loop: value, gradient and the update, no curvature, nothing recorded."""
    surface = SURFACES["rosenbrock"]
    for o, lr in CONFIGS:
        run = SurfaceRun(surface, START, RunConfig(optimizer=o, lr=lr))
        run.advance(STEPS, None)  # the loop live runs use, keeping only the last point


def torch_runs() -> None:
    import torch

    def make(opt_id: str, params, lr: float):
        o = torch.optim
        return {
            "sgd": lambda: o.SGD(params, lr=lr),
            "momentum": lambda: o.SGD(params, lr=lr, momentum=0.9),
            "nesterov": lambda: o.SGD(params, lr=lr, momentum=0.9, nesterov=True),
            "adagrad": lambda: o.Adagrad(params, lr=lr),
            "rmsprop": lambda: o.RMSprop(params, lr=lr),
            "adam": lambda: o.Adam(params, lr=lr),
            "adamw": lambda: o.AdamW(params, lr=lr),
            "nadam": lambda: o.NAdam(params, lr=lr),
        }[opt_id]()

    for opt_id, lr in CONFIGS:
        p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        opt = make(opt_id, [p], lr)
        for _ in range(STEPS):
            opt.zero_grad()
            x, y = p[0], p[1]
            loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
            loss.backward()
            opt.step()


def main() -> None:
    steps = len(CONFIGS) * STEPS
    core = best_of(core_runs)
    print(f"core: {len(CONFIGS)} optimizers x {STEPS} steps on Rosenbrock: {core * 1e3:.1f} ms "
          f"({core / steps * 1e6:.2f} us per run-step, value + gradient + Hessian curvature)")
    bare = best_of(core_steps_only)
    print(f"core, steps only (no curvature, nothing recorded): {bare * 1e3:.1f} ms "
          f"({bare / steps * 1e6:.2f} us per run-step)")
    try:
        import torch  # noqa: F401
    except ImportError:
        print("torch not installed: no baseline (pip install torch==2.13.0 to compare)")
        return
    base = best_of(torch_runs, repeat=2)
    print(f"torch.optim loop (float64, autograd): {base * 1e3:.1f} ms "
          f"({base / steps * 1e6:.2f} us per run-step)")
    print(f"ratio: core is {base / core:.1f}x faster than the torch loop (goal: >= 50x); "
          f"steps only: {base / bare:.1f}x")


if __name__ == "__main__":
    main()
