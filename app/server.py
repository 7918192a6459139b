"""How uvicorn serves the app, in one place (the `gradscape` command, the tests' real servers and
the benches all ask here): the websocket protocol of app/wsprotocol.py, message and connection
limits from Settings, and a header timeout.

uvicorn (0.54) has no timeout for a request's headers: a connection that sends half a request
and waits (Slowloris) is kept forever, and about a thousand of them use up the process's file
descriptors, locking out every new visitor. `HeaderTimeoutProtocol` closes a connection whose
request line and headers have not all arrived within `header_timeout` seconds of the
connection or of the request's first byte.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import Settings
from app.wsprotocol import protocol

log = logging.getLogger("gradscape.server")
WS_HARD_LIMIT_FACTOR = 4


class HeaderTimeoutProtocol(HttpToolsProtocol):
    header_timeout: float = 10.0  # set per server by `server_config`

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _timed_out(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            log.info("closed a connection from %s: no complete request headers within %.0f s",
                     self.client[0] if self.client else "?", self.header_timeout)
            self.transport.close()


def server_config(app: Any, settings: Settings, host: str = "127.0.0.1", port: int = 8000,
                  log_level: str = "info", **extra: Any) -> uvicorn.Config:
    """The uvicorn configuration every server of the app runs with."""
    http = type("HTTPProtocol", (HeaderTimeoutProtocol,),
                {"header_timeout": settings.header_timeout})
    return uvicorn.Config(
        app, host=host, port=port, log_level=log_level, http=http, ws=protocol() or "auto",
        # A message up to 4x the limit is read and answered with an error frame (the session goes
        # on); a bigger one closes the connection (1009) before it is read whole.
        ws_max_size=WS_HARD_LIMIT_FACTOR * settings.max_message_bytes,
        # Connections and tasks at once: past it new requests get a 503, not a hang.
        limit_concurrency=settings.max_connections,
        **extra,
    )


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve until interrupted: one process, or `workers` processes sharing one listening socket
    (each a whole app with its own live sessions: a class's sessions spread over the cores)."""
    from app.main import create_app

    if workers <= 1:
        uvicorn.Server(server_config(create_app(settings), settings, host, port)).run()
        return
    sock = uvicorn.Config(app=None, host=host, port=port).bind_socket()
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_worker, args=(settings, host, port, sock, os.getpid()),
                               daemon=True) for _ in range(workers)]
    # A terminated command (a service manager, a test) stops its workers too, as Ctrl+C does.
    signal.signal(signal.SIGTERM, _interrupt)
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=10)
        sock.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _worker(settings: Settings, host: str, port: int, sock: socket.socket, parent: int) -> None:
    from app.main import create_app

    server = uvicorn.Server(server_config(create_app(settings), settings, host, port))
    threading.Thread(target=_exit_with, args=(parent, server), daemon=True).start()
    server.run(sockets=[sock])


def _exit_with(parent: int, server: uvicorn.Server) -> None:
    """A worker whose command died without stopping it (killed) stops too: no orphan keeps
    serving the port."""
    while os.getppid() == parent:
        time.sleep(1.0)
    log.warning("the gradscape command is gone: this worker stops")
    server.should_exit = True
