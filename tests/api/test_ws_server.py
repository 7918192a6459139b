"""/ws against a real uvicorn server with a real websocket client (compression negotiated)."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time
from contextlib import closing

import pytest
from websockets.sync.client import connect

from app.api.live.pacing import MAX_BATCH
from app.config import Settings
from app.main import create_app
from tests.api.wsutil import collect_steps, strict_loads
from tests.conftest import LiveServer, serve

START = {
    "type": "start",
    "surface": "rosenbrock",
    "start": [-1.5, 2.0],
    "steps": 2000,
    "speed": 0,
    "runs": [{"optimizer": "sgd", "lr": 1e-3}, {"optimizer": "adam", "lr": 0.05}],
}


class Client:
    def __init__(self, url: str) -> None:
        self._connection = connect(url, open_timeout=10, max_size=2**26)
        self.ws = self._connection.__enter__()
        self.messages: list[dict] = []
        assert self.recv()["type"] == "welcome"

    def send(self, message: dict) -> None:
        self.ws.send(json.dumps(message))

    def recv(self, timeout: float = 20) -> dict:
        m = strict_loads(self.ws.recv(timeout=timeout))
        self.messages.append(m)
        return m

    def until(self, kind: str, **match) -> dict:
        while True:
            m = self.recv()
            if m["type"] == kind and all(m.get(k) == v for k, v in match.items()):
                return m
            if m["type"] == "error" and kind != "error":
                raise AssertionError(m)

    def close(self) -> None:
        self.ws.close()


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_a_session_over_a_real_server(live_server: LiveServer) -> None:
    c = Client(live_server.ws_url)
    assert any("deflate" in type(e).__name__.lower() for e in c.ws.protocol.extensions)
    # Bad messages first: each gets an error frame and the connection stays usable.
    c.ws.send("{oops")
    assert c.until("error")["code"] == "bad_json"
    c.send({"type": "start", "steps": 10, "surface": "bowl", "runs": [{"optimizer": "x"}]})
    assert c.until("error")["field"] == "runs.0.optimizer"
    # Start slowly, pause, step, change the lr, resume to the end.
    c.send(START | {"speed": 400})
    c.until("started")
    while len(collect_steps(c.messages, 0)) < 10:
        c.until("frame")
    c.send({"type": "pause"})
    c.until("state", state="paused")
    n = len(collect_steps(c.messages, 0))
    c.send({"type": "step", "n": 5})
    c.until("state", state="paused")
    assert len(collect_steps(c.messages, 0)) == n + 5
    c.send({"type": "set", "run": 1, "lr": 0.01})
    k = c.until("updated")["from_step"]["1"]
    c.send({"type": "speed", "speed": 0})
    c.send({"type": "resume"})
    c.until("done")
    steps = collect_steps(c.messages, 1)
    assert [s["step"] for s in steps] == list(range(2001))
    assert steps[k - 1]["lr"] == 0.05 and steps[k]["lr"] == 0.01
    c.close()
    assert wait_for(lambda: live_server.app.state.sessions == 0)


def test_a_diverging_run_over_a_real_server(live_server: LiveServer) -> None:
    c = Client(live_server.ws_url)
    c.send(START | {"runs": [{"optimizer": "sgd", "lr": 3.0}, {"optimizer": "adam", "lr": 0.05}]})
    d = c.until("diverged")
    assert d["run"] == 0
    done = c.until("done")
    assert [r["status"] for r in done["runs"]] == ["diverged", "done"]
    c.close()


def test_disconnects_mid_run_leave_nothing_behind(live_server: LiveServer) -> None:
    warm = Client(live_server.ws_url)
    warm.close()
    assert wait_for(lambda: live_server.app.state.sessions == 0)
    baseline = len(live_server.tasks())
    for i in range(40):
        c = Client(live_server.ws_url)
        c.send(START | {"steps": 20_000, "speed": 0 if i % 2 else 500})
        c.until("frame")
        if i % 2:
            c.close()  # a clean close handshake
        else:
            c.ws.socket.shutdown(socket.SHUT_RDWR)  # the connection just drops
            c.ws.socket.close()
    assert wait_for(lambda: live_server.app.state.sessions == 0, timeout=20)
    assert wait_for(lambda: len(live_server.tasks()) <= baseline, timeout=20), [
        t.get_coro() for t in live_server.tasks()
    ]


def _raw_websocket(port: int, first_message: dict) -> socket.socket:
    """A client that does the handshake, sends one message and then never reads."""
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
         ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:  # wait for 101 Switching Protocols, as clients do
        response += s.recv(1)
    assert response.startswith(b"HTTP/1.1 101"), response
    payload = json.dumps(first_message).encode()
    mask = os.urandom(4)
    header = bytes([0x81]) + (
        bytes([0x80 | len(payload)]) if len(payload) < 126
        else bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    )
    s.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    return s


def test_a_client_that_never_reads_is_bounded_and_closed() -> None:
    app = create_app(Settings(send_timeout=1.0))
    with serve(app) as live:
        # 8 runs x 20,000 steps, uncompressed: far more than the socket buffers hold.
        eight = [{"optimizer": "sgd", "lr": 1e-4 * (i + 1)} for i in range(8)]
        stalled = _raw_websocket(live.port, START | {"steps": 20_000, "runs": eight})
        with closing(stalled):
            assert wait_for(lambda: len(app.state.live_sessions) == 1)
            (session,) = app.state.live_sessions
            peak = 0
            t0 = time.perf_counter()
            others = [Client(live.ws_url) for _ in range(3)]
            for c in others:
                c.send(START)
            for c in others:
                assert [r["status"] for r in c.until("done")["runs"]] == ["done", "done"]
                peak = max(peak, session.outbox.pending_steps)
                c.close()
            # What waits for the stalled client is bounded by the producer's limit.
            assert peak <= MAX_BATCH  # a batch is computed only once the last has left
            elapsed = time.perf_counter() - t0
            assert elapsed < 30, f"normal clients took {elapsed:.1f} s beside a stalled one"
            # The stalled session is closed by the send timeout; its session ends, and its TCP
            # connection is reset rather than left waiting to flush (app/wsprotocol.py).
            assert wait_for(lambda: app.state.sessions == 0, timeout=30)
            stalled.settimeout(10)
            with pytest.raises((ConnectionResetError, EOFError)):
                while True:
                    if not stalled.recv(1 << 20):
                        raise EOFError


@pytest.mark.parametrize("n", [3])
def test_concurrent_clients_all_complete(live_server: LiveServer, n: int) -> None:
    clients = [Client(live_server.ws_url) for _ in range(n)]
    for c in clients:
        c.send(START | {"steps": 500})
    for c in clients:
        assert [r["status"] for r in c.until("done")["runs"]] == ["done", "done"]
        assert len(collect_steps(c.messages, 1)) == 501
        c.close()


def test_a_session_is_held_to_its_rate_limit() -> None:
    app = create_app(Settings(max_run_steps_per_second=20_000))
    with serve(app) as live:
        c = Client(live.ws_url)
        t0 = time.perf_counter()
        c.send(START | {"steps": 10_000})  # 2 runs x 10,000 steps at speed 0
        c.until("done")
        elapsed = time.perf_counter() - t0
        c.close()
    # 20,000 run-steps at 20,000 per second (the bucket starts with a tenth of a second).
    assert elapsed > 0.8, f"{elapsed:.2f} s: the limit was not applied"
