"""Property test: every message type, with arbitrary fields and values, gets an answer (an
`error` frame naming what it could not use, or the message's own reply) and leaves the
connection usable. Hypothesis drives it; the fuzz test beside it drives random text."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.schemas.ws import MESSAGE_TYPES
from tests.api.wsutil import Reader

PROBE = {"type": "speed", "speed": 7}
# Field names the protocol uses (and some it does not): a value lands where a validator looks.
NAMES = ["surface", "start", "steps", "runs", "speed", "columns", "optimizer", "lr", "centered",
         "beta1", "momentum", "schedule", "kind", "gamma", "step_size", "noise", "seed", "run",
         "n", "new_weights", "dataset", "network", "hidden", "points", "batch_size", "plane",
         "weights", "boundary", "weights_every", "id", "expr", "bounds", "angle", "condition",
         "bogus", ""]
scalars = (st.none() | st.booleans() | st.integers(-3, 3_000)
           | st.floats(allow_nan=False, allow_infinity=False, width=32)
           | st.sampled_from(["all", "adam", "sgd", "rmsprop", "bowl", "ravine", "moons",
                              "x**2", "step", "", "nan", "Infinity"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(NAMES), inner, max_size=4),
                      max_leaves=12)
# A valid start to mutate: most of the checking is deep inside it.
VALID = {
    "start": {"type": "start", "surface": "bowl", "steps": 20, "speed": 0,
              "runs": [{"optimizer": "adam", "lr": 0.1}]},
    "start_network": {"type": "start", "dataset": {"id": "moons", "n": 40},
                      "network": {"hidden": [4]}, "steps": 10, "speed": 0},
}


def answer_then_probe(reader: Reader, message: dict[str, Any]) -> None:
    """Send the message and the probe; whatever the message did, the probe's reply comes."""
    reader.send(message)
    reader.send(PROBE)
    for _ in range(100_000):
        m = reader.next()
        if m["type"] == "error":
            assert m["code"] and m["message"], m
            assert m["code"] != "internal", m  # a bug answered politely is still a bug
        if m["type"] == "speed" and m["speed"] == 7:
            return
    raise AssertionError("no answer to the probe")


@pytest.fixture(scope="module")
def session(request):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.conftest import settings_for_tests

    with TestClient(create_app(settings_for_tests())) as client, \
            client.websocket_connect("/ws") as ws:
        reader = Reader(ws)
        reader.until("welcome")
        yield reader


QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=150, deadline=None, suppress_health_check=QUIET)
@given(kind=st.sampled_from(MESSAGE_TYPES), fields=st.dictionaries(st.sampled_from(NAMES), values,
                                                                    max_size=5))
def test_any_fields_on_any_message_type(session: Reader, kind: str, fields: dict) -> None:
    answer_then_probe(session, {**fields, "type": kind})
    session.messages.clear()


@settings(max_examples=200, deadline=None, suppress_health_check=QUIET)
@given(which=st.sampled_from(sorted(VALID)), path=st.lists(st.sampled_from(NAMES), min_size=1,
                                                           max_size=3), value=values)
def test_any_value_anywhere_in_a_valid_start(session: Reader, which: str, path: list,
                                              value: Any) -> None:
    message = _deep_copy(VALID[which])
    node = message
    for key in path[:-1]:  # walk (and make) the nested objects the path names
        child = node.get(key) if isinstance(node, dict) else None
        if not isinstance(child, dict):
            child = {} if not isinstance(child, list) or not child else child[0]
            if not isinstance(child, dict):
                child = {}
            node[key] = child
        node = child
    node[path[-1]] = value
    message["type"] = "start"
    answer_then_probe(session, message)
    session.send({"type": "stop"})
    session.messages.clear()


@settings(max_examples=120, deadline=None, suppress_health_check=QUIET)
@given(which=st.sampled_from(sorted(VALID)), kind=st.sampled_from(["add_run", "remove_run"]),
       path=st.lists(st.sampled_from(NAMES), min_size=1, max_size=3), value=values)
def test_any_value_in_a_run_added_or_removed_in_a_live_session(
        session: Reader, which: str, kind: str, path: list, value: Any) -> None:
    """add_run and remove_run, on a surface and a network session, running or finished."""
    session.send(VALID[which])
    message: dict[str, Any] = ({"type": kind, "run": {"optimizer": "adam", "lr": 0.1}}
                               if kind == "add_run" else {"type": kind, "run": 0})
    node = message
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[path[-1]] = value
    message["type"] = kind
    answer_then_probe(session, message)
    session.send({"type": "stop"})
    session.messages.clear()


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
