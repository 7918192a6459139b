"""Load, soak and faults on loopback: the classroom figures of docs/reliability.md.

1. 60 concurrent clients, each running the default comparison (SGD vs Adam on Rosenbrock) for
   2,000 steps: completion, errors, p50/p99 frame lag (server in its own process).
2. 1,000 connect / start / disconnect-mid-run cycles, half closing cleanly and half dropping the
   TCP connection: server tasks back to baseline (server in this process, a thread), then the
   same against a server in its own process, whose RSS alone is read from /proc.
3. One client that never reads beside 20 normal ones: the others' completion time against the
   same 20 alone, the server's RSS, and whether the stalled client is closed.
4. and 5. A class of 40 on /network and the heavy requests beside /healthz: `--class` runs
   bench/classroom_load.py's scenarios (they start `gradscape --workers N` themselves).

Run: `.venv/bin/python bench/load.py [--cycles 1000]`. Bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import socket
import sys
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.stream import Server, percentile  # noqa: E402
from tests.api.test_ws_server import _raw_websocket  # noqa: E402
from tests.conftest import serve  # noqa: E402

DEFAULT = {"type": "start", "surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 2000,
           "speed": 0, "runs": [{"optimizer": "sgd", "lr": 1e-3}, {"optimizer": "adam",
                                                                   "lr": 0.05}]}


def rss_mb(pid: str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def client(url: str, lags: list[tuple[float, int]], message: dict = DEFAULT) -> float:
    t0 = time.perf_counter()
    async with websockets.connect(url, max_size=2**28) as ws:
        await ws.recv()
        await ws.send(json.dumps(message))
        while True:
            m = json.loads(await ws.recv())
            if m["type"] == "frame":  # every step of the frame, with the frame's lag
                n = sum(len(r["steps"]["step"]) for r in m["runs"])
                lags.append((time.time() - m["t"], n))
            elif m["type"] == "done":
                return time.perf_counter() - t0
            elif m["type"] == "error":
                raise RuntimeError(m)


async def many(url: str, n: int) -> None:
    lags: list[tuple[float, int]] = []
    t0 = time.perf_counter()
    results = await asyncio.gather(*(client(url, lags) for _ in range(n)),
                                   return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    print(f"[1] {n} clients x default comparison x 2,000 steps: {n - len(errors)}/{n} complete, "
          f"{len(errors)} errors, wall {time.perf_counter() - t0:.2f} s; lag per step "
          f"p50 {percentile(lags, 0.5) * 1e3:.0f} ms, p99 {percentile(lags, 0.99) * 1e3:.0f} ms")
    for e in errors[:3]:
        print("    error:", repr(e))


async def cycle(url: str, clean: bool) -> None:
    ws = await websockets.connect(url)
    await ws.recv()
    await ws.send(json.dumps(DEFAULT | {"steps": 20_000, "speed": 1000}))
    while json.loads(await ws.recv())["type"] != "frame":
        pass
    if clean:
        await ws.close()
    else:
        ws.transport.abort()  # the connection just drops: no close frame


def cycles(n: int) -> None:
    app = create_app(Settings(max_sessions_per_client=1000))
    with serve(app) as live:
        url = live.ws_url

        async def run_batch(k: int, offset: int) -> None:
            await asyncio.gather(*(cycle(url, (offset + i) % 2 == 0) for i in range(k)))

        asyncio.run(run_batch(20, 0))  # warm up
        time.sleep(0.5)
        gc.collect()
        base_tasks, base_rss = len(live.tasks()), rss_mb()
        t0 = time.perf_counter()
        samples = []
        for start in range(0, n, 50):
            asyncio.run(run_batch(min(50, n - start), start))
            samples.append(rss_mb())
        deadline = time.monotonic() + 20
        while (app.state.sessions or len(live.tasks()) > base_tasks) and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        gc.collect()
        print(f"[2] {n} connect/start/disconnect cycles (half clean, half dropped) in "
              f"{time.perf_counter() - t0:.1f} s: sessions left {app.state.sessions}, tasks "
              f"{len(live.tasks())} (baseline {base_tasks}), RSS {base_rss:.1f} MB -> "
              f"{rss_mb():.1f} MB (peak during {max(samples):.1f} MB)")
        print(f"    RSS every 50 cycles: {' '.join(f'{s:.0f}' for s in samples)} MB; "
              f"growth over the last half: {samples[-1] - samples[len(samples) // 2]:+.1f} MB")


def cycles_rss(n: int) -> None:
    """The same cycles against a server in its own process: its RSS alone, from /proc."""
    with Server("app.main:app") as server:
        async def run_batch(k: int, offset: int) -> None:
            await asyncio.gather(*(cycle(server.url, (offset + i) % 2 == 0) for i in range(k)))

        samples = []
        for start in range(0, n, 50):
            asyncio.run(run_batch(min(50, n - start), start))
            samples.append(rss_mb(str(server.proc.pid)))
    half = len(samples) // 2
    print(f"[2b] {n} cycles against a server process: its RSS every 50 cycles "
          f"{' '.join(f'{s:.0f}' for s in samples)} MB; over the last half "
          f"{samples[-1] - samples[half]:+.1f} MB")


async def stalled_beside(url: str, port: int, pid: int, n: int) -> None:
    lags: list[tuple[float, int]] = []
    alone = await asyncio.gather(*(client(url, lags) for _ in range(n)))
    eight = [{"optimizer": "sgd", "lr": 1e-4 * (i + 1)} for i in range(8)]
    stalled = _raw_websocket(port, DEFAULT | {"steps": 20_000, "runs": eight})
    await asyncio.sleep(1.0)
    rss_before = rss_mb(str(pid))
    beside = await asyncio.gather(*(client(url, lags) for _ in range(n)))
    rss_after = rss_mb(str(pid))
    closed = False
    stalled.settimeout(0.1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not closed:  # closed = the server hung up on it
        try:
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            while True:
                data = stalled.recv(1 << 20)
                if not data:
                    closed = True
                    break
        except (TimeoutError, BlockingIOError):
            await asyncio.sleep(0.5)
        except OSError:
            closed = True
    stalled.close()
    print(f"[3] {n} normal clients, median completion alone {sorted(alone)[n // 2]:.2f} s, "
          f"beside a client that never reads {sorted(beside)[n // 2]:.2f} s; server RSS "
          f"{rss_before:.1f} -> {rss_after:.1f} MB; the stalled client's TCP connection closed: "
          f"{closed} (its session ends at the send timeout: see the server's log line)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--normal", type=int, default=20)
    parser.add_argument("--class", dest="class_", action="store_true",
                        help="only scenarios 4 and 5 (bench/classroom_load.py)")
    args = parser.parse_args()
    if args.class_:
        from bench import classroom_load

        for workers in (1, 2):
            classroom_load.network_class(workers, 40)
        classroom_load.heavy(1)
        return
    with Server("app.main:app") as server:
        asyncio.run(many(server.url, args.clients))
    cycles(args.cycles)
    cycles_rss(args.cycles)
    import os

    os.environ["GRADSCAPE_SEND_TIMEOUT"] = "3"
    with Server("app.main:app") as server:
        asyncio.run(stalled_beside(server.url, server.port, server.proc.pid, args.normal))


if __name__ == "__main__":
    main()
