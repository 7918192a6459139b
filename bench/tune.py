"""Time the optimizers that ask their run for more than the gradient, and the lr tuning of fair
races (app/core/tuning.py), as `POST /api/tune` runs it.

Run: `PYTHONPATH=$PWD .venv/bin/python bench/tune.py`. Figures go in docs/performance.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.datasets import make_dataset  # noqa: E402
from app.core.mlp import MLP  # noqa: E402
from app.core.runs import NetworkRun, RunConfig, SurfaceRun, make_problem  # noqa: E402
from app.core.surfaces import SURFACES  # noqa: E402
from app.core.tuning import tune_lr  # noqa: E402
from bench.engine import best_of  # noqa: E402

START = (-1.5, 2.0)
ORACLE = [("adam", {}), ("lbfgs", {}), ("lbfgs", {"line_search_fn": "strong_wolfe",
                                                   "max_eval": 25}),
          ("sam_sgd", {"lr": 1e-3}), ("sam_adam", {"lr": 0.05}), ("newton", {}),
          ("damped_newton", {})]
RACE = ["sgd", "momentum", "adam", "lion", "lbfgs"]


def main() -> None:
    surface = SURFACES["rosenbrock"]
    for oid, hyper in ORACLE:
        def steps(oid=oid, hyper=hyper) -> None:
            SurfaceRun(surface, START, RunConfig(oid, hyperparameters=hyper)).advance(1000, None)
        print(f"{oid} {hyper or ''}: {best_of(steps, 3) * 1e3:.2f} us per step (Rosenbrock)")

    def race() -> int:
        return sum(tune_lr(lambda lr, o=o: SurfaceRun(surface, START, RunConfig(o, lr=lr)),
                           300).run_steps for o in RACE)
    spent = race()
    print(f"tune {', '.join(RACE)} on Rosenbrock, 300 steps: {best_of(race, 3):.3f} s "
          f"({spent:,} run-steps)")

    data = make_dataset("moons", 200, seed=0)
    model = MLP.build([2, 16, 16, 2], "tanh", "cross_entropy")
    problem = make_problem(model, data.x, data.y, 0, plane=None)
    for oid in ("adam", "muon", "lbfgs"):
        t0 = time.perf_counter()
        result = tune_lr(lambda lr, o=oid: NetworkRun(problem, RunConfig(o, lr=lr),
                                                      loss_every=200), 200)
        print(f"tune {oid} on the default network (2-16-16-2 tanh, 200 moons, 200 steps): "
              f"{time.perf_counter() - t0:.2f} s ({result.run_steps:,} run-steps), "
              f"best lr {result.lr:.3g}, loss {result.loss:.3g}")


if __name__ == "__main__":
    main()
