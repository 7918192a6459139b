"""The /ws protocol through Starlette's TestClient: commands, live changes, errors, divergence."""

from __future__ import annotations

import pytest

from app.core.optimizers import make_optimizer
from app.core.runs import RunConfig, SurfaceRun
from app.core.surfaces import SURFACES
from tests.api.wsutil import Reader

START = {
    "type": "start",
    "surface": "rosenbrock",
    "start": [-1.5, 2.0],
    "steps": 300,
    "speed": 0,
    "runs": [{"optimizer": "sgd", "lr": 1e-3}, {"optimizer": "adam", "lr": 0.05}],
}


@pytest.fixture()
def conn(client):
    with client.websocket_connect("/ws") as ws:
        reader = Reader(ws)
        welcome = reader.next()
        assert welcome["type"] == "welcome" and welcome["protocol"] == 2
        yield reader


def test_a_run_streams_every_step_then_done(conn: Reader) -> None:
    conn.send(START)
    started = conn.until("started")
    assert [r["optimizer"] for r in started["runs"]] == ["sgd", "adam"]
    assert started["runs"][1]["hyperparameters"]["beta2"] == 0.999  # defaults filled in
    done = conn.until("done")
    assert [r["status"] for r in done["runs"]] == ["done", "done"]
    for run in (0, 1):
        steps = conn.steps(run)
        assert [s["step"] for s in steps] == list(range(301))
    # Frames coalesce: far fewer messages than steps.
    assert sum(m["type"] == "frame" for m in conn.messages) < 100


def test_the_stream_equals_the_http_trajectory(conn: Reader, client) -> None:
    conn.send(START)
    conn.until("done")
    body = {k: v for k, v in START.items() if k not in ("type", "speed")}
    http = client.post("/api/trajectories", json=body).json()
    for run in (0, 1):
        assert [s["params"] for s in conn.steps(run)] == http["runs"][run]["params"]


def test_pause_step_resume(conn: Reader) -> None:
    conn.send(START | {"speed": 200, "steps": 5000})
    conn.until("frame")
    conn.send({"type": "pause"})
    conn.until("state", state="paused")
    before = len(conn.steps(0))
    conn.send({"type": "step", "n": 7})
    conn.until("state", state="running")
    paused = conn.until("state", state="paused")
    assert len(conn.steps(0)) == before + 7
    assert paused["step"] == conn.steps(0)[-1]["step"]
    conn.send({"type": "resume"})
    conn.until("state", state="running")
    conn.until("frame")
    conn.send({"type": "stop"})
    done = conn.until("done")
    assert {r["status"] for r in done["runs"]} == {"stopped"}


def test_set_lr_mid_run_matches_the_core(conn: Reader) -> None:
    momentum = [{"optimizer": "momentum", "lr": 1e-4}]
    conn.send(START | {"speed": 1000, "steps": 400, "runs": momentum})
    conn.until("started")
    while len(conn.steps(0)) < 20:
        conn.until("frame")
    conn.send({"type": "set", "run": 0, "lr": 5e-4})
    updated = conn.until("updated")
    k = updated["from_step"]["0"]
    assert 1 < k < 400  # the change landed mid-run
    conn.until("done")
    steps = conn.steps(0)
    assert all(s["lr"] == 1e-4 for s in steps[1:k])
    assert all(s["lr"] == 5e-4 for s in steps[k:])
    # The same change applied to the core at the same step gives the same path.
    run = SurfaceRun(SURFACES["rosenbrock"], (-1.5, 2.0), RunConfig("momentum", lr=1e-4))
    expected = [run.current.params]
    for step in range(1, 401):
        if step == k:
            run.set("lr", 5e-4)
        run.advance(1, None)
        expected.append(run.current.params)
    assert [tuple(s["params"]) for s in steps] == expected


def test_set_while_paused_applies_to_the_next_step(conn: Reader) -> None:
    conn.send(START | {"speed": 50, "steps": 1000, "runs": [{"optimizer": "sgd", "lr": 1e-3}]})
    conn.until("frame")
    conn.send({"type": "pause"})
    conn.until("state", state="paused")
    conn.send({"type": "set", "run": "all", "lr": 2e-3, "weight_decay": 0.5})
    conn.until("updated")
    last = conn.steps(0)[-1]
    conn.send({"type": "step", "n": 1})
    conn.until("state", state="paused")
    nxt = conn.steps(0)[-1]
    assert nxt["step"] == last["step"] + 1 and nxt["lr"] == 2e-3
    opt = make_optimizer("sgd", lr=2e-3, weight_decay=0.5)
    expected = opt.step(tuple(last["params"]), tuple(last["grad"]))
    assert nxt["params"] == pytest.approx(list(expected), rel=1e-12)


