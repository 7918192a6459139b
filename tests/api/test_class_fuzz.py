"""Random and malformed messages on /ws/class: every one is answered without closing the socket
and without a server error, and the socket still answers a probe after it."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.schemas.classroom import MESSAGE_TYPES
from app.main import create_app
from tests.api.wsutil import strict_loads
from tests.conftest import settings_for_tests

scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(
    allow_nan=False, allow_infinity=False) | st.text(max_size=30)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8), inner, max_size=4), max_leaves=12)
messages = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(MESSAGE_TYPES)},
                          optional={k: values for k in ("class", "on", "path", "hash", "target",
                                                        "kind", "value", "challenge", "hidden",
                                                        "submission", "teacher_token",
                                                        "student_token")}),
    values,
)


def test_random_messages_never_break_the_socket(tmp_path) -> None:
    app = create_app(settings_for_tests(data_dir=tmp_path))
    with TestClient(app) as client:
        store = app.state.classroom.store
        class_id, _ = store.open_class()
        _, token = store.join(class_id, "Ada", 10)
        with client.websocket_connect("/ws/class") as ws:
            ws.send_json({"type": "hello", "class": class_id, "student_token": token})
            assert strict_loads(ws.receive_text())["type"] == "welcome"

            @settings(max_examples=250, deadline=None,
                      suppress_health_check=list(HealthCheck))
            @given(messages)
            def one(message) -> None:
                ws.send_text(json.dumps(message))
                ws.send_json({"type": "lead", "on": True})  # a probe a student is refused
                for _ in range(50):
                    answer = strict_loads(ws.receive_text())
                    assert answer.get("code") != "server_error", answer
                    if answer.get("code") == "not_teacher":
                        return
                raise AssertionError("the probe was not answered")

            one()
