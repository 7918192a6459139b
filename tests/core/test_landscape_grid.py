"""The batched slice evaluator against the per-point loop (the oracle)."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.activations import ACTIVATIONS
from app.core.datasets import make_dataset
from app.core.directions import random_plane, weight_plane
from app.core.landscape_grid import SliceEvaluator, naive_losses
from app.core.mlp import MLP


def setup(activation: str, dataset: str = "moons", hidden=(8, 6), classes=None, seed=0):
    data = make_dataset(dataset, 60, seed=seed, n_classes=classes)
    loss = "mse" if data.task == "regression" else "cross_entropy"
    model = MLP.build([data.n_inputs, *hidden, data.n_outputs], activation, loss)
    theta = model.init(np.random.default_rng(seed)) + 0.05
    plane = random_plane(model, theta, np.random.default_rng(seed + 1))
    return model, plane, data.x, model.targets(data.y)


def mesh_coords(c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    A, B = np.meshgrid(c1, c2)
    return np.column_stack([A.ravel(), B.ravel()])


CASES = [(a, "moons", None) for a in sorted(ACTIVATIONS)] + [
    ("tanh", "sine", None), ("relu", "sine", None), ("sigmoid", "blobs", 3), ("tanh", "spirals", 4)
]


@pytest.mark.parametrize(("activation", "dataset", "classes"), CASES)
def test_batched_grid_equals_the_per_point_loop(activation, dataset, classes) -> None:
    model, plane, x, y = setup(activation, dataset, classes=classes)
    c1, c2 = np.linspace(-1.5, 1.5, 9), np.linspace(-1, 1, 7)
    naive = naive_losses(model, plane, mesh_coords(c1, c2), x, y).reshape(7, 9)
    grid = SliceEvaluator(model, plane, x, y).mesh(c1, c2)  # float32
    np.testing.assert_allclose(grid, naive, rtol=2e-5, atol=2e-6)
    points = SliceEvaluator(model, plane, x, y).points(mesh_coords(c1, c2)).reshape(7, 9)
    np.testing.assert_allclose(points, naive, rtol=2e-5, atol=2e-6)
    exact = SliceEvaluator(model, plane, x, y, dtype=np.float64).mesh(c1, c2)
    np.testing.assert_allclose(exact, naive, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("hidden", [(), (5,), (4, 4, 4)])
def test_any_depth(hidden) -> None:
    model, plane, x, y = setup("tanh", hidden=hidden)
    c = np.linspace(-1, 1, 5)
    naive = naive_losses(model, plane, mesh_coords(c, c), x, y).reshape(5, 5)
    np.testing.assert_allclose(SliceEvaluator(model, plane, x, y).mesh(c, c), naive,
                               rtol=2e-5, atol=2e-6)


def test_wide_spans_fall_back_from_the_exp_tables_and_stay_exact() -> None:
    """Far from the centre the first layer's exp tables would overflow float32."""
    model, plane, x, y = setup("tanh")
    c = np.linspace(-60, 60, 7)
    ev = SliceEvaluator(model, plane, x, y)
    assert ev._exp_tables(c, c) is None
    naive = naive_losses(model, plane, mesh_coords(c, c), x, y).reshape(7, 7)
    np.testing.assert_allclose(ev.mesh(c, c), naive, rtol=1e-4, atol=1e-4)


def test_threads_chunks_and_single_worker_agree() -> None:
    model, plane, x, y = setup("tanh")
    c1, c2 = np.linspace(-1, 1, 13), np.linspace(-1, 1, 11)
    one = SliceEvaluator(model, plane, x, y, workers=1)
    many = SliceEvaluator(model, plane, x, y, workers=3)
    many.chunk = 4  # several pieces per row
    np.testing.assert_array_equal(one.mesh(c1, c2), many.mesh(c1, c2))


def test_centre_reproduces_the_loss() -> None:
    model, plane, x, y = setup("relu")
    true = model.loss_value(plane.centre, x, y)
    c = np.linspace(-1, 1, 5)
    assert SliceEvaluator(model, plane, x, y).mesh(c, c)[2, 2] == pytest.approx(true, rel=1e-6)
    assert SliceEvaluator(model, plane, x, y, np.float64).mesh(c, c)[2, 2] == pytest.approx(
        true, rel=1e-14)


def test_weights_mode_varies_only_two_weights() -> None:
    model, _, x, y = setup("tanh")
    theta = model.init(np.random.default_rng(9))
    plane = weight_plane(model, theta, (1, 0, 0), (2, 1, None))
    c = np.array([-0.5, 0.0, 0.5])
    coords = mesh_coords(c, c)
    naive = naive_losses(model, plane, coords, x, y).reshape(3, 3)
    np.testing.assert_allclose(SliceEvaluator(model, plane, x, y).mesh(c, c), naive, rtol=2e-5)
