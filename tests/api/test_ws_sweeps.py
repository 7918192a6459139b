"""Sweeps over /ws: progress per training, the rows at the end, cancelling, refusals."""

from __future__ import annotations

import pytest

from tests.api.wsutil import Reader

BASE = {"dataset": {"id": "moons", "n": 80, "seed": 1}, "test_fraction": 0.25, "hidden": [4],
        "steps": 20}


@pytest.fixture()
def conn(client):
    with client.websocket_connect("/ws") as ws:
        reader = Reader(ws)
        assert "sweep" in reader.next()["messages"]
        yield reader


def test_a_sweep_reports_each_training_and_the_rows(conn: Reader) -> None:
    conn.send({"type": "sweep", "base": BASE, "setting": "width", "values": [2, 4, 8],
               "repeats": 2})
    started = conn.until("sweep_started")
    assert started["total"] == 6 and started["values"] == [2, 4, 8]
    done = conn.until("sweep_done")
    progress = [m for m in conn.messages if m["type"] == "sweep_progress"]
    assert sorted(m["done"] for m in progress) == [1, 2, 3, 4, 5, 6]
    assert {(m["value"], m["repeat"]) for m in progress} == {(v, r) for v in (2, 4, 8)
                                                             for r in (0, 1)}
    assert not done["cancelled"] and [r["value"] for r in done["rows"]] == [2, 4, 8]
    assert all(r["n_train"] == 60 and 0 <= r["test_error"] <= 1 for r in done["rows"])
    assert done["rows"][0]["n_params"] < done["rows"][2]["n_params"]


def test_a_sweep_can_be_cancelled(conn: Reader) -> None:
    conn.send({"type": "sweep", "base": BASE | {"steps": 3000}, "setting": "lr",
               "values": [0.001 * (k + 1) for k in range(12)]})
    conn.until("sweep_started")
    conn.send({"type": "sweep_cancel"})
    done = conn.until("sweep_done")
    assert done["cancelled"] and any(r is None for r in done["rows"])


@pytest.mark.parametrize(("change", "field"), [
    ({"setting": "colour"}, "setting"),
    ({"values": [0.5]}, "values"),  # a width of 0.5
    ({"base": BASE | {"fit": "min_norm"}, "setting": "lr", "values": [0.1]}, "setting"),
    ({"values": list(range(1, 25)), "repeats": 5}, "values"),
    ({"base": BASE | {"steps": 10**6}}, "steps"),
])
def test_a_bad_sweep_is_refused_naming_the_field(conn: Reader, change, field) -> None:
    conn.send({"type": "sweep", "base": BASE, "setting": "width", "values": [2]} | change)
    error = conn.until("error")
    assert error["code"] == "invalid" and field in (error["field"] or "") + error["message"]


def test_cancel_without_a_sweep(conn: Reader) -> None:
    conn.send({"type": "sweep_cancel"})
    assert conn.until("error")["code"] == "no_run"


def test_n_train_beyond_the_training_split_is_refused(conn: Reader) -> None:
    conn.send({"type": "sweep", "base": BASE | {"n_train": 61}, "values": [2]})
    assert "60" in conn.until("error")["message"]


def test_one_sweep_per_server(client, conn: Reader) -> None:
    conn.send({"type": "sweep", "base": BASE | {"steps": 3000}, "setting": "lr",
               "values": [0.001 * (k + 1) for k in range(12)]})
    conn.until("sweep_started")
    with client.websocket_connect("/ws") as other:
        second = Reader(other)
        second.next()
        second.send({"type": "sweep", "base": BASE, "values": [2]})
        assert second.until("error")["code"] == "busy"
    conn.send({"type": "sweep_cancel"})
    assert conn.until("sweep_done")["cancelled"]
