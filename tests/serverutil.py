"""Real servers in subprocesses, for the tests and the benchmarks alike: `gradscape` (optionally
`--classroom`, whose teacher link it reads) and a `redis-server` of its own, each on a free
loopback port. Plain Python (no pytest, no app imports): bench/ scripts import it too, with the
repository root on sys.path. Whether a missing redis-server skips or fails a test is
tests/redisutil.py's business."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent
TEACHER_LINK = re.compile(r"#teacher=([A-Za-z0-9_-]+)&class=([a-z0-9]+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(**overrides: str) -> dict[str, str]:
    """This process's environment with the repository importable, plus `overrides`."""
    return dict(os.environ, PYTHONPATH=str(ROOT), **overrides)


class Gradscape:
    """`gradscape [--classroom] --workers N` in a subprocess, serving once constructed.

    env: the whole environment (default `server_env()`); log: a file for its stderr (default
    none). With classroom, `token` and `class_id` come from the teacher link it prints."""

    token: str
    class_id: str

    def __init__(self, workers: int = 1, *, classroom: bool = False,
                 env: Mapping[str, str] | None = None, log: str | None = None,
                 start_seconds: float = 60) -> None:
        self.port = free_port()
        args = [sys.executable, "-m", "app.cli", "--host", "127.0.0.1", "--port",
                str(self.port), "--workers", str(workers)]
        self._log: IO[str] = open(log or os.devnull, "w")  # noqa: SIM115 (closed by stop)
        self.proc = subprocess.Popen(
            args + (["--classroom"] if classroom else []), cwd=ROOT,
            env=dict(server_env() if env is None else env),
            stdout=subprocess.PIPE if classroom else subprocess.DEVNULL, stderr=self._log,
            text=True)
        try:
            if classroom:
                self._read_teacher_link()
            self._wait_serving(start_seconds)
        except BaseException:
            self.stop()
            raise

    def _read_teacher_link(self) -> None:
        assert self.proc.stdout is not None
        lines = []
        for line in self.proc.stdout:
            lines.append(line)
            found = TEACHER_LINK.search(line)
            if found:
                self.token, self.class_id = found.groups()
                break
        else:
            raise RuntimeError("gradscape printed no teacher's link:\n" + "".join(lines))
        # Read the rest (uvicorn's access log) as it comes: a full pipe would stop the server.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def _wait_serving(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"gradscape did not start on port {self.port}")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        """The class socket's address."""
        return f"ws://127.0.0.1:{self.port}/ws/class"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=20)
        self._log.close()

    def cpu_seconds(self) -> float:
        """CPU time of the command and its workers so far (user + system)."""
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a worker that ended meanwhile
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        return ticks / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> Gradscape:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


@contextlib.contextmanager
def redis_process(path: str) -> Iterator[str]:
    """The redis-server at `path` on a free loopback port, saving nothing; yields its URL
    (redis://127.0.0.1:PORT/0) once it answers PING."""
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
