"""Planes through weight space: two weights, filter-normalised random directions, PCA."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.directions import filter_normalise, pca_plane, random_plane, weight_plane
from app.core.mlp import MLP


@pytest.fixture(scope="module")
def net():
    model = MLP.build([2, 8, 6, 3], "tanh")
    theta = model.init(np.random.default_rng(0)) + 0.05  # nonzero biases
    return model, theta


def test_filter_normalised_rows_have_thetas_norms_and_biases_are_zero(net) -> None:
    model, theta = net
    d = filter_normalise(model, np.random.default_rng(1).standard_normal(model.n_params), theta)
    for (Wd, bd), (Wt, _) in zip(model.unflatten(d), model.unflatten(theta), strict=True):
        np.testing.assert_allclose(np.linalg.norm(Wd, axis=1), np.linalg.norm(Wt, axis=1))
        assert not bd.any()


def test_random_plane_is_seeded_and_normalised(net) -> None:
    model, theta = net
    a = random_plane(model, theta, np.random.default_rng(5))
    b = random_plane(model, theta, np.random.default_rng(5))
    c = random_plane(model, theta, np.random.default_rng(6))
    np.testing.assert_array_equal(a.d1, b.d1)
    assert not np.allclose(a.d1, c.d1) and not np.allclose(a.d1, a.d2)
    for d in (a.d1, a.d2):
        for (Wd, _), (Wt, _) in zip(model.unflatten(d), model.unflatten(theta), strict=True):
            np.testing.assert_allclose(np.linalg.norm(Wd, axis=1), np.linalg.norm(Wt, axis=1))
    assert a.origin == (0.0, 0.0)


def test_weight_plane_axes_are_the_actual_weights(net) -> None:
    model, theta = net
    plane = weight_plane(model, theta, (2, 1, 3), (3, 0, None))
    k1, k2 = model.param_index(2, 1, 3), model.param_index(3, 0, None)
    assert plane.origin == (theta[k1], theta[k2])
    assert plane.labels == ("W2[1,3]", "b3[0]")
    moved = theta.copy()
    moved[k1], moved[k2] = 0.7, -0.2
    offsets = plane.project(moved[None])[0]
    np.testing.assert_allclose(np.array(plane.origin) + offsets, [0.7, -0.2])
    with pytest.raises(ValueError):
        weight_plane(model, theta, (1, 0, 0), (1, 0, 0))


def test_project_inverts_point_even_for_non_orthogonal_directions(net) -> None:
    model, theta = net
    plane = random_plane(model, theta, np.random.default_rng(2))
    assert abs(plane.d1 @ plane.d2) > 1e-3  # not orthogonal
    pts = np.array([plane.point(0.3, -0.8), plane.point(-1.0, 0.25), theta])
    np.testing.assert_allclose(plane.project(pts), [[0.3, -0.8], [-1.0, 0.25], [0, 0]],
                               atol=1e-12)
    np.testing.assert_allclose(plane.distance(pts), 0.0, atol=1e-12)


def test_pca_explained_variance_and_a_path_in_the_plane(net) -> None:
    model, theta = net
    rng = np.random.default_rng(3)
    u, v = rng.standard_normal(model.n_params), rng.standard_normal(model.n_params)
    t = np.linspace(1, 0, 30)[:, None]
    path = theta + t * u + (t**2) * v + 1e-3 * rng.standard_normal((30, model.n_params))
    path[-1] = theta
    plane = pca_plane([path], theta)
    ev = plane.explained_variance
    assert ev is not None and 0 <= ev[1] <= ev[0] <= 1 and ev[0] + ev[1] <= 1 + 1e-12
    assert ev[0] + ev[1] > 0.999  # the path spans (nearly) a plane
    np.testing.assert_allclose(np.stack([plane.d1, plane.d2]) @ np.stack([plane.d1, plane.d2]).T,
                               np.eye(2), atol=1e-12)
    assert np.all(plane.distance(path) < 0.05)
    start = plane.project(path[:1])[0]
    assert start[0] < 0 and start[1] <= 0  # signs: the path starts on the negative side
    np.testing.assert_allclose(plane.project(path[-1:])[0], [0, 0], atol=1e-12)


def test_pca_of_a_single_point_is_defined(net) -> None:
    model, theta = net
    plane = pca_plane([theta[None]], theta)
    assert plane.explained_variance == (0.0, 0.0)
    assert np.isfinite(plane.d1).all() and np.isfinite(plane.d2).all()


def test_axis_point_is_the_projection_plus_the_origin(net) -> None:
    """A live run's every step: the same numbers as project() shifted by the origin."""
    model, theta = net
    plane = weight_plane(model, theta, (1, 0, 0), (2, 1, None))
    point = theta + np.random.default_rng(3).normal(size=theta.shape)
    want = plane.project(point[None, :])[0] + np.asarray(plane.origin)
    assert plane.axis_point(point) == (want[0], want[1])
    assert all(isinstance(c, float) for c in plane.axis_point(point))
