"""Shared fixtures: an in-process TestClient, and a real uvicorn server on a free loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

# One BLAS thread, set before NumPy loads: the tests' matrices are small, and on two cores busy
# with other work OpenBLAS's threads made a grokking test 10-20x slower (docs/performance.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Saved states go to a scratch directory, never to the user's own (~/.local/share/gradscape).
os.environ.setdefault("GRADSCAPE_DATA_DIR", tempfile.mkdtemp(prefix="gradscape-tests-"))

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.server import server_config
from tests.serverutil import free_port


def settings_for_tests(**overrides) -> Settings:
    """Settings for in-process tests: TestClient's made-up host name is trusted."""
    return Settings(**({"extra_hosts": ("testserver",)} | overrides))


@pytest.fixture()
def client() -> Iterator[TestClient]:
    with TestClient(create_app(settings_for_tests())) as c:
        yield c


@dataclass
class LiveServer:
    app: FastAPI
    server: uvicorn.Server
    port: int
    loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def tasks(self) -> set[asyncio.Task]:
        """The server loop's live asyncio tasks (to check that nothing is left behind)."""
        assert self.loop is not None
        return asyncio.all_tasks(self.loop)


@contextlib.contextmanager
def serve(app: FastAPI, port: int | None = None) -> Iterator[LiveServer]:
    """Run `app` under a real uvicorn in a thread, on a loopback port (a free one by default;
    a given one to stop a server and start it again where a page expects it)."""
    port = port or free_port()
    # as `gradscape` serves
    config = server_config(app, app.state.settings, port=port, log_level="warning",
                           lifespan="off")
    server = uvicorn.Server(config)
    live = LiveServer(app=app, server=server, port=port)

    def run() -> None:
        loop = asyncio.new_event_loop()
        live.loop = loop
        loop.run_until_complete(server.serve())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.02)
    try:
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture()
def live_server() -> Iterator[LiveServer]:
    with serve(create_app()) as live:
        yield live
