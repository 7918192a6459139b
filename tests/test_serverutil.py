"""The one launcher of real servers (tests/serverutil.py), which the class tests and the
benchmarks share."""

from __future__ import annotations

import httpx

import bench.classroom
import bench.classroom_load
from tests import serverutil


def test_gradscape_serves_once_constructed_and_stops() -> None:
    server = serverutil.Gradscape(1)
    try:
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
        assert server.cpu_seconds() > 0  # it read its own /proc entries
    finally:
        server.stop()
    assert server.proc.returncode is not None


def test_the_class_benchmarks_start_servers_with_the_shared_launcher() -> None:
    assert bench.classroom.Gradscape is serverutil.Gradscape
    assert bench.classroom_load.Gradscape is serverutil.Gradscape
    assert bench.classroom.redis_process is serverutil.redis_process
