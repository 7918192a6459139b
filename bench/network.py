"""Network runs: what the network view waits on. For two nets, full batch, adam, in one run:

1. the core's steps per second (NetworkRun.advance, as a live session takes them: every step's
   loss, accuracy, gradient norms and plane coordinates), and its training step alone (forward,
   backward, the optimizer's step: what the torch loop does);
2. a PyTorch training loop's (same net and data, float64, torch.set_num_threads(1)), when torch
   is importable;
3. run-steps per second delivered over /ws at speed 0 with decision boundaries on (a real
   server in another process, one client, columns as the page asks).

Goals (issue #11): the core at least 3x the torch loop on both nets; /ws at least 80% of the core.

Each rate is printed twice: per second of wall time, and per second of CPU time (the process's
own, or the server process's for /ws). On a quiet machine the two agree; on a busy one (other
jobs on the two cores) wall-time rates move by 2x from one run to the next while CPU-time rates
still compare the work each side does per step. Ratios are given on both.

Run: `.venv/bin/python bench/network.py [--torch-python /tmp/torchenv/bin/python]`: torch is not a
dependency, so its loop runs in an interpreter that has it (this script in a subprocess, with
`--torch-only`). Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the torch-only subprocess runs in an interpreter without the server's deps
    from bench.stream import Server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.datasets import DATASETS, make_dataset  # noqa: E402
from app.core.memory import keep_freed_memory  # noqa: E402
from app.core.mlp import MLP  # noqa: E402
from app.core.optimizers import make_optimizer  # noqa: E402
from app.core.runs import NetworkRun, RunConfig, make_problem  # noqa: E402

NETS = [  # (name, dataset, n, hidden, activation)
    ("2-16-16-2 tanh, 200 moons", "moons", 200, [16, 16], "tanh"),
    ("2-32-32-32-K relu, 500 spirals", "spirals", 500, [32, 32, 32], "relu"),
]
STEPS = 1_000
WS_STEPS = 5_000


Rates = tuple[float, float]  # (steps per wall second, steps per CPU second), each the best of 3


def best_rates(timings: list[tuple[float, float]], steps: int) -> Rates:
    """The best wall and CPU rates of (wall seconds, CPU seconds) timings of `steps` steps."""
    return (steps / min(w for w, _ in timings), steps / min(c for _, c in timings))


def core_rate(dataset: str, n: int, hidden: list[int], activation: str) -> Rates:
    data = make_dataset(dataset, n, seed=0)
    k = DATASETS[dataset].default_classes
    model = MLP.build([2, *hidden, k], activation, "cross_entropy")
    problem = make_problem(model, data.x, data.y, 0)
    timings = []
    for _ in range(3):
        run = NetworkRun(problem, RunConfig("adam", lr=0.01))
        out = run.columns()
        t0, c0 = time.perf_counter(), time.process_time()
        run.advance(STEPS, out)
        timings.append((time.perf_counter() - t0, time.process_time() - c0))
    return best_rates(timings, STEPS)


def training_step_rate(dataset: str, n: int, hidden: list[int], activation: str) -> Rates:
    """The core doing what the torch loop does and no more: forward with the loss, backward into
    the gradient, the optimizer's step, through the same calls as NetworkRun's full-batch step
    (a workspace, no dropout, no penalty). What the live run adds on top of that, every step:
    accuracy, gradient norms, plane coordinates, the recorded columns, the divergence test."""
    data = make_dataset(dataset, n, seed=0)
    k = DATASETS[dataset].default_classes
    model = MLP.build([2, *hidden, k], activation, "cross_entropy")
    problem = make_problem(model, data.x, data.y, 0)
    x, y = problem.x, problem.y
    timings = []
    for _ in range(3):
        opt = make_optimizer("adam", lr=0.01)
        theta, grad, work = problem.theta0.copy(), np.empty_like(problem.theta0), model.workspace()
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(STEPS):
            fwd = model.forward(theta, x, None, y, work)
            model.backward(theta, fwd, y, None, grad, work)
            theta = opt.step(theta, grad)
        timings.append((time.perf_counter() - t0, time.process_time() - c0))
    return best_rates(timings, STEPS)


def matmul_floor(dataset: str, n: int, hidden: list[int], activation: str) -> Rates:
    """Steps per second if a step were its matrix products alone, in NumPy float64: per layer
    a @ W.T forward, dz.T @ a and (below the output) dz @ W backward. No NumPy step can beat
    this; when 3x torch is above it, the goal is out of reach without leaving float64 NumPy."""
    data = make_dataset(dataset, n, seed=0)
    sizes = [2, *hidden, DATASETS[dataset].default_classes]
    rng = np.random.default_rng(0)
    acts = [rng.normal(size=(n, s)) for s in sizes]
    weights = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    assert len(data.x) == n

    def step() -> None:
        for k, W in enumerate(weights):
            acts[k] @ W.T
        for k in range(len(weights) - 1, -1, -1):
            dz = acts[k + 1]
            dz.T @ acts[k]
            if k:
                dz @ weights[k]

    timings = []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(STEPS):
            step()
        timings.append((time.perf_counter() - t0, time.process_time() - c0))
    return best_rates(timings, STEPS)


def torch_rate(dataset: str, n: int, hidden: list[int], activation: str) -> Rates | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    data = make_dataset(dataset, n, seed=0)
    k = DATASETS[dataset].default_classes
    sizes = [2, *hidden, k]
    layers: list = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(a, b, dtype=torch.float64))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh() if activation == "tanh" else torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    x = torch.tensor(data.x, dtype=torch.float64)
    y = torch.tensor(data.y, dtype=torch.long)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    timings = []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(STEPS):
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
        timings.append((time.perf_counter() - t0, time.process_time() - c0))
    return best_rates(timings, STEPS)


def torch_rate_in(python: str | None, index: int) -> Rates | None:
    """The torch loop's rate for NETS[index], here or in another interpreter."""
    rate = torch_rate(*NETS[index][1:])
    if rate is not None or not python:
        return rate
    out = subprocess.run([python, __file__, "--torch-only", str(index)], capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT)})
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def server_cpu_seconds(server: Server) -> float:
    """CPU seconds of the server's threads (Linux's schedstat, in nanoseconds): a /ws run of the
    small net takes ~0.3 s, where /proc's 10 ms ticks would move its rate by 3%."""
    total = 0
    for task in Path(f"/proc/{server.proc.pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


async def ws_rate(server: Server, dataset: str, n: int, hidden: list[int], activation: str,
                  sharpness: bool = False) -> Rates:
    import orjson
    import websockets

    start = {"type": "start", "dataset": {"id": dataset, "n": n}, "speed": 0, "columns": True,
             "network": {"hidden": hidden, "activation": activation}, "steps": WS_STEPS,
             "runs": [{"optimizer": "adam", "lr": 0.01}]}
    if not sharpness:  # like for like with the core's loop, which measures no sharpness
        start["sharpness_every"] = 0
    async with websockets.connect(server.url, max_size=None) as ws:
        await ws.recv()  # welcome
        # Timed from the `start` sent, not the `started` received: the server computes the first
        # batch while `started` is on its way, and a short run timed from its arrival counted
        # steps it did not time (2,000 steps of the small net came out at 140% of the core).
        t0, c0 = time.perf_counter(), server_cpu_seconds(server)
        await ws.send(orjson.dumps(start).decode())
        while True:
            m = orjson.loads(await ws.recv())
            if m["type"] == "done":
                return best_rates([(time.perf_counter() - t0, server_cpu_seconds(server) - c0)],
                                  WS_STEPS)
            elif m["type"] == "error":
                raise RuntimeError(m)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--torch-python", help="an interpreter with torch, for the baseline")
    parser.add_argument("--torch-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_only is not None:
        print(*torch_rate(*NETS[args.torch_only][1:]))  # type: ignore[misc]
        return
    from bench.stream import Server

    # Each side measured alone: the core and torch before the server starts, so neither shares
    # the two cores with it.
    cores = [core_rate(*net) for _, *net in NETS]
    bare = [training_step_rate(*net) for _, *net in NETS]
    floors = [matmul_floor(*net) for _, *net in NETS]
    torch_rates = [torch_rate_in(args.torch_python, i) for i in range(len(NETS))]
    with Server("app.main:app") as server:
        for (name, *net), core, step, floor, torch_r in zip(NETS, cores, bare, floors,
                                                           torch_rates, strict=True):
            wss = [asyncio.run(ws_rate(server, *net)) for _ in range(2)]
            ws = (max(w for w, _ in wss), max(c for _, c in wss))
            ws_sharp = max(asyncio.run(ws_rate(server, *net, sharpness=True))[0]
                           for _ in range(2))
            print(f"{name}:")
            for i, clock in enumerate(("wall", "CPU")):
                vs_torch = (f"{core[i] / torch_r[i]:.2f}x torch ({torch_r[i]:,.0f} steps/s)"
                            if torch_r else "torch not installed")
                print(f"  per {clock} second: core {core[i]:,.0f} steps/s = {vs_torch}; "
                      f"/ws {ws[i]:,.0f} steps/s = {ws[i] / core[i]:.0%} of the core")
            print(f"  /ws with the default sharpness readings: {ws_sharp:,.0f} steps/s (wall)")
            if torch_r:
                print(f"  the training step alone, like for like with the torch loop (CPU): "
                      f"{step[1]:,.0f} steps/s = {step[1] / torch_r[1]:.2f}x torch")
                print(f"  the matrix products alone (CPU): {floor[1]:,.0f} steps/s = "
                      f"{floor[1] / torch_r[1]:.2f}x torch: the most any float64 NumPy step "
                      f"can reach")

if __name__ == "__main__":
    np.seterr(all="ignore")
    keep_freed_memory()  # as the server does (app/main.py): the core measured as it runs there
    main()
