"""The cost of curvature: a Hessian-vector product against a gradient, and training with a
sharpness update every 10 steps against training without.

    .venv/bin/python bench/hessian.py            # both networks
    .venv/bin/python bench/hessian.py --quick    # fewer steps and repetitions

Two networks, full batch: a 2-16-16-2 tanh net on 200 moons points and a 2-32-32-32-3 ReLU net on
500 spirals points (3 classes), softmax + cross-entropy. Goals (issue #15): an HVP costs at most
3x a gradient; training with sharpness every 10 steps runs at least half as fast as without.
For Adam it also times the preconditioned sharpness on top (both every 10 steps). Training is
the run engine's (`NetworkRun`, whose probe reuses each step's forward and backward pass), then
the same over /ws end to end (an in-process server, sharpness_every null vs 10). Figures go in
docs/performance.md.

Times are the process's CPU time with OpenBLAS on one thread (set before NumPy loads; override
with OPENBLAS_NUM_THREADS): on two cores shared with other work, wall-clock ratios moved between
1.5x and 3x from one run to the next, CPU time of one thread measures the work itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.curvature import (  # noqa: E402
    SHARPNESS_TOL,
    SharpnessTracker,
    spectrum,
)
from app.core.datasets import make_dataset  # noqa: E402
from app.core.hessian import HessianOperator, hvp  # noqa: E402
from app.core.mlp import MLP  # noqa: E402
from app.core.runs import NetworkRun, Problem, RunConfig  # noqa: E402

EVERY = 10  # sharpness_every
# (label, sizes, activation, dataset, points, classes, GD lr)
NETS = [
    ("2-16-16-2 tanh, 200 moons", (2, 16, 16, 2), "tanh", "moons", 200, 2, 0.5),
    ("2-32-32-32-3 relu, 500 spirals", (2, 32, 32, 32, 3), "relu", "spirals", 500, 3, 0.1),
]


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def train_engine(model: MLP, theta0, x, y, steps: int, optimizer: str, lr: float,
                 every: int | None) -> SharpnessTracker | None:
    """Full-batch training by the run engine (app/core/runs), sharpness every `every` steps
    (None: off) measured by the run's own probe on the step's own passes."""
    problem = Problem(model, x, np.zeros(len(x)), y, np.array(theta0), plane=None)
    run = NetworkRun(problem, RunConfig(optimizer, lr=lr), sharpness_every=every)
    run.advance(steps, None)
    return None if run.probe is None else run.probe.tracker


def bench_net(label, sizes, activation, dataset, n, classes, lr, steps: int, repeat: int,
              tol: float) -> None:
    data = make_dataset(dataset, n=n, n_classes=classes if dataset == "spirals" else None)
    model = MLP.build(list(sizes), activation)
    x, y = data.x, model.targets(data.y)
    theta = model.init(np.random.default_rng(0))
    v = np.random.default_rng(1).standard_normal(model.n_params)
    print(f"\n{label}: P = {model.n_params} parameters, N = {n}; Lanczos tol {tol:g}")

    t_grad = best_of(lambda: model.loss_and_grad(theta, x, y), repeat * 50)
    op = HessianOperator(model, theta, x, y)
    t_hvp = best_of(lambda: op.matvec(v), repeat * 50)
    t_build = best_of(lambda: HessianOperator(model, theta, x, y), repeat * 50)
    t_fresh = best_of(lambda: hvp(model, theta, x, y, v), repeat * 50)
    print(f"  gradient (loss_and_grad)                 {t_grad * 1e6:8.0f} us")
    print(f"  HVP at a cached theta (operator.matvec)  {t_hvp * 1e6:8.0f} us"
          f"   = {t_hvp / t_grad:.2f}x a gradient (goal <= 3x)")
    print(f"  HessianOperator(theta): forward+backward {t_build * 1e6:8.0f} us"
          f"   = {t_build / t_grad:.2f}x")
    print(f"  one HVP from scratch (hvp())             {t_fresh * 1e6:8.0f} us"
          f"   = {t_fresh / t_grad:.2f}x")

    specs: list = []
    t_spec = best_of(lambda: specs.append(spectrum(HessianOperator(model, theta, x, y))), repeat)
    how = "all eigenvalues" if specs[-1].complete else "the 20 smallest and 20 largest"
    print(f"  spectrum on request ({how}, {specs[-1].products} HVPs)"
          f"  {t_spec * 1e3:6.0f} ms")

    for name, optimizer, run_lr in (("GD", "sgd", lr), ("Adam", "adam", 0.01)):
        # Plain and tracked runs alternate, and the ratio is the median over the pairs: the
        # machine's speed drifts (shared cores) more than the effect we measure.
        plain, tracked = [], []
        tracker = None
        for _ in range(repeat):
            t0 = time.process_time()
            train_engine(model, theta, x, y, steps, optimizer, run_lr, None)
            t1 = time.process_time()
            tracker = train_engine(model, theta, x, y, steps, optimizer, run_lr, EVERY)
            t2 = time.process_time()
            plain.append(t1 - t0)
            tracked.append(t2 - t1)
        assert tracker is not None
        ratio = float(np.median(np.array(tracked) / np.array(plain)))
        updates = steps // EVERY * 2 + 1 if name == "Adam" else steps // EVERY + 1
        what = "sharpness + preconditioned" if name == "Adam" else "sharpness"
        print(f"  {name} x {steps} steps (run engine): {steps / min(plain):6.0f} steps/s plain,"
              f" {steps / min(tracked):6.0f} with {what} every {EVERY}: {ratio:.2f}x the time"
              f" (goal <= 2x); {tracker.n_products / updates:.1f} HVPs per Lanczos")


def bench_ws(steps: int, repeat: int) -> None:
    """Training over /ws (an in-process server, speed 0, columns), sharpness_every off vs 10:
    the time from `start` to `done` as a client sees it (CPU time of the whole process: the
    server's worker threads and the client's parsing)."""
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    start = {"type": "start", "dataset": {"id": "moons", "n": 200}, "columns": True,
             "network": {"hidden": [16, 16], "activation": "tanh"}, "steps": steps, "speed": 0,
             "runs": [{"optimizer": "sgd", "lr": 0.5}, {"optimizer": "adam", "lr": 0.01}]}
    print(f"\n/ws: 2-16-16-2 tanh on 200 moons, GD and Adam, {steps} steps, speed 0")
    with TestClient(create_app(Settings(extra_hosts=("testserver",)))) as client:
        times: dict[str, list[float]] = {"off": [], "10": []}
        for _ in range(repeat):
            for label, every in (("off", None), ("10", EVERY)):
                with client.websocket_connect("/ws") as ws:
                    ws.receive_text()
                    t0 = time.process_time()
                    ws.send_json(start | {"sharpness_every": every})
                    while '"type":"done"' not in ws.receive_text():
                        pass
                    times[label].append(time.process_time() - t0)
        off, on = min(times["off"]), min(times["10"])
        ratio = float(np.median(np.array(times["10"]) / np.array(times["off"])))
        print(f"  sharpness off: {2 * steps / off:6.0f} run-steps/s; every {EVERY}: "
              f"{2 * steps / on:6.0f} run-steps/s: {ratio:.2f}x the time (goal <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tol", type=float, default=SHARPNESS_TOL,
                        help="the trackers' Lanczos tolerance (default: the core's)")
    args = parser.parse_args()
    steps, repeat = (200, 1) if args.quick else (1000, 5)
    for net in NETS:
        bench_net(*net, steps=steps if net[4] < 500 else steps // 2, repeat=repeat, tol=args.tol)
    bench_ws(steps, repeat)


if __name__ == "__main__":
    main()
