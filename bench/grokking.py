"""The grokking preset to its end: when train accuracy reaches 100%, when test accuracy passes
50%, 90% and 95%, the weight norm, and the time it takes.

    .venv/bin/python bench/grokking.py

The preset is app/core/lab_presets.GROKKING (a + b mod 23, 80% trained on, a 46-128-23 ReLU MLP,
AdamW lr 0.002, weight decay 1, full batch), trained by the live run engine as the page would.
One BLAS thread (set before NumPy loads). Figures go in docs/teaching.md.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.api.live.kinds import NetworkLive  # noqa: E402
from app.api.schemas.ws import StartNetwork  # noqa: E402
from app.core.lab_presets import GROKKING  # noqa: E402


def first(values: np.ndarray, at_least: float) -> int | None:
    hits = np.flatnonzero(values >= at_least)
    return int(hits[0]) if len(hits) else None


def main() -> None:
    msg = StartNetwork.model_validate(GROKKING)
    live, config = NetworkLive.from_message(msg)
    run = live.runs[0]
    out = run.columns()
    out.append(run.head())  # step 0, so that out.*[s] is step s
    t0 = time.perf_counter()
    run.advance(msg.steps, out)
    seconds = time.perf_counter() - t0
    acc, test = np.array(out.accuracy), np.array(out.test_accuracy)
    print(f"sizes {config['sizes']}, {out.step[-1]} steps in {seconds:.1f} s "
          f"({seconds / msg.steps * 1e3:.1f} ms a step); load average {os.getloadavg()[0]:.1f}")
    print(f"  train accuracy 100% at step {first(acc, 1.0)}")
    for level in (0.5, 0.9, 0.95):
        print(f"  test accuracy {level:.0%} at step {first(test, level)}")
    for s in (0, 100, 200, 500, 1000, 2000, 3000, 4000, msg.steps):
        print(f"    step {s:>5}: train {acc[s]:.2f}  test {test[s]:.2f}  "
              f"|theta| {out.weight_norm[s]:.1f}  loss {out.loss[s]:.3g}  "
              f"test loss {out.test_loss[s]:.3g}")


if __name__ == "__main__":
    main()
