"""One regression test per seam that disagreed before the run engine (issue #11, "Why")."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.core import surfaces
from app.core.directions import pca_plane
from app.core.parameters import Hyperparameter
from app.core.runs import RunConfig, RunSet, Steps, SurfaceRun
from app.main import create_app
from tests.api.wsutil import Reader
from tests.conftest import settings_for_tests

MOONS = {"dataset": {"id": "moons", "n": 60, "seed": 0}, "network": {"hidden": [6]},
         "seed": 0, "grid": 5, "directions": "random"}


def test_a_bad_boolean_hyperparameter_is_a_422_naming_it(client: TestClient) -> None:
    body = {"surface": "bowl", "steps": 5, "runs": [{"optimizer": "rmsprop", "centered": 0.5}]}
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "centered"
    assert "boolean" in r.json()["message"]


def test_a_json_boolean_is_taken_as_torch_takes_it(client: TestClient) -> None:
    def path(centered: bool) -> list:
        body = {"surface": "himmelblau", "steps": 20,
                "runs": [{"optimizer": "rmsprop", "lr": 0.05, "centered": centered}]}
        r = client.post("/api/trajectories", json=body)
        assert r.status_code == 200, r.text
        return r.json()["runs"][0]["params"]

    assert path(True) != path(False)  # centered RMSprop divides by the variance


def test_a_bad_set_over_the_websocket_is_an_error_frame_and_the_session_goes_on(client) -> None:
    with client.websocket_connect("/ws") as ws:
        conn = Reader(ws)
        conn.until("welcome")
        conn.send({"type": "start", "surface": "bowl", "steps": 50, "speed": 0,
                   "runs": [{"optimizer": "rmsprop", "lr": 0.01}]})
        conn.until("done")
        for bad in (0.5, "yes", None):
            conn.send({"type": "set", "run": 0, "centered": bad})
            error = conn.until("error")
            assert error["field"] == "centered" and "boolean" in error["message"]
        conn.send({"type": "set", "run": 0, "centered": True})
        assert conn.until("updated")["values"] == {"centered": True}
        conn.send({"type": "reset"})
        conn.until("reset")


def test_the_limits_welcome_advertises_are_the_limits_enforced() -> None:
    app = create_app(settings_for_tests(max_steps=100, max_runs=1, max_network_steps=50))
    with TestClient(app) as client:
        body = {"surface": "bowl", "steps": 101, "runs": [{"optimizer": "sgd"}]}
        r = client.post("/api/trajectories", json=body)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "steps"
        body = {"surface": "bowl", "steps": 100, "runs": [{"optimizer": "sgd"}] * 2}
        r = client.post("/api/trajectories", json=body)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "runs"
        r = client.post("/api/mlp/landscape", json=MOONS | {"steps": 51})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "steps"
        assert client.get("/api/mlp/options").json()["limits"]["steps"] == 50
        with client.websocket_connect("/ws") as ws:
            conn = Reader(ws)
            limits = conn.until("welcome")["limits"]
            assert (limits["max_steps"], limits["max_runs"], limits["max_network_steps"]) == (
                100, 1, 50)
            conn.send({"type": "start", "surface": "bowl", "steps": 5000,
                       "runs": [{"optimizer": "sgd"}]})
            assert conn.until("error")["field"] == "steps"
            conn.send({"type": "start", "surface": "bowl", "steps": 10,
                       "runs": [{"optimizer": "sgd"}] * 2})
            assert conn.until("error")["field"] == "runs"
            conn.send({"type": "start", "dataset": {"id": "moons", "n": 40}, "steps": 51})
            assert conn.until("error")["field"] == "steps"
            # Speeds: what the pages offer, and the welcome says so.
            assert limits["max_speed"] == 1000
            conn.send({"type": "speed", "speed": 5000})
            assert conn.until("error")["field"] == "speed"


def _landscape_run(client: TestClient, run: dict, steps: int) -> dict:
    r = client.post("/api/mlp/landscape", json=MOONS | {"steps": steps, "runs": [run]})
    assert r.status_code == 200, r.text
    return r.json()["runs"][0]


def test_a_schedule_may_take_the_lr_to_zero_as_torch_does(client: TestClient) -> None:
    run = _landscape_run(client, {"optimizer": "sgd", "lr": 0.1,
                                  "schedule": {"kind": "step", "step_size": 10, "gamma": 0}}, 30)
    assert run["lrs"] == [0.1] * 10 + [0.0] * 20  # no clamp at 1e-6
    loss = dict(zip(run["steps"], run["loss"], strict=True))
    assert loss[30] == loss[11] == loss[10]  # lr 0: nothing moves after step 10
    adam = _landscape_run(client, {"optimizer": "adam", "lr": 0.01,
                                   "schedule": {"kind": "exponential", "gamma": 0.5}}, 60)
    assert adam["lrs"][-1] == pytest.approx(0.01 * 0.5**59, rel=1e-12)


def test_set_lr_on_a_scheduled_run_is_torch_param_group_lr() -> None:
    """sgd with StepLR(50, 0.1), lr set to 0.02 from step 121: 0.02 up to step 150, then the
    scheduler goes on from it (torch: 0.002), instead of rescaling the schedule's base."""
    config = RunConfig("sgd", lr=0.1, schedule="step",
                       schedule_params={"step_size": 50, "gamma": 0.1})
    runset = RunSet([SurfaceRun(surfaces.SURFACES["bowl"], (1.0, 1.0), config)], 200)
    lrs: list[float] = []
    for n, change in ((120, {"lr": 0.02}), (80, None)):
        for event in runset.advance(n):
            if isinstance(event, Steps):
                lrs.extend(event.columns[0].lr)
        if change:
            runset.queue_set([0], change)
    assert len(lrs) == 200
    assert lrs[100:120] == pytest.approx([0.001] * 20, rel=1e-15)
    assert lrs[120:150] == [0.02] * 30  # steps 121..150
    assert lrs[150:] == pytest.approx([0.002] * 50, rel=1e-15)


