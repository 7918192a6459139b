"""Distances from runs to the gradient flow, against the closed-form flow of a quadratic."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.flow_compare import (
    distance_to_path,
    flow_times,
    path_polyline,
    surface_reference,
    time_matched,
)
from app.core.surfaces import get_surface

KAPPA = 10.0  # the ravine at angle 0: f = (x^2 + kappa y^2) / 2, flow (x0 e^-t, y0 e^-kappa t)


def gd(start: np.ndarray, curvatures: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """Gradient descent on the diagonal quadratic, in closed form: x_k = x_0 (1 - lr c)^k."""
    k = np.arange(steps + 1)[:, None]
    return start * (1.0 - lr * curvatures) ** k


@pytest.mark.parametrize("lr", [0.01, 0.05, 0.19])
def test_time_matched_distance_is_the_closed_form(lr: float) -> None:
    surface = get_surface("ravine", condition=KAPPA, angle=0.0)
    start, curv = np.array([-2.0, 1.0]), np.array([1.0, KAPPA])
    steps = 60
    points = gd(start, curv, lr, steps)
    times = flow_times([lr] * steps)
    flow = surface_reference(surface, (-2.0, 1.0), float(times[-1]), times)
    assert flow.complete
    got = time_matched(points, times, flow)
    exact = np.linalg.norm(points - start * np.exp(-np.outer(times, curv)), axis=1)
    np.testing.assert_allclose(got, exact, rtol=1e-4, atol=1e-7)
    # the distance to the path never exceeds the distance to the flow at the same time
    d = distance_to_path(points, path_polyline(flow))
    assert np.all(d <= got + 1e-6)
    if lr == 0.19:  # lr x kappa = 1.9: GD zig-zags across the valley, far from the path
        assert d[1] > 0.5


def test_on_a_bowl_gradient_descent_stays_on_the_flows_path() -> None:
    """On the bowl the flow is a straight line to the minimum, and every stable GD run moves
    along it: the distance to the path is ~0, the time-matched one is not."""
    surface = get_surface("bowl")
    start = np.array([-2.5, 2.0])
    points = gd(start, np.ones(2), 0.5, 20)
    times = flow_times([0.5] * 20)
    # followed to t = 40 (GD at lr 0.5 is 2^-20 of the way from the minimum after 20 steps,
    # the flow e^-10 at t = 10: beyond its reach)
    flow = surface_reference(surface, (-2.5, 2.0), 40.0, times)
    assert np.max(distance_to_path(points, path_polyline(flow))) < 1e-6
    matched = time_matched(points, times, flow)
    assert matched[1] == pytest.approx(np.linalg.norm(start) * (np.exp(-0.5) - 0.5), rel=1e-5)


def test_distance_to_path_against_brute_force() -> None:
    rng = np.random.default_rng(0)
    path = np.cumsum(rng.standard_normal((50, 3)), axis=0)
    points = rng.standard_normal((300, 3)) * 3
    points[5] = np.nan
    got = distance_to_path(points, path)
    a, ab = path[:-1], np.diff(path, axis=0)
    for i in (0, 1, 77, 299):
        u = np.clip(np.sum((points[i] - a) * ab, axis=1) / np.sum(ab * ab, axis=1), 0, 1)
        assert got[i] == pytest.approx(np.min(np.linalg.norm(points[i] - a - u[:, None] * ab,
                                                             axis=1)), rel=1e-12)
    assert np.isnan(got[5])


def test_flow_times_with_a_schedule_and_momentum() -> None:
    np.testing.assert_allclose(flow_times([0.1, 0.2, 0.0]), [0, 0.1, 0.3, 0.3])
    np.testing.assert_allclose(flow_times([0.1, 0.1], speed=10.0), [0, 1.0, 2.0])
