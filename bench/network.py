"""Network runs: what the network view waits on. For two nets, full batch, adam, in one run:

1. the core's steps per second (NetworkRun.advance, as a live session takes them: every step's
   loss, accuracy, gradient norms and plane coordinates);
2. a PyTorch training loop's (same net and data, float64, torch.set_num_threads(1)), when torch
   is importable;
3. run-steps per second delivered over /ws at speed 0 with decision boundaries on (a real
   server in another process, one client, columns as the page asks).

Goals (issue #11): the core at least 3x the torch loop on both nets; /ws at least 80% of the core.

Run: `.venv/bin/python bench/network.py [--torch-python /tmp/torchenv/bin/python]`: torch is not a
dependency, so its loop runs in an interpreter that has it (this script in a subprocess, with
`--torch-only`). Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.datasets import DATASETS, make_dataset  # noqa: E402
from app.core.mlp import MLP  # noqa: E402
from app.core.runs import NetworkRun, RunConfig, make_problem  # noqa: E402

NETS = [  # (name, dataset, n, hidden, activation)
    ("2-16-16-2 tanh, 200 moons", "moons", 200, [16, 16], "tanh"),
    ("2-32-32-32-K relu, 500 spirals", "spirals", 500, [32, 32, 32], "relu"),
]
STEPS = 1_000
WS_STEPS = 2_000


def core_rate(dataset: str, n: int, hidden: list[int], activation: str) -> float:
    data = make_dataset(dataset, n, seed=0)
    k = DATASETS[dataset].default_classes
    model = MLP.build([2, *hidden, k], activation, "cross_entropy")
    problem = make_problem(model, data.x, data.y, 0)
    best = 0.0
    for _ in range(3):
        run = NetworkRun(problem, RunConfig("adam", lr=0.01))
        out = run.columns()
        t0 = time.perf_counter()
        run.advance(STEPS, out)
        best = max(best, STEPS / (time.perf_counter() - t0))
    return best


def torch_rate(dataset: str, n: int, hidden: list[int], activation: str) -> float | None:
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
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(STEPS):
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
        best = max(best, STEPS / (time.perf_counter() - t0))
    return best


def torch_rate_in(python: str | None, index: int) -> float | None:
    """The torch loop's rate for NETS[index], here or in another interpreter."""
    rate = torch_rate(*NETS[index][1:])
    if rate is not None or not python:
        return rate
    out = subprocess.run([python, __file__, "--torch-only", str(index)], capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT)})
    return float(out.stdout.strip())


async def ws_rate(url: str, dataset: str, n: int, hidden: list[int], activation: str,
                  sharpness: bool = False) -> float:
    import orjson
    import websockets

    start = {"type": "start", "dataset": {"id": dataset, "n": n}, "speed": 0, "columns": True,
             "network": {"hidden": hidden, "activation": activation}, "steps": WS_STEPS,
             "runs": [{"optimizer": "adam", "lr": 0.01}]}
    if not sharpness:  # like for like with the core's loop, which measures no sharpness
        start["sharpness_every"] = 0
    async with websockets.connect(url, max_size=None) as ws:
        await ws.recv()  # welcome
        await ws.send(orjson.dumps(start).decode())
        t0 = None
        while True:
            m = orjson.loads(await ws.recv())
            if m["type"] == "started":
                t0 = time.perf_counter()
            elif m["type"] == "done":
                assert t0 is not None
                return WS_STEPS / (time.perf_counter() - t0)
            elif m["type"] == "error":
                raise RuntimeError(m)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--torch-python", help="an interpreter with torch, for the baseline")
    parser.add_argument("--torch-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_only is not None:
        print(torch_rate(*NETS[args.torch_only][1:]))
        return
    from bench.stream import Server

    # Each side measured alone: the core and torch before the server starts, so neither shares
    # the two cores with it.
    cores = [core_rate(*net) for _, *net in NETS]
    torch_rates = [torch_rate_in(args.torch_python, i) for i in range(len(NETS))]
    with Server("app.main:app") as server:
        for (name, *net), core, torch_r in zip(NETS, cores, torch_rates, strict=True):
            ws = max(asyncio.run(ws_rate(server.url, *net)) for _ in range(2))
            ws_sharp = max(asyncio.run(ws_rate(server.url, *net, sharpness=True))
                           for _ in range(2))
            vs_torch = f"{core / torch_r:.2f}x torch ({torch_r:,.0f} steps/s)" if torch_r else \
                "torch not installed"
            print(f"{name}: core {core:,.0f} steps/s = {vs_torch}; /ws {ws:,.0f} steps/s = "
                  f"{ws / core:.0%} of the core (with the default sharpness readings: "
                  f"{ws_sharp:,.0f} steps/s)")

if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
