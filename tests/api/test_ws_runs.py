"""Runs added to and removed from a running /ws session: the others keep their steps, a new run
is caught up to them at once (its whole path in `added`) and then steps with them; a bad run or
one too many is refused with an error frame on a connection that stays usable."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.api.wsutil import Reader, step_rows
from tests.conftest import settings_for_tests

NETWORK = {"type": "start", "dataset": {"id": "moons", "n": 60, "seed": 1},
           "network": {"hidden": [6], "activation": "tanh"}, "seed": 3, "steps": 3000,
           "speed": 150, "columns": True,
           "runs": [{"optimizer": "sgd", "lr": 0.3}, {"optimizer": "adam", "lr": 0.02}]}
SURFACE = {"type": "start", "surface": "bowl", "start": [-2.5, 2.0], "steps": 20_000,
           "speed": 300, "columns": True,
           "runs": [{"optimizer": "sgd", "lr": 0.05}, {"optimizer": "adam", "lr": 0.05}]}


def path_of(added: dict) -> list[dict]:
    s = added["path"]["steps"]
    return step_rows(s) if isinstance(s, dict) else s


def wait_for_step(conn: Reader, run: int, k: int) -> None:
    while not conn.steps(run) or conn.steps(run)[-1]["step"] < k:
        conn.next()


@pytest.mark.parametrize("start, key", [(NETWORK, "loss"), (SURFACE, "params")])
def test_a_run_added_mid_way_is_caught_up_and_the_others_keep_their_steps(
        conn: Reader, start: dict, key: str) -> None:
    conn.send(start)
    conn.until("started")
    wait_for_step(conn, 0, 20)
    # The same settings as run 0: the same start, the same seed, so the same path.
    conn.send({"type": "add_run", "run": start["runs"][0] | {"color": "#123456"}})
    added = conn.until("added")
    assert added["run"]["id"] == 2 and added["run"]["optimizer"] == start["runs"][0]["optimizer"]
    assert added["run"]["color"] == "#123456"
    caught_up = path_of(added)
    k = caught_up[-1]["step"]
    assert k >= 20 and [s["step"] for s in caught_up] == list(range(k + 1))
    if start is NETWORK:  # the latest weights only: thousands of them would be megabytes
        weights = added["path"]["steps"]["weights"]
        assert sum(w is not None for w in weights) == 1 and weights[-1] is not None
    wait_for_step(conn, 2, k + 10)  # then it steps with the others
    conn.send({"type": "pause"})
    conn.until("state", state="paused")
    assert not [m for m in conn.messages if m["type"] in ("started", "reset")][1:]
    old = conn.steps(0)
    assert [s["step"] for s in old] == list(range(len(old)))  # no restart: one unbroken path
    new = caught_up + conn.steps(2)
    assert [s["step"] for s in new] == list(range(len(new)))
    assert len(old) - 1 >= new[-1]["step"] - 1  # in lockstep, give or take a frame
    n = min(len(old), len(new))
    assert [s[key] for s in new[:n]] == [s[key] for s in old[:n]]
    conn.send({"type": "stop"})
    assert [r["id"] for r in conn.until("done")["runs"]] == [0, 1, 2]


@pytest.mark.parametrize(
    "start, run, field",
    [
        (NETWORK, {"optimizer": "adam", "lr": -1}, "run.lr"),
        (NETWORK, {"optimizer": "nope"}, "run.optimizer"),
        (NETWORK, {"optimizer": "sgd", "noise": 0.5}, "run.noise"),
        (NETWORK, {"optimizer": "newton"}, "run.optimizer"),
        (NETWORK, {"optimizer": "sgd", "bogus": 1}, "run.bogus"),
        (SURFACE, {"optimizer": "sgd", "batch_size": 8}, "run.batch_size"),
        (SURFACE, {"optimizer": "muon"}, "run.optimizer"),
        (SURFACE, {"optimizer": "sgd", "schedule": {"kind": "step", "gamma": -2}},
         "run.schedule.gamma"),
    ],
)
def test_a_bad_run_is_refused_and_the_others_go_on(conn: Reader, start: dict, run: dict,
                                                   field: str) -> None:
    conn.send(start)
    conn.until("started")
    wait_for_step(conn, 0, 3)
    conn.send({"type": "add_run", "run": run})
    error = conn.until("error")
    assert error["code"] == "invalid" and error["field"] == field, error
    seen = conn.steps(0)[-1]["step"]
    wait_for_step(conn, 0, seen + 5)  # the runs went on
    conn.send({"type": "add_run", "run": {"optimizer": "sgd", "lr": 0.01}})  # still usable
    assert conn.until("added")["run"]["id"] == 2
    conn.send({"type": "stop"})
    conn.until("done")


def test_no_more_runs_than_the_server_allows() -> None:
    with TestClient(create_app(settings_for_tests(max_runs=3))) as client, \
            client.websocket_connect("/ws") as ws:
        conn = Reader(ws)
        assert conn.next()["limits"]["max_runs"] == 3
        conn.send(SURFACE)
        conn.until("started")
        conn.send({"type": "add_run", "run": {"optimizer": "rmsprop", "lr": 0.01}})
        conn.until("added")
        conn.send({"type": "add_run", "run": {"optimizer": "sgd"}})
        error = conn.until("error")
        assert error["field"] == "run" and "at most 3" in error["message"], error
        conn.send({"type": "remove_run", "run": 1})  # room again
        conn.until("removed", run=1)
        conn.send({"type": "add_run", "run": {"optimizer": "sgd"}})
        assert conn.until("added")["run"]["id"] == 2
        conn.send({"type": "stop"})
        assert len(conn.until("done")["runs"]) == 3


@pytest.mark.parametrize("start", [SURFACE, NETWORK], ids=["surface", "network"])
def test_a_removed_run_leaves_and_the_later_ids_move_down(conn: Reader, start: dict) -> None:
    conn.send(start)
    conn.until("started")
    wait_for_step(conn, 1, 10)
    conn.send({"type": "remove_run", "run": 0})
    conn.until("removed", run=0)
    adam = conn.steps(1)  # run 1's steps under its old id
    conn.messages.clear()
    wait_for_step(conn, 0, adam[-1]["step"] + 5)
    frames = [m for m in conn.messages if m["type"] == "frame"]
    assert all([r["id"] for r in f["runs"]] == [0] for f in frames)
    assert conn.steps(0)[0]["step"] == adam[-1]["step"] + 1  # adam went on, now as run 0
    conn.send({"type": "remove_run", "run": 0})
    error = conn.until("error")
    assert error["field"] == "run" and "last run" in error["message"]
    conn.send({"type": "remove_run", "run": 5})
    error = conn.until("error")
    assert error["field"] == "run" and "no run 5" in error["message"]
    conn.send({"type": "stop"})
    assert len(conn.until("done")["runs"]) == 1


def test_a_run_added_after_the_end_trains_to_the_end(conn: Reader) -> None:
    conn.send(SURFACE | {"steps": 30, "speed": 0})
    conn.until("done")
    conn.send({"type": "add_run", "run": {"optimizer": "rmsprop", "lr": 0.01}})
    added = conn.until("added")
    assert [s["step"] for s in path_of(added)] == list(range(31))
    done = conn.until("done")
    assert [(r["id"], r["status"], r["steps"]) for r in done["runs"]][-1] == (2, "done", 30)


def test_a_run_added_while_paused_shows_at_once_and_steps_on_play(conn: Reader) -> None:
    conn.send(NETWORK)
    conn.until("started")
    conn.send({"type": "pause"})
    paused = conn.until("state", state="paused")["step"]
    conn.send({"type": "add_run", "run": {"optimizer": "rmsprop", "lr": 0.01, "batch_size": 16}})
    added = conn.until("added")
    assert path_of(added)[-1]["step"] >= paused
    assert added["run"]["batch_size"] == 16
    conn.send({"type": "step", "n": 3})
    conn.until("state", state="paused")
    assert conn.steps(2)[-1]["step"] == path_of(added)[-1]["step"] + 3
    conn.send({"type": "reset"})
    reset = conn.until("reset")
    assert [r["id"] for r in reset["runs"]] == [0, 1, 2]


def test_a_set_right_after_an_add_or_a_remove_uses_the_new_ids(conn: Reader) -> None:
    conn.send(SURFACE)
    conn.until("started")
    conn.send({"type": "add_run", "run": {"optimizer": "sgd", "lr": 0.01}})
    conn.send({"type": "set", "run": 2, "lr": 0.02})  # before or after the boundary: run 2
    assert conn.until("updated")["runs"] == [2]
    conn.send({"type": "remove_run", "run": 0})
    conn.send({"type": "set", "run": "all", "lr": 0.03})
    assert conn.until("updated")["runs"] == [0, 1]
    conn.send({"type": "pause"})
    conn.until("state", state="paused")
    assert [m["type"] for m in conn.messages if m["type"] in ("added", "removed")] == [
        "added", "removed"]
    conn.send({"type": "stop"})
    done = conn.until("done")
    assert [r["id"] for r in done["runs"]] == [0, 1]


def test_an_add_then_a_removal_while_paused_name_the_right_runs(conn: Reader) -> None:
    conn.send(SURFACE)
    conn.until("started")
    conn.send({"type": "pause"})
    conn.until("state", state="paused")
    conn.send({"type": "add_run", "run": {"optimizer": "rmsprop", "lr": 0.01}})
    conn.send({"type": "remove_run", "run": 0})
    added = conn.until("added")
    assert added["run"]["id"] == 2 and added["run"]["optimizer"] == "rmsprop"
    assert added["path"]["id"] == 2 and added["path"]["lr"] == 0.01
    assert conn.until("removed")["run"] == 0
    conn.send({"type": "reset"})
    reset = conn.until("reset")
    assert [r["lr"] for r in reset["runs"]] == [0.05, 0.01]  # adam, then rmsprop


def test_add_and_remove_need_a_session(conn: Reader) -> None:
    for message in ({"type": "add_run", "run": {"optimizer": "sgd"}},
                    {"type": "remove_run", "run": 0}):
        conn.send(message)
        error = conn.next()
        assert error["type"] == "error" and error["code"] == "no_run", error
