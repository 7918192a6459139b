"""A real `redis-server` for the tests (Debian's package, which .ci/run installs), on a free
loopback port, with nothing saved to disk. Without it the tests are skipped locally and fail on
CI (CI=true): a CI that skips its Redis tests tests nothing."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.conftest import free_port

REDIS_SERVER = os.environ.get("GRADSCAPE_REDIS_SERVER", "redis-server")


def require_redis() -> str:
    path = shutil.which(REDIS_SERVER) or (REDIS_SERVER if os.path.exists(REDIS_SERVER) else None)
    if path is None:
        problem = f"{REDIS_SERVER} not found (Debian package redis-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the Redis tests cannot run on CI: {problem}")
        pytest.skip(problem)
    return path


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server of its own; its URL (redis://127.0.0.1:PORT/0)."""
    path = require_redis()
    port = free_port()
    proc = subprocess.Popen([path, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--protected-mode", "yes"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
