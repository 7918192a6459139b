"""Fuzz the inputs: random and malformed messages never crash a session, never close the
connection instead of answering with an error frame, and HTTP never answers 500.
10,000 inputs in all: 7,000 websocket messages and 3,000 HTTP bodies."""

from __future__ import annotations

import json
import random

from tests.api.wsutil import Reader
from tests.fuzzing import fuzz_message, trajectory_body

PROBE = {"type": "speed", "speed": 7}


def test_websocket_survives_malformed_messages(client) -> None:
    rng = random.Random(20261125)
    with client.websocket_connect("/ws") as ws:
        reader = Reader(ws)
        assert reader.next()["type"] == "welcome"
        for i in range(7_000):
            reader.send(fuzz_message(rng))
            reader.send(PROBE)
            # Whatever the fuzz message did, the session still answers the probe.
            while True:
                m = reader.next()
                if m["type"] == "speed" and m["speed"] == 7:
                    break
                if m["type"] == "error":
                    assert m["message"] and m["code"], m
            if i % 50 == 0:
                reader.send({"type": "stop"})
        reader.send({"type": "start", "surface": "bowl", "steps": 3, "speed": 0,
                     "runs": [{"optimizer": "sgd", "lr": 0.1}]})
        done = reader.until("done")
        assert done["runs"][0]["status"] == "done"


def test_http_never_answers_500(client) -> None:
    rng = random.Random(7)
    for _ in range(3_000):
        body = trajectory_body(rng)
        r = client.post("/api/trajectories", content=json.dumps(body),
                        headers={"content-type": "application/json"})
        assert r.status_code in (200, 422), (body, r.status_code, r.text[:300])
        if r.status_code == 422:
            assert r.json()["message"]
    assert client.get("/healthz").status_code == 200
