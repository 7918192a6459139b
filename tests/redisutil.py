"""A real `redis-server` for the tests (Debian's package, which .ci/run installs), on a free
loopback port, with nothing saved to disk. Without it the tests are skipped locally and fail on
CI (CI=true): a CI that skips its Redis tests tests nothing."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator

import pytest

from tests.serverutil import redis_process

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
    with redis_process(require_redis()) as url:
        yield url
