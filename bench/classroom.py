"""The classroom loop measured (issue #14): figures for docs/performance.md and
docs/reliability.md.

[1] Follow: 60 students, each from its own loopback address (127.0.0.2 ... 127.0.0.61, as a
    class's devices), follow a teacher (127.0.0.1) who leads and plays, drags the lr and steps:
    `view` and `action` messages at 20 a second. Measured: from the teacher's send to each
    student's receipt, p50/p99/max (goal p99 < 200 ms), and errors (error frames, lost or
    refused connections, messages that never arrived; goal 0).
[2] Submit: the teacher poses the issue's challenge (reach f < 1e-3 on Rosenbrock within 300
    steps, any optimizer);
    the 60 students submit at once, each their own lr; every run is re-run and scored by the
    server. Measured: from the first submission to the last score (goal: all within 5 s), and
    that the teacher's socket heard all 60.

Modes: one server process (`gradscape --classroom --workers 1`), or `--redis`: a redis-server
of its own and `gradscape --classroom --workers 2` with GRADSCAPE_REDIS_URL (students spread over
both processes; every message crosses Redis). The server runs with its defaults: each student's
address has one class socket, well within the per-address limit (12 on loopback), and
`--classroom` makes the heavy-work queue hold a whole class (docs/classroom.md).

Run: `.venv/bin/python bench/classroom.py [--students 60] [--messages 100] [--redis]`.
Loopback only; bounded in count and time (about 30 s a mode).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serverutil import Gradscape, redis_process, server_env  # noqa: E402

RATE = 20.0  # teacher messages a second: a dragged slider's pace
CHALLENGE = {"title": "Reach f < 1e-3 on Rosenbrock within 300 steps, any optimizer",
             "kind": "surface", "fixed": {"surface": "rosenbrock", "start": [-1.5, 2]},
             "budget": {"steps": 300},
             "goal": {"kind": "reach", "metric": "loss", "target": 1e-3}}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Student:
    def __init__(self, n: int) -> None:
        self.address = f"127.0.0.{n + 2}"
        self.nickname = f"student {n + 1}"
        self.received: dict[str, float] = {}  # marker -> perf_counter at receipt
        self.errors: list[str] = []
        self.token = ""
        self.ws: Any = None
        self.http: Any = None
        self.task: asyncio.Task[None] | None = None

    async def join(self, server: Gradscape) -> None:
        # One HTTP client a student, kept (as a browser keeps its connection), from their address.
        self.http = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(local_address=self.address), timeout=60)
        r = await self.http.post(f"{server.url}/api/classes/{server.class_id}/students",
                                 json={"nickname": self.nickname})
        r.raise_for_status()
        self.token = r.json()["student_token"]
        self.ws = await websockets.connect(server.ws, local_addr=(self.address, 0),
                                           max_size=2**24)
        await self.ws.send(json.dumps({"type": "hello", "class": server.class_id,
                                       "student_token": self.token}))
        while json.loads(await self.ws.recv())["type"] != "welcome":
            pass
        self.task = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        try:
            async for text in self.ws:
                now = time.perf_counter()
                msg = json.loads(text)
                if msg["type"] == "action":
                    self.received[str(msg.get("value"))] = now
                elif msg["type"] == "view":
                    self.received[msg["hash"]] = now
                elif msg["type"] == "error":
                    self.errors.append(msg["message"])
        except websockets.ConnectionClosed as err:
            if err.rcvd is None or err.rcvd.code != 1000:
                self.errors.append(f"connection closed: {err}")

    async def submit(self, server: Gradscape, challenge: int, lr: float) -> tuple[int, float]:
        t0 = time.perf_counter()
        r = await self.http.post(
            f"{server.url}/api/classes/{server.class_id}/submissions",
            headers={"X-Student-Token": self.token},
            json={"challenge": challenge, "run": {"runs": [{"optimizer": "adam", "lr": lr}]}})
        if r.status_code != 200:
            self.errors.append(f"submission: {r.status_code} {r.text[:200]}")
        return r.status_code, time.perf_counter() - t0


async def teacher_socket(server: Gradscape) -> Any:
    ws = await websockets.connect(server.ws, local_addr=("127.0.0.1", 0), max_size=2**24)
    await ws.send(json.dumps({"type": "hello", "class": server.class_id,
                              "teacher_token": server.token}))
    while json.loads(await ws.recv())["type"] != "welcome":
        pass
    return ws


def script(n: int) -> list[tuple[str, dict[str, Any]]]:
    """The teacher's n messages, each with a marker the students report back: views (play,
    reset), the lr dragged (input), steps (click)."""
    out = []
    for k in range(n):
        marker = f"m{k}"
        if k % 10 == 0:
            out.append((f"#bench={marker}", {"type": "view", "path": "/",
                                              "hash": f"#bench={marker}"}))
        elif k % 10 in (1, 5):
            out.append((marker, {"type": "action", "target": "play", "kind": "click",
                                 "value": marker}))
        elif k % 10 == 9:
            out.append((marker, {"type": "action", "target": "step", "kind": "click",
                                 "value": marker}))
        else:
            out.append((marker, {"type": "action", "target": "lr-0", "kind": "input",
                                 "value": marker}))
    return out


async def run(server: Gradscape, n_students: int, n_messages: int) -> dict[str, Any]:
    students = [Student(i) for i in range(n_students)]
    refused = 0
    for batch in range(0, n_students, 20):  # join as a class does: within seconds
        results = await asyncio.gather(*(s.join(server) for s in students[batch:batch + 20]),
                                       return_exceptions=True)
        refused += sum(isinstance(r, BaseException) for r in results)
    teacher = await teacher_socket(server)
    await teacher.send(json.dumps({"type": "lead", "on": True}))
    await asyncio.sleep(0.5)
    sent: dict[str, float] = {}
    for marker, message in script(n_messages):
        sent[marker] = time.perf_counter()
        await teacher.send(json.dumps(message))
        await asyncio.sleep(1 / RATE)
    await asyncio.sleep(1.0)  # the last messages' way
    latencies, missing = [], 0
    for s in students:
        for marker, t in sent.items():
            if marker in s.received:
                latencies.append((s.received[marker] - t) * 1000)
            else:
                missing += 1
    errors = sum(len(s.errors) for s in students)

    # [2] a challenge, 60 submissions at once
    heard: list[dict[str, Any]] = []

    async def listen_teacher() -> None:
        async for text in teacher:
            msg = json.loads(text)
            if msg["type"] == "submission":
                heard.append(msg["submission"])
            elif msg["type"] == "challenge":
                posed.set_result(msg["challenge"]["id"])

    posed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    listener = asyncio.create_task(listen_teacher())
    await teacher.send(json.dumps({"type": "pose", "challenge": CHALLENGE}))
    challenge = await asyncio.wait_for(posed, 10)
    cpu0, client0 = server.cpu_seconds(), time.process_time()
    t0 = time.perf_counter()
    answers = await asyncio.gather(*(s.submit(server, challenge, 0.005 * (1 + i % 20))
                                     for i, s in enumerate(students)), return_exceptions=True)
    all_scored = time.perf_counter() - t0
    cpu, client_cpu = server.cpu_seconds() - cpu0, time.process_time() - client0
    deadline = time.monotonic() + 10
    while len(heard) < len(students) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    ok = [a for a in answers if isinstance(a, tuple) and a[0] == 200]
    listener.cancel()
    await teacher.close()
    for s in students:
        await s.ws.close()
        await s.http.aclose()
        if s.task:
            s.task.cancel()
    return {"students": len(students), "refused": refused, "messages": n_messages,
            "deliveries": len(latencies), "missing": missing, "errors": errors,
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p99": percentile(latencies, 0.99) if latencies else float("nan"),
            "max": max(latencies, default=float("nan")),
            "submitted": len(students), "scored": len(ok), "all_scored_s": all_scored,
            "slowest_s": max((a[1] for a in ok), default=float("nan")),
            "teacher_heard": len(heard), "server_cpu_s": cpu, "client_cpu_s": client_cpu,
            "load": os.getloadavg()[0]}


def report(mode: str, r: dict[str, Any]) -> None:
    print(f"\n== {mode}")
    print(f"[1] follow: {r['students']} students ({r['refused']} refused), {r['messages']} "
          f"teacher messages at {RATE:g}/s -> {r['deliveries']} deliveries, {r['missing']} "
          f"missing, {r['errors']} errors")
    print(f"    teacher's send -> student's receipt: p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms,"
          f" max {r['max']:.1f} ms; p99 / goal (200 ms) = {r['p99'] / 200:.2f}")
    print(f"[2] submit: {r['scored']}/{r['submitted']} scored in {r['all_scored_s']:.2f} s "
          f"(slowest answer {r['slowest_s']:.2f} s); all / goal (5 s) = "
          f"{r['all_scored_s'] / 5:.2f}; the teacher heard {r['teacher_heard']}")
    print(f"    server CPU for the 60: {r['server_cpu_s']:.2f} s "
          f"({1000 * r['server_cpu_s'] / max(1, r['submitted']):.0f} ms a submission), the "
          f"students' clients {r['client_cpu_s']:.2f} s; "
          f"machine load average {r['load']:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--redis", action="store_true",
                        help="two workers sharing the class through a redis-server of its own")
    parser.add_argument("--workers", type=int, default=None,
                        help="server processes (default 1, with --redis 2)")
    args = parser.parse_args()
    workers = args.workers or (2 if args.redis else 1)
    if args.students > 250:
        raise SystemExit("at most 250 students (127.0.0.2-251)")
    redis_path = shutil.which("redis-server")
    if args.redis and redis_path is None:
        raise SystemExit("--redis needs redis-server (Debian package redis-server)")
    data_dir = tempfile.mkdtemp(prefix="gradscape-bench-class-")
    try:
        with contextlib.ExitStack() as stack:
            env = server_env(GRADSCAPE_DATA_DIR=data_dir)
            if args.redis and redis_path is not None:
                env["GRADSCAPE_REDIS_URL"] = stack.enter_context(redis_process(redis_path))
            server = stack.enter_context(Gradscape(workers, classroom=True, env=env,
                                                   log=os.environ.get("GRADSCAPE_BENCH_LOG")))
            result = asyncio.run(run(server, args.students, args.messages))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    broker = " + Redis" if args.redis else " (in-process broker)"
    report(f"gradscape --workers {workers}{broker}", result)


if __name__ == "__main__":
    main()
