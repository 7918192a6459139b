"""The oracle optimizers over HTTP and /ws: trials travel with the steps, a kind of run that
cannot serve an optimizer is refused naming `optimizer`, and the live run equals the one-shot."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.wsutil import Reader

BODY = {"surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 20}
WOLFE = {"optimizer": "lbfgs", "line_search_fn": "strong_wolfe", "max_eval": 25}


def test_trajectories_carry_trials_for_oracle_optimizers_only(client: TestClient) -> None:
    r = client.post("/api/trajectories", json=BODY | {"runs": [
        WOLFE, {"optimizer": "sam_adam", "lr": 0.05}, {"optimizer": "adam", "lr": 0.05},
        {"optimizer": "newton"}]})
    assert r.status_code == 200, r.text
    lbfgs, sam, adam, newton = r.json()["runs"]
    assert len(lbfgs["trials"]) == len(lbfgs["params"]) == 21
    assert lbfgs["trials"][0] == [] and all(lbfgs["trials"][1:])
    # the accepted point is one of the line search's trials
    for k in range(1, 21):
        assert any(np.allclose(t, lbfgs["params"][k], rtol=1e-12) for t in lbfgs["trials"][k])
    assert all(len(t) == 1 for t in sam["trials"][1:])
    assert "trials" not in adam
    assert newton["params"][-1] == pytest.approx([1.0, 1.0], abs=1e-9)
    assert lbfgs["losses"][-1] < 0.5 * lbfgs["losses"][0]


@pytest.mark.parametrize("runs", [[{"optimizer": "muon"}],
                                  [{"optimizer": "sgd"}, {"optimizer": "muon", "lr": 0.1}]])
def test_trajectories_refuse_muon_naming_optimizer(client: TestClient, runs: list) -> None:
    r = client.post("/api/trajectories", json=BODY | {"runs": runs})
    assert r.status_code == 422
    detail = r.json()["detail"]
    k = len(runs) - 1
    assert any(f"runs.{k}.optimizer" in ".".join(map(str, d["loc"])) or
               f"runs.{k}.optimizer" in d["msg"] for d in detail), detail
    assert "network" in str(detail)


def test_landscape_trains_with_muon_and_refuses_newton(client: TestClient) -> None:
    body = {"dataset": {"id": "moons", "n": 40, "seed": 0},
            "network": {"hidden": [5], "activation": "tanh"}, "seed": 0, "steps": 30,
            "grid": 5, "directions": "random"}
    ok = client.post("/api/mlp/landscape", json=body | {"runs": [
        {"optimizer": "muon", "lr": 0.02}, {"optimizer": "sam_sgd", "lr": 0.1},
        {"optimizer": "lbfgs", "line_search_fn": "strong_wolfe", "max_eval": 10}]})
    assert ok.status_code == 200, ok.text
    for run in ok.json()["runs"]:
        assert run["status"] == "done" and run["loss"][-1] < run["loss"][0], run["optimizer"]
    bad = client.post("/api/mlp/landscape", json=body | {"runs": [{"optimizer": "newton"}]})
    assert bad.status_code == 422 and "optimizer" in bad.text and "surface" in bad.text


def test_live_lbfgs_sends_trials_and_equals_the_one_shot(client: TestClient,
                                                         conn: Reader) -> None:
    conn.send({"type": "start", **BODY, "speed": 0, "runs": [WOLFE]})
    conn.until("done")
    steps = conn.steps(0)
    one_shot = client.post("/api/trajectories", json=BODY | {"runs": [WOLFE]}).json()["runs"][0]
    assert [s["params"] for s in steps] == one_shot["params"]
    assert [s["trials"] for s in steps] == one_shot["trials"]
    frame = [m for m in conn.messages if m["type"] == "frame"][-1]
    assert "func_evals" in frame["runs"][0]["state"]


@pytest.mark.parametrize(("start", "oid"), [
    ({"type": "start", **BODY, "speed": 0}, "muon"),
    ({"type": "start", "dataset": {"id": "moons", "n": 40, "seed": 1},
      "network": {"hidden": [4], "activation": "tanh"}, "steps": 5, "speed": 0}, "newton"),
])
def test_live_start_refuses_naming_optimizer(conn: Reader, start: dict, oid: str) -> None:
    conn.send(start | {"runs": [{"optimizer": "adam"}, {"optimizer": oid}]})
    error = conn.next()
    while error["type"] != "error":
        error = conn.next()
    assert error["code"] == "invalid" and error["field"] == "runs.1.optimizer", error
    assert oid in error["message"]


def test_the_lists_say_which_runs_serve_each_optimizer(client: TestClient) -> None:
    listed = {o["id"]: o for o in client.get("/api/optimizers").json()}
    assert listed["muon"]["run_kinds"] == ["network"] and not listed["muon"]["trials"]
    assert listed["newton"]["run_kinds"] == ["surface"]
    assert listed["lbfgs"]["run_kinds"] == ["surface", "network"] and listed["lbfgs"]["trials"]
    assert not listed["adam"]["trials"]
    search = listed["lbfgs"]["hyperparameters"]["line_search_fn"]
    assert search["kind"] == "choice" and search["choices"] == ["strong_wolfe"]
    assert search["default"] is None and search["nullable"]
    network_options = client.get("/api/mlp/options").json()["optimizers"]
    assert "muon" in network_options and "lbfgs" in network_options
    assert "newton" not in network_options and "damped_newton" not in network_options


def test_live_set_of_a_choice(conn: Reader) -> None:
    """line_search_fn is set mid-run like any hyperparameter: trials grow from that step."""
    conn.send({"type": "start", **BODY, "steps": 10, "speed": 1,
               "runs": [{"optimizer": "lbfgs", "max_eval": 25}]})
    conn.until("started")
    conn.send({"type": "pause"})
    conn.until("state", state="paused")
    conn.send({"type": "set", "run": 0, "line_search_fn": "armijo"})
    assert conn.until("error")["field"] == "line_search_fn"
    conn.send({"type": "set", "run": 0, "line_search_fn": "strong_wolfe"})
    k = conn.until("updated")["from_step"]["0"]
    conn.send({"type": "step", "n": 10})  # to the end of the budget, at once
    conn.until("done")
    steps = conn.steps(0)
    assert k < 10 and all(s["trials"] == [] for s in steps if s["step"] < k)
    assert all(s["trials"] for s in steps if s["step"] >= k)


def test_live_network_runs_of_oracle_optimizers(client: TestClient, conn: Reader) -> None:
    """Muon, SAM and L-BFGS train live as in the landscape's one-shot training."""
    runs = [{"optimizer": "muon", "lr": 0.02}, {"optimizer": "sam_adam", "lr": 0.01},
            {"optimizer": "lbfgs", "line_search_fn": "strong_wolfe", "max_eval": 10}]
    body = {"dataset": {"id": "moons", "n": 40, "seed": 0},
            "network": {"hidden": [5], "activation": "tanh"}, "seed": 0, "steps": 20}
    conn.send({"type": "start", **body, "speed": 0, "columns": True, "runs": runs})
    done = conn.until("done")
    assert [r["status"] for r in done["runs"]] == ["done"] * 3
    one_shot = client.post("/api/mlp/landscape", json=body | {"runs": runs, "grid": 5,
                                                               "directions": "random"}).json()
    for i, run in enumerate(one_shot["runs"]):
        live = [s["loss"] for s in conn.steps(i)]
        assert live == pytest.approx(run["loss"], rel=1e-12)
