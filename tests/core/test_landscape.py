"""The landscape of a trained network: centre, projected paths, true versus slice loss."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.datasets import make_dataset
from app.core.landscape import compute_landscape
from app.core.mlp import MLP
from app.core.runs import RunConfig

CONFIGS = [RunConfig("adam", lr=0.02), RunConfig("sgd", lr=0.5, batch_size=16, seed=1)]


@pytest.fixture(scope="module")
def problem():
    data = make_dataset("moons", 120, seed=0)
    model = MLP.build([2, 8, 8, 2], "tanh")
    return model, data.x, model.targets(data.y), model.init(np.random.default_rng(0))


@pytest.fixture(scope="module", params=["weights", "random", "pca"])
def landscape(request, problem):
    model, x, y, theta0 = problem
    return compute_landscape(model, x, y, theta0, CONFIGS, 60, request.param, 21, seed=3)


def test_centre_of_the_grid_reproduces_the_loss(landscape, problem) -> None:
    model, x, y, _ = problem
    centre = landscape.runs[0].result.final
    np.testing.assert_array_equal(landscape.plane.centre, centre)
    assert landscape.centre_loss == model.loss_value(centre, x, y)
    assert landscape.c1[10] == 0.0 and landscape.c2[10] == 0.0
    assert landscape.z[10, 10] == pytest.approx(landscape.centre_loss, rel=1e-6)  # float32
    assert landscape.z.shape == (21, 21) and np.all(np.isfinite(landscape.z))


def test_projected_final_point_is_the_centre(landscape) -> None:
    run = landscape.runs[0]
    np.testing.assert_allclose(run.offsets[-1], [0.0, 0.0], atol=1e-10)
    assert run.distance[-1] == pytest.approx(0.0, abs=1e-10)
    assert run.slice_loss[-1] == pytest.approx(run.true_loss[-1], rel=1e-6)


def test_runs_share_the_initial_weights(landscape, problem) -> None:
    theta0 = problem[3]
    for run in landscape.runs:
        np.testing.assert_array_equal(run.result.thetas[0], theta0)
        assert run.result.steps[0] == 0 and run.result.steps[-1] == 60


def test_true_and_slice_loss_differ_off_the_plane(landscape) -> None:
    for run in landscape.runs:
        on = run.distance < 1e-9
        np.testing.assert_allclose(run.slice_loss[on], run.true_loss[on], rtol=1e-5)
    if landscape.plane.mode == "random":
        off = landscape.runs[1].distance > 1e-3
        assert off.any()
        assert not np.allclose(landscape.runs[1].slice_loss[off], landscape.runs[1].true_loss[off])


def test_paths_fit_inside_the_grid(landscape) -> None:
    for run in landscape.runs:
        assert np.all(np.abs(run.offsets[:, 0]) <= landscape.c1[-1])
        assert np.all(np.abs(run.offsets[:, 1]) <= landscape.c2[-1])


def test_weights_mode_axes_are_actual_weight_values(problem) -> None:
    model, x, y, theta0 = problem
    ref1, ref2 = (2, 3, 1), (1, 0, None)
    k1, k2 = model.param_index(*ref1), model.param_index(*ref2)
    land = compute_landscape(model, x, y, theta0, CONFIGS, 40, "weights", 11, weights=(ref1, ref2))
    centre = land.plane.centre
    assert land.x_axis[5] == centre[k1] and land.y_axis[5] == centre[k2]
    assert land.plane.labels == ("W2[3,1]", "b1[0]")
    for run in land.runs:  # the path's coordinates are the weights themselves
        axes = run.offsets + np.array(land.plane.origin)
        np.testing.assert_allclose(axes, run.result.thetas[:, [k1, k2]], atol=1e-12)
    # Any grid point = the centre with exactly those two weights changed.
    theta = centre.copy()
    theta[k1], theta[k2] = land.x_axis[2], land.y_axis[7]
    assert land.z[7, 2] == pytest.approx(model.loss_value(theta, x, y), rel=1e-5)


def test_pca_mode_reports_sorted_explained_variance(problem) -> None:
    model, x, y, theta0 = problem
    land = compute_landscape(model, x, y, theta0, CONFIGS[:1], 60, "pca", 11)
    ev = land.plane.explained_variance
    assert ev is not None and 0.0 <= ev[1] <= ev[0] <= 1.0
    assert ev[0] + ev[1] > 0.8  # one full-batch Adam path lies close to its PCA plane
    assert land.dtype == "float32"


def test_diverged_run_does_not_move_the_centre() -> None:
    data = make_dataset("sine", 80, seed=0)
    model = MLP.build([1, 8, 1], "tanh", "mse")
    theta0 = model.init(np.random.default_rng(0))
    configs = [RunConfig("sgd", lr=10.0), RunConfig("adam", lr=0.01)]
    land = compute_landscape(model, data.x, model.targets(data.y), theta0, configs, 50,
                             "random", 11)
    assert land.runs[0].result.status == "diverged"
    np.testing.assert_array_equal(land.plane.centre, land.runs[1].result.final)
    assert np.all(np.isfinite(land.runs[1].slice_loss))


def test_initial_centre_and_explicit_span(problem) -> None:
    model, x, y, theta0 = problem
    land = compute_landscape(model, x, y, theta0, CONFIGS[:1], 20, "random", 5, centre="initial",
                             span=(2.0, 0.5))
    np.testing.assert_array_equal(land.plane.centre, theta0)
    np.testing.assert_allclose(land.c1, [-2, -1, 0, 1, 2])
    np.testing.assert_allclose(land.c2, [-0.5, -0.25, 0, 0.25, 0.5])
    np.testing.assert_allclose(land.runs[0].offsets[0], [0, 0], atol=1e-12)
