"""The server's own limits (app/server.py): a header timeout against half-sent requests, and
websocket messages refused by size before they are read whole."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app.main import create_app
from tests.api.wsutil import strict_loads
from tests.conftest import serve, settings_for_tests


def test_a_half_sent_request_is_closed_after_the_header_timeout() -> None:
    app = create_app(settings_for_tests(header_timeout=0.5))
    with serve(app) as live:
        slow = socket.create_connection(("127.0.0.1", live.port))
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
        slow.settimeout(10)
        t0 = time.monotonic()
        assert slow.recv(1024) == b""  # the server hung up
        assert time.monotonic() - t0 < 10
        slow.close()
        # A whole request on a new connection is served as usual.
        assert httpx.get(f"{live.url}/healthz").status_code == 200


def test_an_idle_kept_alive_connection_is_not_cut_off_by_the_header_timeout() -> None:
    """The timeout is for a request's headers, not for the pause between two requests."""
    app = create_app(settings_for_tests(header_timeout=0.5))
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with serve(app) as live, socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.settimeout(10)
        for _ in range(2):
            sock.sendall(request)
            answer = b""
            while not answer.endswith(b'}'):
                chunk = sock.recv(4096)
                assert chunk, "the server closed the connection"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            time.sleep(0.8)  # longer than the header timeout, shorter than keep-alive


def test_websocket_messages_over_the_limit() -> None:
    app = create_app(settings_for_tests(max_message_bytes=10_000))
    with serve(app) as live, connect(live.ws_url, max_size=None) as ws:
        assert strict_loads(ws.recv())["type"] == "welcome"
        # Over the limit but under the hard cap: an error frame, and the session goes on.
        ws.send('{"type": "pause", "pad": "' + "x" * 20_000 + '"}')
        error = strict_loads(ws.recv())
        assert error["type"] == "error" and error["code"] == "too_large"
        ws.send('{"type": "speed", "speed": 3}')
        assert strict_loads(ws.recv())["type"] == "speed"
        # Past the hard cap (4x): closed before the message is read whole.
        with pytest.raises(ConnectionClosed) as closed:
            ws.send("x" * 50_000)
            ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
