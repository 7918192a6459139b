"""The generalisation lab's presets: configurations found to show their effect reliably and fast on
this machine, with what to look for. Plain data: the API serves the bodies as they are (a `start`
message, or a `sweep` message), the tests and benchmarks run them.

Figures (docs/teaching.md): measured on the 2-core development machine, loaded by other work.
"""

from __future__ import annotations

from typing import Any

from app.core.sweeps import Sweep, TrainSpec

# Grokking (Power et al. 2022) on a + b mod 23 with an MLP on one-hot pairs: 80% of the table
# trained on, AdamW with weight decay 1. Train accuracy reaches 100% by step ~200 while test
# accuracy stays near chance (2% at step 500); test accuracy then climbs to 35% at step 1000,
# 73% at 2000 and 95% at ~4400: the jump comes a decade of steps after memorisation (a log-step
# axis shows it best). 5000 steps take 15-30 s at full speed (3-6 ms a step).
GROKKING: dict[str, Any] = {
    "type": "start",
    "dataset": {"id": "modular", "n_classes": 23, "seed": 0},
    "test_fraction": 0.2,
    "network": {"hidden": [128], "activation": "relu"},
    "seed": 0,
    "steps": 5000,
    "runs": [{"optimizer": "adamw", "lr": 0.002, "weight_decay": 1.0}],
    "speed": 0,
    "columns": True,
    "weights_every": 1000,
}

# Overfitting: a wide network on few noisy points; the test loss reaches its lowest early and
# then climbs while the training loss keeps falling (best_test marks where to stop).
OVERFITTING: dict[str, Any] = {
    "type": "start",
    "dataset": {"id": "moons", "n": 60, "noise": 0.3, "seed": 1},
    "test_fraction": 0.5,
    "label_noise": 0.1,
    "network": {"hidden": [64, 64], "activation": "relu"},
    "seed": 0,
    "steps": 2000,
    "runs": [{"optimizer": "adam", "lr": 0.01}],
    "speed": 0,
    "columns": True,
}

# Double descent (Nakkiran et al. 2019) with random ReLU features fitted by min-norm least
# squares: 40 noisy training points (moons, input noise 0.2, 20% of labels flipped); the test
# error (MSE on one-hot targets) rises as the width approaches 40 (as many output weights per
# class as training points: the interpolation threshold), peaks there, and falls again as the
# width grows past it. Median of 5 feature draws per width; the whole sweep takes about a second.
DOUBLE_DESCENT = Sweep(
    TrainSpec(dataset="moons", n=400, noise=0.2, test_fraction=0.5, label_noise=0.2,
              n_train=40, hidden=(40,), activation="relu", fit="min_norm"),
    "width", (5, 10, 20, 30, 40, 50, 60, 80, 120, 200, 400, 1000), repeats=5)