def test_a_diverging_run_is_reported_and_the_other_goes_on(conn: Reader) -> None:
    conn.send(START | {"runs": [{"optimizer": "sgd", "lr": 5.0}, {"optimizer": "adam",
                                                                  "lr": 0.01}]})
    diverged = conn.until("diverged")
    assert diverged["run"] == 0 and "learning rate" in diverged["reason"]
    done = conn.until("done")
    assert [r["status"] for r in done["runs"]] == ["diverged", "done"]
    assert conn.steps(0)[-1]["step"] == diverged["step"]
    assert len(conn.steps(1)) == 301


def test_reset_replays_from_the_start(conn: Reader) -> None:
    conn.send(START | {"steps": 50})
    conn.until("done")
    first = conn.steps(1)
    conn.messages.clear()
    conn.send({"type": "reset"})
    reset = conn.until("reset")
    assert reset["runs"][1]["steps"][0]["step"] == 0
    conn.until("state", state="paused")
    conn.send({"type": "resume"})
    conn.until("done")
    assert conn.steps(1) == first[1:]


@pytest.mark.parametrize(
    "message, code, field",
    [
        ("{not json", "bad_json", None),
        ('{"type": "start", "steps": NaN}', "bad_json", None),
        ("[1, 2]", "bad_message", "type"),
        ({"type": "launch"}, "unknown_type", "type"),
        ({"type": "pause"}, "no_run", None),
        (START | {"steps": -1}, "invalid", "steps"),
        (START | {"speed": "fast"}, "invalid", "speed"),
        (START | {"runs": [{"optimizer": "adam", "lr": "NaN"}]}, "invalid", "runs.0.lr"),
        (START | {"runs": [{"optimizer": "adam", "beta1": 2}]}, "invalid", "runs.0.beta1"),
        (START | {"surface": {"expr": "x.__class__"}}, "invalid", "surface.expr"),
        ({"type": "step", "n": 0}, "invalid", "n"),
        ({"type": "speed"}, "invalid", "speed"),
        ("x" * 300_000, "too_large", None),
    ],
)
def test_bad_messages_get_an_error_frame_and_the_connection_stays_usable(
    conn: Reader, message, code: str, field: str | None
) -> None:
    conn.send(message)
    error = conn.until("error")
    assert error["code"] == code
    assert error["message"]
    if field is not None:
        assert error["field"] == field, error
    conn.send(START | {"steps": 3})
    assert conn.until("done")["runs"][0]["status"] == "done"


def test_bad_set_messages(conn: Reader) -> None:
    conn.send(START | {"speed": 10, "steps": 1000})
    conn.until("started")
    for bad, field in [
        ({"type": "set", "run": 9, "lr": 0.1}, "run"),
        ({"type": "set", "run": 0, "lr": -1}, "lr"),
        ({"type": "set", "run": 0, "beta1": 0.9}, "beta1"),  # sgd has no beta1
        ({"type": "set", "run": 0, "lr": "Infinity"}, "lr"),
    ]:
        conn.send(bad)
        assert conn.until("error")["field"] == field
    conn.send({"type": "stop"})
    conn.until("done")


def test_step_after_done_says_so(conn: Reader) -> None:
    conn.send(START | {"steps": 2})
    conn.until("done")
    conn.send({"type": "step"})
    assert conn.until("error")["code"] == "finished"


def test_too_many_sessions_are_told_why(client) -> None:
    client.app.state.sessions = client.app.state.settings.max_sessions
    with client.websocket_connect("/ws") as ws:
        reader = Reader(ws)
        m = reader.next()
        assert m["type"] == "error" and m["code"] == "too_many_sessions"


def test_merged_frames_keep_one_entry_per_step_in_every_column() -> None:
    """Coalescing two frames of a network run where only the second carries weights: the weights
    column is padded with nulls for the first frame's steps, and the latest run fields win."""
    from app.api.live.outbox import merge_frames

    first = {"type": "frame", "t": 1.0, "runs": [
        {"id": 0, "status": "running", "lr": 0.1, "steps": {"step": [1, 2], "loss": [3.0, 2.0]}}]}
    second = {"type": "frame", "t": 2.0, "runs": [
        {"id": 0, "status": "diverged", "lr": 0.2,
         "steps": {"step": [3], "loss": [None], "weights": [[{"W": [[1.0]], "b": [0.0]}]]}},
        {"id": 1, "status": "running", "lr": 0.3, "steps": {"step": [3], "loss": [1.0]}}]}
    merge_frames(first, second)
    assert first["t"] == 1.0  # the oldest step's time: lag is never under-reported
    run0, run1 = first["runs"]
    assert run0["steps"] == {"step": [1, 2, 3], "loss": [3.0, 2.0, None],
                             "weights": [None, None, [{"W": [[1.0]], "b": [0.0]}]]}
    assert (run0["status"], run0["lr"]) == ("diverged", 0.2)
    assert run1["steps"] == {"step": [3], "loss": [1.0]}


