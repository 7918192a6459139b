"""The run engine's contract: every optimizer x every schedule, over every way in.

`POST /api/trajectories` (surfaces) and the landscape endpoint's training (networks) equal the
torch.optim runs of tests/golden/runs.json (made by make_run_vectors.py); a live `/ws` run with
a `set` of lr and of another hyperparameter mid-run equals torch with the same change applied to
its param group before that step.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.wsutil import Reader

GOLDEN = json.loads((Path(__file__).resolve().parents[1] / "golden" / "runs.json").read_text())
STEPS = GOLDEN["steps"]
CASES = [(opt, kind) for opt in GOLDEN["surface"] for kind in GOLDEN["schedules"]]
NET = GOLDEN["network"]
RTOL = 1e-9  # forty steps of float64 arithmetic in two different orders


def run_body(opt: str, kind: str, lr: float | None = None) -> dict:
    body = {"optimizer": opt, "schedule": {"kind": kind, **GOLDEN["schedules"][kind]}}
    return body | ({"lr": lr} if lr is not None else {})


def surface_run(opt: str, kind: str) -> dict:
    return run_body(opt, kind, GOLDEN["surface_lr"].get(opt))


def network_start(opt: str, kind: str) -> dict:
    return {"dataset": {"id": "moons", "n": NET["n"], "seed": NET["seed"]},
            "network": {"hidden": NET["sizes"][1:-1], "activation": NET["activation"]},
            "seed": NET["seed"], "steps": STEPS, "runs": [run_body(opt, kind)]}


@pytest.mark.parametrize(("opt", "kind"), CASES)
def test_trajectories_equal_torch(client: TestClient, opt: str, kind: str) -> None:
    gold = GOLDEN["surface"][opt][kind]
    r = client.post("/api/trajectories", json={"surface": "rosenbrock", "start": GOLDEN["start"],
                                               "steps": STEPS, "runs": [surface_run(opt, kind)]})
    assert r.status_code == 200, r.text
    run = r.json()["runs"][0]
    np.testing.assert_allclose(run["params"][1:], gold["points"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(run["lrs"], gold["lrs"], rtol=1e-12)


@pytest.mark.parametrize(("opt", "kind"), CASES)
def test_landscape_training_equals_torch(client: TestClient, opt: str, kind: str) -> None:
    gold = GOLDEN["network_runs"][opt][kind]
    body = network_start(opt, kind) | {"grid": 5, "directions": "random"}
    r = client.post("/api/mlp/landscape", json=body)
    assert r.status_code == 200, r.text
    run = r.json()["runs"][0]
    assert run["steps"] == list(range(STEPS + 1))
    np.testing.assert_allclose(run["loss"][1:], gold["losses"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(run["lrs"], gold["lrs"], rtol=1e-12)


def live_changed(conn: Reader, start: dict, change: dict) -> list[dict]:
    """Run `start` by `step` commands, setting lr (halved) before step lr_at and the other
    hyperparameter before step hyper_at, as the golden run did; returns run 0's steps."""
    conn.send(start | {"type": "start", "speed": 1e-3, "columns": True})
    conn.until("started")
    done_steps = 0
    for at, values in ((change["lr_at"], None), (change["hyper_at"],
                                                   {change["name"]: change["value"]})):
        conn.send({"type": "step", "n": at - 1 - done_steps})
        conn.until("state", state="paused")
        done_steps = at - 1
        if values is None:  # the lr the next step would use, halved (torch: group["lr"] *= 0.5)
            last = [m for m in conn.messages if m["type"] == "frame"][-1]["runs"][0]
            values = {"lr": 0.5 * last["lr"]}
        conn.send({"type": "set", "run": 0, **values})
        assert conn.until("updated")["from_step"] == {"0": at}
    conn.send({"type": "step", "n": STEPS - done_steps})
    conn.until("done")
    return conn.steps(0)


def test_live_runs_with_sets_equal_torch(client: TestClient) -> None:
    """All cases through one connection (a page restarts its runs the same way)."""
    with client.websocket_connect("/ws") as ws:
        conn = Reader(ws)
        conn.until("welcome")
        for opt, kind in CASES:
            gold = GOLDEN["surface"][opt][f"{kind}-changed"]
            start = {"surface": "rosenbrock", "start": GOLDEN["start"], "steps": STEPS,
                     "runs": [surface_run(opt, kind)]}
            steps = live_changed(conn, start, gold["change"])
            assert [s["step"] for s in steps] == list(range(STEPS + 1)), (opt, kind)
            np.testing.assert_allclose([s["params"] for s in steps[1:]], gold["points"],
                                       rtol=RTOL, atol=1e-12, err_msg=f"{opt} {kind}")
            np.testing.assert_allclose([s["lr"] for s in steps[1:]], gold["lrs"], rtol=1e-12,
                                       err_msg=f"{opt} {kind}")
            conn.messages.clear()


@pytest.mark.parametrize("kind", list(GOLDEN["schedules"]))
def test_live_network_runs_with_sets_equal_torch(client: TestClient, kind: str) -> None:
    with client.websocket_connect("/ws") as ws:
        conn = Reader(ws)
        conn.until("welcome")
        for opt in GOLDEN["network_runs"]:
            gold = GOLDEN["network_runs"][opt][f"{kind}-changed"]
            steps = live_changed(conn, network_start(opt, kind), gold["change"])
            np.testing.assert_allclose([s["loss"] for s in steps[1:]], gold["losses"],
                                       rtol=RTOL, atol=1e-12, err_msg=f"{opt} {kind}")
            np.testing.assert_allclose([s["lr"] for s in steps[1:]], gold["lrs"], rtol=1e-12,
                                       err_msg=f"{opt} {kind}")
            conn.messages.clear()
