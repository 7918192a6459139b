"""A class on one server, measured (issue #12): figures for docs/reliability.md.

[4] 40 students on /network's defaults (moons, 8-8 tanh, SGD vs Adam, 500 steps at 30 steps/s:
    16.7 s unloaded), each from its own loopback address (127.0.0.x, as a class's devices), all
    at once: completion time against one student alone (goal: median within 1.5x), errors,
    /healthz latency meanwhile (goal: p99 < 1 s), and how many cores the server used, for
    `gradscape --workers 1` and `--workers 2`.
[5] Heavy requests beside /healthz: the largest landscape the API accepts with a PCA plane and
    batch size 1 (the one that once took 374 s), 5 clients training the largest network at full
    speed, and a 99-term formula at the fastest paced speed; /healthz p50/p99/max during each.

Run: `.venv/bin/python bench/classroom_load.py [--students 40] [--workers 1 2]`. Loopback only;
bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serverutil import Gradscape, server_env  # noqa: E402

NETWORK_DEFAULT = {
    "type": "start", "dataset": {"id": "moons", "n": 200},
    "network": {"hidden": [8, 8], "activation": "tanh"},
    "runs": [{"optimizer": "sgd", "lr": 0.5}, {"optimizer": "adam", "lr": 0.02}],
    "steps": 500, "speed": 30, "plane": "random", "columns": True,
}
LARGEST = {"dataset": {"id": "moons", "n": 103}, "network": {"hidden": [64] * 6},
           "steps": 2500, "runs": [{"optimizer": "adam", "batch_size": 1}] * 8, "grid": 151,
           "directions": "pca"}


def gradscape(workers: int) -> Gradscape:
    """`gradscape --workers N`, with room for a whole class's sockets from one machine."""
    env = server_env(GRADSCAPE_MAX_SESSIONS="500", GRADSCAPE_MAX_SESSIONS_PER_CLIENT="500")
    return Gradscape(workers, env=env, log=os.environ.get("GRADSCAPE_BENCH_LOG"))


async def student(ws_url: str, address: str, message: dict) -> float:
    t0 = time.perf_counter()
    async with websockets.connect(ws_url, max_size=2**28, local_addr=(address, 0),
                                  ping_interval=None) as ws:
        await ws.recv()  # welcome
        await ws.send(json.dumps(message))
        while True:
            m = json.loads(await ws.recv())
            if m["type"] == "done":
                return time.perf_counter() - t0
            if m["type"] == "error":
                raise RuntimeError(m["message"])


PROBE = """
import sys, time, httpx
while True:
    t0 = time.perf_counter()
    httpx.get(sys.argv[1] + "/healthz", headers={"connection": "close"}, timeout=60)
    print(time.perf_counter() - t0, flush=True)
    time.sleep(0.2)
"""


class HealthProbe:
    """GET /healthz every 0.2 s on a new connection, from a process of its own (the load's
    clients would otherwise delay the probe, not the server)."""

    def __init__(self, url: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", PROBE, url], stdout=subprocess.PIPE,
                                     text=True)

    def stop(self) -> list[float]:
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=20)
        return [float(line) for line in out.split()]


def quantiles(values: list[float]) -> str:
    if not values:
        return "none"
    v = sorted(values)
    p99 = v[min(len(v) - 1, int(len(v) * 0.99))]
    return f"p50 {v[len(v) // 2] * 1e3:.0f} ms, p99 {p99 * 1e3:.0f} ms, max {v[-1] * 1e3:.0f} ms"


async def with_health(url: str, work) -> tuple[object, list[float]]:
    probe = HealthProbe(url)
    try:
        result = await work
    finally:
        latencies = probe.stop()
    return result, latencies


def run_students(ws_url: str, ids: list[int]) -> list:
    """Students `ids` at once, each from its own address: completion times or error texts."""
    async def everyone() -> list:
        return await asyncio.gather(*(student(ws_url, f"127.0.{1 + k // 250}.{2 + k % 250}",
                                              NETWORK_DEFAULT) for k in ids),
                                    return_exceptions=True)

    return [r if isinstance(r, float) else repr(r) for r in asyncio.run(everyone())]


