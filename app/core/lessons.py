"""Lesson presets for the stability lab (issue #15; docs/teaching.md): which network, data and
runs show each effect, and lambda_0 for the catapult.

The numbers were measured with the run engine (docs/curvature.md, "Lesson material"): a
1-32-32-1 tanh net on 100 points of `sine` with MSE, seed 0, full-batch gradient descent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.core.curvature import SharpnessTracker
from app.core.mlp import MLP

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Lesson:
    """A preset: the network and data, and full-batch GD runs at fixed `lrs`, or at
    c / lambda_0 for each c in `multiples` once lambda_0 is measured (the catapult)."""

    id: str
    title: str
    see: str  # what the class will see
    question: str  # the question to ask
    dataset: str = "sine"
    n: int = 100
    hidden: tuple[int, ...] = (32, 32)
    activation: str = "tanh"
    seed: int = 0
    steps: int = 1500
    sharpness_every: int = 10
    speed: float = 100.0  # steps per second per run: a 1,500-step lesson in 15 s
    lrs: tuple[float, ...] = ()  # fixed learning rates
    multiples: tuple[float, ...] = ()  # catapult: lr = c / lambda_0 for each c


EDGE_OF_STABILITY = Lesson(
    id="edge_of_stability",
    title="Edge of stability",
    see="Three runs of full-batch gradient descent from the same weights. Each run's sharpness "
        "(the top Hessian eigenvalue) climbs towards its own 2/lr line: at lr 0.04 it starts at "
        "0.7 of the line, reaches it after about 100 steps and then hovers there (within about "
        "12%) while the loss falls unevenly (a spike near step 450); at lr 0.03 it gets there "
        "after about 900 steps; at lr 0.02 it is still climbing, at 0.6 of its line, after "
        "1,500 steps.",
    question="The quadratic rule says gradient descent diverges once lr x sharpness passes 2. "
             "Why does the sharpness stop at 2/lr instead of going past it, and why does the "
             "loss still go down?",
    lrs=(0.02, 0.03, 0.04),
)

CATAPULT = Lesson(
    id="catapult",
    title="Catapult",
    see="lambda_0 is the sharpness at the initial weights. At 1.5/lambda_0 the loss falls "
        "smoothly and the sharpness climbs to its line. At 3/lambda_0 the first steps overshoot: "
        "the loss shoots up about eightfold, then falls, and the sharpness has dropped to about "
        "0.6 of its line: the run was thrown into a flatter region. At 7/lambda_0 the loss "
        "explodes within ten steps: diverged.",
    question="At 3/lambda_0 the first step is unstable by the quadratic rule, yet the run "
             "recovers. What changed so that the same learning rate became stable?",
    steps=300,
    speed=30.0,
    multiples=(1.5, 3.0, 7.0),
)

LESSONS: dict[str, Lesson] = {lesson.id: lesson for lesson in (EDGE_OF_STABILITY, CATAPULT)}


def initial_sharpness(model: MLP, theta0: Array, x: Array, y: Array, seed: int = 0) -> float:
    """lambda_0: the top Hessian eigenvalue of the full-batch loss at theta0 (y: targets).
    A cold Lanczos run to the tracker's tolerance (about 15 products)."""
    return SharpnessTracker(model, x, y, seed=seed).update(theta0)


def catapult_lrs(lambda0: float, multiples: tuple[float, ...]) -> list[float]:
    """lr = c / lambda_0 for each multiple c: c < 2 is stable at the start, 2 < c < ~4 catapults
    on most small nets, larger c diverges (on the preset's net, 5 still lands: 7 does not)."""
    if not np.isfinite(lambda0) or lambda0 <= 0:
        raise ValueError("lambda_0 must be a positive number: the loss is not convex at the start")
    return [c / lambda0 for c in multiples]
