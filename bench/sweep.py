"""A width sweep of 12 trainings in the process pool against the same 12 one after another.

    .venv/bin/python bench/sweep.py            # 12 widths, 1500 Adam steps each
    .venv/bin/python bench/sweep.py --quick    # 400 steps each

Moons, 200 points (half held out), one hidden ReLU layer of width 2, 4, ..., 24, full batch.
Goal (issue #17): the pool's wall time at most 0.6x the sequential one on two cores. Both sides
use one BLAS thread per process (set before NumPy loads; the pool's workers get it from
app/core/sweeps.py), so the comparison is of processes, not of BLAS threads. The pool's time
is a later sweep's: the worker processes are kept between sweeps (app/core/sweeps.py), and the
first sweep's time, which also starts them (spawn: a fresh interpreter importing NumPy and the
app, ~0.3 s), is printed beside it.
Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.sweeps import Sweep, TrainSpec, run_sweep  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=None, help="default: os.cpu_count()")
    args = parser.parse_args()
    steps = 400 if args.quick else 1500
    sweep = Sweep(TrainSpec(dataset="moons", n=200, test_fraction=0.5, hidden=(8,),
                            activation="relu", optimizer="adam", lr=0.01, steps=steps),
                  "width", tuple(range(2, 26, 2)))
    workers = args.workers or os.cpu_count() or 1
    print(f"{len(sweep.values)} trainings of {steps} Adam steps, moons 100 train / 100 test, "
          f"widths {sweep.values[0]}..{sweep.values[-1]}; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} (other work competes for the cores)")
    t0 = time.perf_counter()
    seq = run_sweep(sweep, workers=1)
    t_seq = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_sweep(sweep, workers=workers)  # the first sweep also starts the kept worker processes
    t_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    pooled = run_sweep(sweep, workers=workers)  # every later one, as a server serves them
    t_pool = time.perf_counter() - t0
    same = [o.test_loss for o in seq.outcomes] == [o.test_loss for o in pooled.outcomes]
    busy = sum(o.seconds for o in pooled.outcomes if o is not None)
    cpu_seq = sum(o.cpu_seconds for o in seq.outcomes if o is not None)
    cpu_pool = sum(o.cpu_seconds for o in pooled.outcomes if o is not None)
    print(f"  one after another  {t_seq:6.2f} s")
    print(f"  pool of {workers}          {t_pool:6.2f} s = {t_pool / t_seq:.2f}x (goal <= 0.6x); "
          f"trainings themselves {busy:.2f} s; results identical: {same}")
    print(f"  the first sweep, starting the pool's processes: {t_cold:.2f} s = "
          f"{t_cold / t_seq:.2f}x")
    print(f"  CPU time of the trainings: {cpu_seq:.2f} s one after another, {cpu_pool:.2f} s in "
          f"the pool (the same work: a wall time above the CPU time is waiting for a core)")
    for row in pooled.rows:
        assert row is not None
        print(f"    width {row.value:>4g}: train error {row.train_error:.2f}, "
              f"test error {row.test_error:.2f}")


if __name__ == "__main__":
    from app.core.memory import keep_freed_memory
    keep_freed_memory()  # as the server and the pool's workers do: like for like
    main()
