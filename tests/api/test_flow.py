"""POST /api/flow: the flow's path and each run's distance to it, against the closed form."""

from __future__ import annotations

import numpy as np
import pytest

KAPPA = 10.0
RAVINE = {"id": "ravine", "condition": KAPPA, "angle": 0}  # f = (x^2 + kappa y^2) / 2


def test_the_flow_and_gradient_descent_against_the_closed_form(client) -> None:
    lrs = (0.01, 0.19)
    body = client.post("/api/flow", json={
        "surface": RAVINE, "start": [-2, 1], "steps": 40, "samples": 50,
        "runs": [{"optimizer": "sgd", "lr": lr} for lr in lrs] + [{"optimizer": "adam"}]}).json()
    flow = body["flow"]
    assert flow["complete"] and flow["t_end"] == pytest.approx(40 * 0.19)
    points, times = np.array(flow["points"]), np.array(flow["times"])
    assert len(points) == 50 and times[0] == 0 and np.all(np.diff(times) > 0)
    exact = np.array([-2, 1]) * np.exp(-np.outer(times, [1, KAPPA]))
    np.testing.assert_allclose(points, exact, atol=1e-4)  # times interpolated along the arc
    steps = np.diff(points, axis=0)  # evenly spaced along the path
    np.testing.assert_allclose(np.linalg.norm(steps, axis=1),
                               np.linalg.norm(steps, axis=1).mean(), rtol=0.02)
    for run, lr in zip(body["runs"], lrs, strict=False):
        k = np.arange(41)
        gd = np.array([-2, 1]) * (1 - lr * np.array([1, KAPPA])) ** k[:, None]
        t = k * lr
        assert run["flow_time"] == pytest.approx(t.tolist())
        matched = np.linalg.norm(gd - np.array([-2, 1]) * np.exp(-np.outer(t, [1, KAPPA])),
                                 axis=1)
        np.testing.assert_allclose(run["distance_at_time"], matched, rtol=1e-4, atol=1e-7)
        assert len(run["distance"]) == 41 and run["distance"][0] == pytest.approx(0, abs=1e-9)
    small, large = body["runs"][0], body["runs"][1]
    assert large["max_distance"] > 10 * small["max_distance"]  # large lr departs from the flow
    adam = body["runs"][2]
    assert adam["flow_time"] is None and adam["distance_at_time"] is None
    assert len(adam["distance"]) == 41


def test_the_flow_alone_and_its_horizon(client) -> None:
    body = client.post("/api/flow", json={"surface": "bowl", "t_end": 3}).json()
    assert body["runs"] == [] and body["flow"]["t_end"] == 3
    end = np.array(body["flow"]["points"][-1])
    np.testing.assert_allclose(end, np.array([-2.5, 2.0]) * np.exp(-3), rtol=1e-6)


@pytest.mark.parametrize(("change", "field"), [
    ({"samples": 1}, "body.samples"), ({"t_end": 0}, "body.t_end"),
    ({"t_end": "Infinity"}, "body.t_end"), ({"surface": "nowhere"}, "body.surface.id"),
    ({"steps": 20_000, "runs": [{"optimizer": "sgd", "lr": 0.1}] * 3}, "body.steps"),
    ({"runs": [{"optimizer": "sgd", "lr": 0.1, "batch_size": 3}]}, "body.runs.0.batch_size"),
])
def test_refusals_name_the_field(client, change: dict, field: str) -> None:
    response = client.post("/api/flow", json={"surface": "bowl"} | change)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field


def test_a_diverged_run_is_null_not_nan(client) -> None:
    response = client.post("/api/flow", json={
        "surface": "bowl", "steps": 2000, "runs": [{"optimizer": "sgd", "lr": 3.0}]})
    assert b"NaN" not in response.content and b"Infinity" not in response.content
    run = response.json()["runs"][0]
    assert run["status"] == "diverged" and len(run["distance"]) == len(run["steps"])
    assert run["distance"][-1] is None or run["distance"][-1] > 10
