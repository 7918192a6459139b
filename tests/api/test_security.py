"""Websocket origin and host checks, per-client limits and the security headers."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import socket

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from app.api.security import handshake_refusal
from app.config import Settings
from app.main import create_app
from app.net import lan_addresses, local_names
from tests.api.wsutil import Reader
from tests.conftest import LiveServer, settings_for_tests


@pytest.mark.parametrize(
    "host, origin, allowed",
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000", True),
        ("localhost:8000", "http://localhost:8000", True),
        ("127.0.0.1:8000", None, True),  # a script, not a browser
        ("127.0.0.1:8000", "http://evil.example", False),
        ("127.0.0.1:8000", "http://127.0.0.1:9999", False),  # another local app's page
        ("127.0.0.1:8000", "null", False),
        ("evil.example:8000", "http://evil.example:8000", False),  # DNS rebinding
        ("evil.example", None, False),
        (None, None, False),
    ],
)
def test_handshake_rules(host, origin, allowed: bool) -> None:
    assert (handshake_refusal(host, origin, Settings()) is None) == allowed


def test_allow_origin_lists_another_origin() -> None:
    settings = Settings(allow_origins=("https://school.example",))
    assert handshake_refusal("127.0.0.1:8000", "https://school.example", settings) is None
    assert handshake_refusal("127.0.0.1:8000", "https://other.example", settings) is not None


def test_this_machines_names_are_trusted() -> None:
    names = local_names()
    assert {"localhost", "127.0.0.1"} <= names
    assert socket.gethostname().lower() in names
    for address in lan_addresses():
        assert handshake_refusal(f"{address}:8000", f"http://{address}:8000", Settings()) is None


def _handshake(port: int, host: str, origin: str | None) -> bytes:
    """A raw handshake to 127.0.0.1 carrying any Host and Origin; returns the status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET /ws HTTP/1.1", f"Host: {host}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if origin:
            lines.append(f"Origin: {origin}")
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return s.recv(1024).split(b"\r\n")[0]


def test_evil_origin_is_refused_and_logged(live_server: LiveServer, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="gradscape.ws"):
        with pytest.raises(InvalidStatus) as err:
            connect(live_server.ws_url, origin="http://evil.example").__enter__()
    assert err.value.response.status_code == 403
    assert "evil.example" in caplog.text


def test_spoofed_host_is_refused(live_server: LiveServer) -> None:
    status = _handshake(live_server.port, "evil.example", None)
    assert b" 403 " in status + b" ", status


def test_same_origin_is_accepted(live_server: LiveServer) -> None:
    origin = f"http://127.0.0.1:{live_server.port}"
    with connect(live_server.ws_url, origin=origin) as ws:
        assert '"welcome"' in ws.recv(timeout=10)


def test_the_same_origin_lan_address_is_accepted(live_server: LiveServer) -> None:
    # The Host a student's browser sends when it opened the teacher's LAN URL. The TCP
    # connection itself stays on loopback.
    address = (lan_addresses() or [socket.gethostname()])[0]
    host = f"{address}:{live_server.port}"
    assert b" 101 " in _handshake(live_server.port, host, f"http://{host}")


def test_sessions_per_client_are_limited() -> None:
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings_for_tests(max_sessions_per_client=1))) as client:
        with client.websocket_connect("/ws") as first:
            assert Reader(first).next()["type"] == "welcome"
            with client.websocket_connect("/ws") as second:
                refused = Reader(second).next()
                assert refused["type"] == "error" and refused["code"] == "too_many_sessions"
                assert "close a tab" in refused["message"]
                assert "GRADSCAPE_MAX_SESSIONS_PER_CLIENT" in refused["message"]


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/surfaces", "/static/img/.keep"])
def test_security_headers_on_every_response(client, path: str) -> None:
    r = client.get(path)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_http_checks_the_host_on_every_route_and_the_origin_on_api_calls(caplog) -> None:
    """A DNS-rebinding page (Host: evil.example) gets nothing; a cross-site page cannot call the
    API; the app's own pages and scripts without an Origin can."""
    from fastapi.testclient import TestClient

    body = {"surface": "bowl", "steps": 2, "runs": [{"optimizer": "sgd"}]}
    with TestClient(create_app(settings_for_tests()), base_url="http://testserver") as client:
        with caplog.at_level(logging.WARNING, logger="gradscape.security"):
            for path in ("/", "/healthz", "/api/surfaces", "/static/css/base.css"):
                r = client.get(path, headers={"host": "evil.example"})
                assert r.status_code == 403, path
                assert r.headers["x-content-type-options"] == "nosniff"
            r = client.post("/api/trajectories", json=body,
                            headers={"origin": "http://evil.example"})
            assert r.status_code == 403 and "Origin" in r.text
            r = client.post("/api/trajectories", json=body,
                            headers={"sec-fetch-site": "cross-site"})
            assert r.status_code == 403
        assert sum("refused" in rec.getMessage() for rec in caplog.records) >= 6
        assert client.post("/api/trajectories", json=body,
                           headers={"origin": "http://testserver"}).status_code == 200
        assert client.post("/api/trajectories", json=body,
                           headers={"sec-fetch-site": "same-origin"}).status_code == 200
        assert client.post("/api/trajectories", json=body).status_code == 200  # a script
        # Reading is open to the app's own origin and to scripts.
        assert client.get("/api/surfaces", headers={"origin": "http://evil.example"}
                          ).status_code == 200


def test_sessions_are_counted_per_address_on_a_real_server(caplog) -> None:
    """Students from their own addresses (127.0.0.x) each get their own allowance; one address
    past it is refused with the setting to raise named, and the refusal is logged."""
    from tests.conftest import serve

    def from_address(port: int, address: str):
        sock = socket.socket()
        sock.bind((address, 0))
        sock.connect(("127.0.0.1", port))
        return connect(f"ws://127.0.0.1:{port}/ws", sock=sock)

    app = create_app(settings_for_tests(max_sessions_per_client=2))
    with serve(app) as live, caplog.at_level(logging.WARNING, logger="gradscape.ws"), \
            contextlib.ExitStack() as stack:
        students = [stack.enter_context(from_address(live.port, address))
                    for address in ["127.0.0.2"] * 2 + [f"127.0.0.{k}" for k in range(3, 6)]]
        for ws in students:
            assert json.loads(ws.recv())["type"] == "welcome"
        with from_address(live.port, "127.0.0.2") as third:
            refused = json.loads(third.recv())
            assert refused["code"] == "too_many_sessions"
            assert "GRADSCAPE_MAX_SESSIONS_PER_CLIENT" in refused["message"]
    assert any("127.0.0.2" in r.getMessage() and "GRADSCAPE_MAX_SESSIONS_PER_CLIENT"
               in r.getMessage() for r in caplog.records)
