"""Expensive one-shot work goes through one admission controller: it computes off the event
loop, a full server answers 503 with Retry-After, and work whose client left is stopped."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import httpx

from app.main import create_app
from tests.conftest import serve, settings_for_tests

# A landscape that trains for several seconds on this machine (within every limit).
SLOW = {"dataset": {"id": "spirals", "n": 500}, "network": {"hidden": [32, 32]}, "steps": 2000,
        "runs": [{"optimizer": "adam", "lr": 0.01}], "grid": 5, "directions": "random"}


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def raw_post(port: int, path: str, body: dict) -> socket.socket:
    """A POST whose answer we may never read: the socket, to close when we like."""
    data = json.dumps(body).encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: "
                 f"application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)
    return sock


def test_work_runs_off_the_loop_and_a_full_server_says_busy(caplog) -> None:
    app = create_app(settings_for_tests(max_heavy_requests=1, heavy_queue=0))
    admission = app.state.admission
    with serve(app) as live:
        slow = raw_post(live.port, "/api/mlp/landscape", SLOW)
        try:
            assert wait_for(lambda: admission.running == 1)
            # The loop is free while the work computes: the health check answers meanwhile.
            assert httpx.get(f"{live.url}/healthz").status_code == 200
            assert admission.running == 1
            # No slot and no queue: refused at once, with when to come back.
            r = httpx.post(f"{live.url}/api/trajectories", json={
                "surface": "bowl", "steps": 5, "runs": [{"optimizer": "sgd"}]})
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"] == "3" and "busy" in r.json()["message"]
        finally:
            with caplog.at_level(logging.INFO, logger="gradscape.admission"):
                slow.close()  # the page aborts a superseded request
                # The work is stopped and its slot given back, long before 2,000 steps end.
                assert wait_for(lambda: admission.running == 0)
        assert any("client left" in r.getMessage() for r in caplog.records)
        r = httpx.post(f"{live.url}/api/trajectories", json={
            "surface": "bowl", "steps": 5, "runs": [{"optimizer": "sgd"}]})
        assert r.status_code == 200


def test_requests_wait_their_turn_in_the_queue() -> None:
    app = create_app(settings_for_tests(max_heavy_requests=1, heavy_queue=4))
    admission = app.state.admission
    small = {"surface": "rosenbrock", "steps": 2000, "runs": [{"optimizer": "adam"}] * 4}
    with serve(app) as live:
        results: list[int] = []

        def post() -> None:
            results.append(httpx.post(f"{live.url}/api/trajectories", json=small,
                                      timeout=60).status_code)

        threads = [threading.Thread(target=post) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [200] * 4  # one at a time, none refused
        assert admission.running == admission.waiting == 0