def students_in_processes(ws_url: str, students: int, processes: int = 4) -> list:
    """Completion times (or error texts) of `students` clients spread over a few processes of
    their own: one Python process cannot read 40 sessions' frames as fast as two servers send."""
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); "
            "from bench.classroom_load import run_students; "
            "print(json.dumps(run_students(sys.argv[1], [int(a) for a in sys.argv[2:]])))")
    shares = [list(range(students))[k::processes] for k in range(processes)]
    procs = [subprocess.Popen([sys.executable, "-c", code, ws_url, *map(str, share)],
                              stdout=subprocess.PIPE, text=True) for share in shares if share]
    results: list = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        results += json.loads(out)
    return results


def network_class(workers: int, students: int) -> None:
    with gradscape(workers) as server:
        ws_url = server.url.replace("http", "ws") + "/ws"
        alone = asyncio.run(student(ws_url, "127.0.0.2", NETWORK_DEFAULT))
        cpu0, t0 = server.cpu_seconds(), time.perf_counter()
        probe = HealthProbe(server.url)
        try:
            results = students_in_processes(ws_url, students)
        finally:
            health = probe.stop()
        wall = time.perf_counter() - t0
        cores = (server.cpu_seconds() - cpu0) / wall
        times = sorted(r for r in results if isinstance(r, float))
        errors = [r for r in results if not isinstance(r, float)]
        median = times[len(times) // 2] if times else float("nan")
        print(f"[4] workers {workers}: {students} students on /network's defaults: "
              f"{len(times)}/{students} complete, {len(errors)} errors; median completion "
              f"{median:.1f} s = {median / alone:.2f}x alone ({alone:.1f} s), slowest "
              f"{times[-1] if times else float('nan'):.1f} s; /healthz {quantiles(health)}; "
              f"server used {cores:.2f} cores")
        for e in errors[:3]:
            print("    error:", e)


def heavy(workers: int) -> None:
    with gradscape(workers) as server:
        async def landscape():
            async with httpx.AsyncClient(timeout=600) as client:
                t0 = time.perf_counter()
                r = await client.post(f"{server.url}/api/mlp/landscape", json=LARGEST)
                return r.status_code, time.perf_counter() - t0

        (status, seconds), health = asyncio.run(with_health(server.url, landscape()))
        print(f"[5a] the largest PCA landscape (8 runs, batch 1, 6x64): HTTP {status} in "
              f"{seconds:.1f} s; /healthz {quantiles(health)}")
        ws_url = server.url.replace("http", "ws") + "/ws"
        big = NETWORK_DEFAULT | {"dataset": {"id": "moons", "n": 2000}, "speed": 0,
                                 "network": {"hidden": [64] * 6, "activation": "tanh"},
                                 "steps": 300}

        async def five():
            return await asyncio.gather(*(student(ws_url, f"127.0.2.{k + 2}", big)
                                          for k in range(5)), return_exceptions=True)

        results, health = asyncio.run(with_health(server.url, five()))
        print(f"[5b] 5 clients, 6x64 network on 2,000 points at full speed: "
              f"{sum(isinstance(r, float) for r in results)}/5 complete; /healthz "
              f"{quantiles(health)}")
        # the longest formula the parser takes: 500 characters, about 60 terms
        formula = " + ".join(f"sin({k}*x)" for k in range(1, 100))[:500].rsplit(" + ", 1)[0]
        paced = {"type": "start", "surface": {"expr": formula}, "steps": 5000, "speed": 1000,
                 "runs": [{"optimizer": "sgd", "lr": 1e-4}] * 4}
        results, health = asyncio.run(with_health(server.url, student(ws_url, "127.0.3.2",
                                                                       paced)))
        print(f"[5c] a {formula.count('+') + 1}-term formula, 4 runs at 1,000 steps/s: done in "
              f"{results:.1f} s; "
              f"/healthz {quantiles(health)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--skip-heavy", action="store_true")
    parser.add_argument("--only-heavy", action="store_true")
    args = parser.parse_args()
    for workers in [] if args.only_heavy else args.workers:
        network_class(workers, args.students)
    if not args.skip_heavy:
        heavy(1)


if __name__ == "__main__":
    main()