def test_the_same_over_the_websocket(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        conn = Reader(ws)
        conn.until("welcome")
        conn.send({"type": "start", "surface": "bowl", "start": [1, 1], "steps": 200,
                   "speed": 100, "runs": [{"optimizer": "sgd", "lr": 0.1, "schedule": {
                       "kind": "step", "step_size": 50, "gamma": 0.1}}]})
        conn.until("started")
        conn.until("frame")
        conn.send({"type": "pause"})
        conn.until("state", state="paused")
        here = len(conn.steps(0)) - 1
        conn.send({"type": "set", "run": 0, "lr": 0.02})
        k = conn.until("updated")["from_step"]["0"]
        assert k == here + 1
        conn.send({"type": "speed", "speed": 0})
        conn.send({"type": "resume"})
        conn.until("done")
        lrs = [s["lr"] for s in conn.steps(0)[1:]]
        expected = [0.1 * 0.1 ** ((t - 1) // 50) for t in range(1, k)]
        assert lrs[: k - 1] == pytest.approx(expected, rel=1e-12)
        # From step k: 0.02, times 0.1 at each multiple of 50 the scheduler reaches from there.
        after = [0.02 * 0.1 ** ((t - 1) // 50 - (k - 1) // 50) for t in range(k, 201)]
        assert lrs[k - 1:] == pytest.approx(after, rel=1e-12)


def test_the_pca_plane_is_mean_centred_as_the_reference_computes_it() -> None:
    rng = np.random.default_rng(3)
    paths = [np.cumsum(rng.standard_normal((40, 7)) + [1, 0.5, 0, 0, 0, 0, 0], axis=0)
             for _ in range(2)]
    centre = paths[0][-1]
    plane = pca_plane(paths, centre)
    M = np.vstack(paths) - centre
    M = M - M.mean(axis=0)  # sklearn's PCA centres
    _, s, Vt = np.linalg.svd(M, full_matrices=False)
    assert plane.explained_variance == pytest.approx(tuple(s[:2] ** 2 / np.sum(s**2)))
    assert abs(plane.d1 @ Vt[0]) == pytest.approx(1.0) and abs(plane.d2 @ Vt[1]) == pytest.approx(
        1.0)
    # the documented sign convention: the first path starts on the negative side of both axes
    start = paths[0][0] - centre
    assert start @ plane.d1 <= 0 and start @ plane.d2 <= 0
    np.testing.assert_array_equal(plane.centre, centre)


def test_surface_parameters_are_checked_against_the_surface_description(client) -> None:
    described = {s["id"]: s for s in client.get("/api/surfaces").json()}
    angle = described["ravine"]["parameters"]["angle"]
    r = client.get("/api/surfaces/ravine/grid", params={"angle": 120, "n": 5})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "angle"
    assert f"{angle['max']:g}" in r.json()["message"]
    r = client.post("/api/trajectories", json={
        "surface": {"id": "ravine", "angle": 120}, "runs": [{"optimizer": "sgd"}]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "angle"


def test_a_second_parametrised_surface_needs_no_web_code(client, monkeypatch) -> None:
    """A bowl with a width parameter, registered in the core only: the API validates it from
    its description and runs it."""
    width = Hyperparameter(1.0, 0.5, 4.0, "How wide the bowl is.")

    def make(width: float = 1.0) -> surfaces.Surface:
        base = surfaces.make_ravine(condition=1.0)
        return surfaces._Quadratic(
            id="wide_bowl", name="Wide bowl", description="A bowl.", formula_latex="x^2",
            bounds=base.bounds, minima=((0.0, 0.0),), default_start=(1.0, 1.0),
            params={"width": width}, parameters={"width": width_spec},
            hxx=1 / width, hxy=0.0, hyy=1 / width)

    width_spec = width
    monkeypatch.setitem(surfaces.SURFACES, "wide_bowl", make())
    monkeypatch.setitem(surfaces._FACTORIES, "wide_bowl", make)
    ok = client.post("/api/trajectories", json={"surface": {"id": "wide_bowl", "width": 2.0},
                                                "steps": 3, "runs": [{"optimizer": "sgd",
                                                                      "lr": 0.5}]})
    assert ok.status_code == 200, ok.text
    # one step of lr 0.5 on f = (x^2 + y^2) / (2 * 2) from (1, 1): x -> 1 - 0.5 * 0.5
    assert ok.json()["runs"][0]["params"][1] == pytest.approx([0.75, 0.75])
    bad = client.get("/api/surfaces/wide_bowl/grid", params={"width": 9, "n": 5})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "width"


def test_default_sharpness_readings_yield_to_the_budget(client: TestClient) -> None:
    """A landscape that asked for no sharpness is not refused because of the default readings;
    one that asks for them explicitly over the budget is, naming the field."""
    big = {"dataset": {"id": "moons", "n": 103}, "network": {"hidden": [64] * 6}, "steps": 2500,
           "runs": [{"optimizer": "adam", "batch_size": 1}] * 8, "grid": 5,
           "directions": "random"}
    from app.api.schemas.mlp import LandscapeRequest

    assert LandscapeRequest.model_validate(big).resolved_sharpness_every is None
    r = client.post("/api/mlp/landscape", json=big | {"sharpness_every": 25})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "sharpness_every"


def test_budgets_count_memory_and_formula_size(client: TestClient) -> None:
    """The kept path points shrink for big nets (the PCA copies them too), and a long formula
    counts its length in a trajectory request's cost."""
    from app.core.landscape import MAX_PATH_BYTES, MAX_PATH_POINTS, path_points

    assert path_points(2, 354) == MAX_PATH_POINTS  # the default net keeps every point it may
    big = path_points(8, 21_122)  # the largest request the API takes
    assert big < MAX_PATH_POINTS and big * 8 * 21_122 * 8 <= MAX_PATH_BYTES
    formula = " + ".join(f"sin({k}*x)" for k in range(1, 100))[:480]
    body = {"surface": {"expr": formula.rsplit(" + ", 1)[0]}, "steps": 20_000,
            "runs": [{"optimizer": "sgd", "lr": 1e-4}] * 8}
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "steps"
    assert "formula" in r.json()["message"]
    short = client.post("/api/trajectories", json=body | {"steps": 200})
    assert short.status_code == 200, short.text
