"""Gradient flow by Dormand-Prince against closed-form solutions, and GD as lr -> 0."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.datasets import make_dataset
from app.core.flow import arc_length_samples, integrate_flow, network_flow, surface_flow
from app.core.mlp import MLP
from app.core.surfaces import get_surface, make_ravine


def test_quadratic_bowl_is_exponential_decay() -> None:
    """L = 1/2 sum a_i theta_i^2: theta_i(t) = theta_i(0) exp(-a_i t), stiff-ish (a up to 50)."""
    a = np.array([0.5, 1.0, 10.0, 50.0])
    x0 = np.array([1.0, -2.0, 0.5, 3.0])
    times = np.linspace(0.0, 4.0, 41)
    path = integrate_flow(lambda th: a * th, x0, times, rtol=1e-9, atol=1e-12)
    assert path.complete and path.n_steps > 0
    exact = x0 * np.exp(-np.outer(times, a))
    np.testing.assert_allclose(path.points, exact, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(path.points[0], x0)  # t = 0 is the start itself


@pytest.mark.parametrize("rtol", [1e-4, 1e-7, 1e-10])
def test_tolerance_controls_the_error(rtol: float) -> None:
    a = np.array([1.0, 3.0])
    x0 = np.array([2.0, -1.0])
    times = np.linspace(0.1, 3.0, 30)  # outputs between steps: the interpolant's accuracy too
    path = integrate_flow(lambda th: a * th, x0, times, rtol=rtol, atol=rtol * 1e-3)
    err = np.abs(path.points - x0 * np.exp(-np.outer(times, a))).max()
    assert err < 50 * rtol


def test_surfaces_bowl_and_ravine() -> None:
    bowl = get_surface("bowl")
    times = np.linspace(0.0, 5.0, 11)
    path = surface_flow(bowl, -2.5, 2.0, times, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(path.points, np.outer(np.exp(-times), [-2.5, 2.0]), atol=1e-8)
    # A rotated, ill-conditioned quadratic: theta(t) = expm(-H t) theta0 by its eigenbasis.
    ravine = make_ravine(condition=20.0, angle=30.0)
    h = ravine.hessian(0.0, 0.0)
    lam, q = np.linalg.eigh(h)
    x0 = np.array([1.5, -1.0])
    minimum = np.array(ravine.minima[0])
    exact = minimum + ((q.T @ (x0 - minimum))[None, :] * np.exp(-np.outer(times, lam))) @ q.T
    path = surface_flow(ravine, *x0, times, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(path.points, exact, atol=1e-7)


def test_gradient_descent_converges_to_the_flow_as_lr_shrinks() -> None:
    """GD is Euler's method on the flow: after time T the gap to the flow is O(lr)."""
    data = make_dataset("moons", n=40)
    model = MLP.build([2, 6, 2], "tanh")
    x, y = data.x, model.targets(data.y)
    theta0 = model.init(np.random.default_rng(0))
    t_end = 2.0
    path = network_flow(model, theta0, x, y, np.array([t_end]), rtol=1e-10, atol=1e-12)
    assert path.complete
    gaps = []
    for lr in (0.02, 0.01):
        theta = theta0.copy()
        for _ in range(round(t_end / lr)):
            theta = theta - lr * model.loss_and_grad(theta, x, y)[1]
        gaps.append(np.linalg.norm(theta - path.points[-1]))
    assert gaps[1] < 0.6 * gaps[0]  # first order: halving lr halves the gap
    assert gaps[1] < 1e-2 * np.linalg.norm(theta0)


def test_stops_on_a_non_finite_gradient_and_at_max_steps() -> None:
    # L = -theta^3/3 blows up in finite time (theta' = theta^2, theta(0) = 1: t = 1).
    path = integrate_flow(lambda th: -th * th, np.array([1.0]), np.array([0.5, 0.9, 2.0]))
    assert not path.complete and len(path.times) == 2
    np.testing.assert_allclose(path.points[:, 0], 1 / (1 - path.times), rtol=1e-5)
    capped = integrate_flow(lambda th: th, np.array([1.0]), np.array([100.0]), max_steps=3)
    assert not capped.complete and capped.n_steps == 3
    with pytest.raises(ValueError):
        integrate_flow(lambda th: th, np.array([1.0]), np.array([1.0, 0.5]))


def test_arc_length_samples_are_evenly_spaced() -> None:
    times = np.linspace(0.0, 6.0, 600)
    path = integrate_flow(lambda th: th, np.array([3.0, 4.0]), times)  # fast, then slow
    pts = arc_length_samples(path.points, 11)
    steps = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    np.testing.assert_allclose(steps, steps.mean(), rtol=1e-6)
    np.testing.assert_allclose(pts[0], [3.0, 4.0])
    np.testing.assert_allclose(pts[-1], path.points[-1])
