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


NET = {"dataset": {"id": "sine", "n": 40}, "network": {"hidden": [8, 8]}, "seed": 2}


def test_network_flow_gradient_descent_converges_to_it_as_lr_shrinks(client) -> None:
    """Euler's global error is O(lr): at the same flow time, halving lr halves the distance."""
    body = client.post("/api/flow/network", json=NET | {
        "steps": 40, "samples": 30,
        "runs": [{"optimizer": "sgd", "lr": 0.04}, {"optimizer": "sgd", "lr": 0.02},
                 {"optimizer": "adam", "lr": 0.01}]}).json()
    flow = body["flow"]
    assert flow["complete"] and flow["t_end"] == pytest.approx(40 * 0.04)
    assert len(flow["plane"]) == len(flow["loss"]) == len(flow["times"]) == 30
    assert flow["plane"][0] == pytest.approx(body["plane"]["origin"])  # through theta0
    assert flow["loss"][-1] < flow["loss"][0]  # the flow descends
    assert np.all(np.diff(flow["loss"]) <= 1e-12)  # ... monotonically: it is a gradient flow
    big, small, adam = body["runs"]
    t_big = dict(zip(big["flow_time"], big["distance_at_time"], strict=True))
    t_small = dict(zip(small["flow_time"], small["distance_at_time"], strict=True))
    common = [t for t in t_big if t > 0.3 and any(abs(t - s) < 1e-12 for s in t_small)]
    assert common
    for t in common:
        d_small = next(v for s, v in t_small.items() if abs(t - s) < 1e-12)
        assert 1.6 < t_big[t] / d_small < 2.4
    assert adam["distance_at_time"] is None and adam["flow_time"] is None


@pytest.mark.parametrize(("change", "field"), [
    ({"runs": [{"optimizer": "sgd", "lr": 0.1, "batch_size": 8}]}, "body.runs.0.batch_size"),
    ({"runs": []}, "body.t_end"),
    ({"dataset": {"id": "moons", "n": 2000}, "network": {"hidden": [64, 64, 64]},
      "runs": [{"optimizer": "sgd", "lr": 0.1}]}, "body.network"),
])
def test_network_flow_refusals(client, change: dict, field: str) -> None:
    response = client.post("/api/flow/network", json=NET | change)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field  # every 422 has one shape


@pytest.mark.parametrize("path", ["/api/flow", "/api/flow/network"])
def test_a_flow_too_short_to_sample_is_refused_naming_t_end(client, path: str) -> None:
    # 5e-324 (the smallest float) made the early samples' times 0: a 500 before t_end's bound.
    r = client.post(path, json={"steps": 1, "t_end": 5e-324})
    assert r.status_code == 422
    assert "t_end" in r.text