def test_a_cancelled_wait_is_not_swallowed_when_its_event_fires_at_the_same_moment() -> None:
    """Python 3.11's asyncio.wait_for returns normally when a cancellation and the awaited
    event land together; the session's waits must end in CancelledError, or a cancelled
    producer keeps running and the command that cancelled it waits forever."""
    import asyncio

    from app.api.live.session import Session

    async def race() -> str:
        session = Session.__new__(Session)  # only the event the wait uses
        session.wake = asyncio.Event()
        task = asyncio.create_task(session._sleep_or_wake(10.0))
        await asyncio.sleep(0)  # the task now waits on the event
        session.wake.set()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        return "swallowed"

    assert asyncio.run(race()) == "cancelled"


def test_start_again_and_again_while_running_always_gets_started(conn: Reader) -> None:
    """A page restarts its runs on every settings change, often mid-run: each `start` must
    stop the running producer and answer, at any speed."""
    for i in range(40):
        conn.send(START | {"speed": [20, 0, 500][i % 3], "steps": 2000})
        started = conn.until("started")
        assert len(started["runs"]) == 2
        conn.until("frame")
    conn.send({"type": "stop"})
    assert [r["status"] for r in conn.until("done")["runs"]] == ["stopped", "stopped"]


def test_columns_carry_the_same_steps_as_rows(client) -> None:
    """`columns: true` (what the pages ask for) changes the layout of a frame's steps, not what
    they say: one list per field, one entry per step, equal to the default rows."""
    sessions = {}
    for columns in (False, True):
        with client.websocket_connect("/ws") as ws:
            reader = Reader(ws)
            reader.next()
            reader.send(START | {"columns": columns})
            assert reader.until("started")["config"]["columns"] is columns
            reader.until("done")
            frames = [r["steps"] for m in reader.messages if m["type"] == "frame"
                      for r in m["runs"]]
            assert all(isinstance(s, dict if columns else list) for s in frames)
            if columns:
                for cols in frames:
                    assert set(cols) == {"step", "params", "grad", "loss", "lr"}
                    assert len({len(c) for c in cols.values()}) == 1
            sessions[columns] = [reader.steps(0), reader.steps(1)]
    assert sessions[True] == sessions[False]
    assert len(sessions[True][1]) == 301


NETWORK_START = {"type": "start", "dataset": {"id": "moons", "n": 60, "seed": 1},
                 "network": {"hidden": [4]}, "steps": 50,
                 "runs": [{"optimizer": "sgd", "lr": 0.5}, {"optimizer": "adam", "lr": 0.02}]}


@pytest.mark.parametrize("start", [START, NETWORK_START], ids=["surface", "network"])
def test_a_start_asked_paused_holds_the_runs_at_step_0(conn: Reader, start: dict) -> None:
    """A page's first visit waits for Play: the runs never run, and step 0 is on screen."""
    conn.send(start | {"speed": 0, "paused": True})
    conn.until("started")
    first = conn.until("frame")
    assert [[s["step"] for s in r["steps"]] for r in first["runs"]] == [[0], [0]]
    state = conn.until("state")
    assert state["state"] == "paused" and state["step"] == 0
    conn.send({"type": "step", "n": 3})
    conn.until("state", state="paused")
    assert [s["step"] for s in conn.steps(0)] == [0, 1, 2, 3]
    assert [m["state"] for m in conn.messages if m["type"] == "state"] == ["paused", "running",
                                                                          "paused"]


@pytest.mark.parametrize("paused", [True, False])
def test_new_runs_announce_their_state_even_when_it_is_the_old_runs(conn: Reader,
                                                                    paused: bool) -> None:
    """A start is followed by its `state`, whatever the runs before it were doing: a page that
    asked for paused runs twice heard nothing the second time, and showed them as playing."""
    conn.send(START | {"speed": 1, "paused": paused})
    conn.until("state", state="paused" if paused else "running")
    conn.send(START | {"speed": 1, "paused": paused, "steps": 7})
    started = conn.until("started")
    assert started["config"]["steps"] == 7
    conn.send({"type": "step", "n": 1})  # a state change comes after it either way
    state = conn.until("state")  # the first one after `started`
    assert state["state"] == ("paused" if paused else "running") and state["step"] == 0


def test_paused_must_be_a_boolean(conn: Reader) -> None:
    conn.send(START | {"paused": "later"})
    error = conn.until("error")
    assert error["field"] == "paused"
    conn.send(START | {"paused": False, "steps": 5})  # the connection is still usable
    conn.until("done")
