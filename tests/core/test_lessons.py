"""Lesson presets: lambda_0 against the dense Hessian; the catapult's learning rates."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.datasets import make_dataset
from app.core.hessian import hessian
from app.core.lessons import CATAPULT, EDGE_OF_STABILITY, LESSONS, catapult_lrs, initial_sharpness
from app.core.mlp import MLP


def test_initial_sharpness_is_the_top_eigenvalue() -> None:
    data = make_dataset("sine", n=30)
    model = MLP.build([1, 5, 5, 1], "tanh", "mse")
    x, y = data.x, model.targets(data.y)
    theta = model.init(np.random.default_rng(2))
    exact = np.linalg.eigvalsh(hessian(model, theta, x, y))[-1]
    assert initial_sharpness(model, theta, x, y) == pytest.approx(exact, rel=1e-4)


def test_catapult_lrs() -> None:
    assert catapult_lrs(4.0, (1.5, 3.0)) == [0.375, 0.75]
    with pytest.raises(ValueError, match="positive"):
        catapult_lrs(-1.0, (1.5,))


def test_registry() -> None:
    assert list(LESSONS) == ["edge_of_stability", "catapult"]
    assert EDGE_OF_STABILITY.lrs == tuple(sorted(EDGE_OF_STABILITY.lrs))
    assert CATAPULT.multiples[0] < 2 < CATAPULT.multiples[1]  # one stable start, one not
