"""Time a 101 x 101 loss landscape of a 2-16-16-2 tanh MLP on 500 points of moons.

Prints the batched NumPy time (app/core/landscape_grid.py), its ratio to a naive per-point loop
in NumPy and, when torch is installed, to a per-point PyTorch loop written the way the reference
loss-landscape code (tomgoldstein/loss-landscape: set_weights, then eval_loss) does it; and the
FLOP-bound floor at this machine's float32 matmul peak, measured in the same run.

Run: `.venv/bin/python bench/landscape.py`. torch is optional (not a dependency): to include it,
run with an interpreter that has torch, e.g. `PYTHONPATH=. /tmp/torchenv/bin/python
bench/landscape.py`. Figures go in docs/performance.md.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.datasets import make_dataset  # noqa: E402
from app.core.directions import random_plane  # noqa: E402
from app.core.landscape import train  # noqa: E402
from app.core.landscape_grid import SliceEvaluator, naive_losses  # noqa: E402
from app.core.mlp import MLP  # noqa: E402
from app.core.runs import RunConfig  # noqa: E402

N_GRID = 101
N_POINTS = 500
SIZES = (2, 16, 16, 2)
ROUNDS = 3


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def matmul_peak_gflops() -> float:
    """float32 GFLOP/s of a 2048^3 matmul, all cores (what OpenBLAS gives a big GEMM)."""
    a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
    a @ a
    t = best_of(lambda: a @ a, 5)
    return 2 * 2048**3 / t / 1e9


def grid_flops(model: MLP, n_points: int, n_grid: int) -> float:
    """Multiply-adds of every point's forward pass (2 FLOPs each, biases included)."""
    per_sample = sum(2 * (i + 1) * o for o, i in model.shapes)
    return float(per_sample * n_points * n_grid * n_grid)


def plain_batched(model: MLP, plane, x: np.ndarray, y: np.ndarray, dtype: type, chunk: int = 64):
    """The grid as a batch dimension and nothing more: per chunk of points, each layer's
    weights (g, out, in), a batched matmul, np.tanh, a generic softmax cross-entropy. For
    comparison with the evaluator's algebra (first layer affine, exp-form tanh, mesh tables)."""
    params = [model.unflatten(v) for v in (plane.centre, plane.d1, plane.d2)]
    layers = [tuple(np.asarray(p[k][j], dtype=dtype) for p in params for j in (0, 1))
              for k in range(model.n_layers)]
    xt, yt = np.asarray(x.T, dtype=dtype), np.asarray(y.T, dtype=dtype)  # (in, N), (K, N)

    def run(offsets: np.ndarray) -> np.ndarray:
        out = np.empty(len(offsets))
        for s in range(0, len(offsets), chunk):
            a = offsets[s : s + chunk, 0].astype(dtype)[:, None, None]
            b = offsets[s : s + chunk, 1].astype(dtype)[:, None, None]
            h = xt
            for k, (W0, b0, W1, b1, W2, b2) in enumerate(layers):
                W = W0 + a * W1 + b * W2  # (g, out, in)
                bias = b0[:, None] + a * b1[:, None] + b * b2[:, None]  # (g, out, 1)
                h = W @ h + bias  # (g, out, N)
                if k < len(layers) - 1:
                    np.tanh(h, out=h)
            m = h.max(axis=1, keepdims=True)
            lse = np.log(np.exp(h - m).sum(axis=1)) + m[:, 0]
            out[s : s + chunk] = (lse - (h * yt).sum(axis=1)).mean(axis=1)
        return out

    return run


def torch_loop(model: MLP, plane, x, labels, offsets) -> Callable[[], np.ndarray]:
    """The reference code's recipe per grid point: set_weights(net, w, [dx, dy], step), then
    eval_loss: net.eval(); with no_grad: loss = criterion(net(inputs), targets); loss.item()."""
    import torch

    torch.manual_seed(0)
    layers = []
    for k, (o, i) in enumerate(model.shapes):
        layers.append(torch.nn.Linear(i, o))
        if k < model.n_layers - 1:
            layers.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*layers)

    def tensors(v: np.ndarray) -> list:
        return [torch.tensor(a, dtype=torch.float32) for W, b in model.unflatten(v) for a in (W, b)]

    weights, dx, dy = tensors(plane.centre), tensors(plane.d1), tensors(plane.d2)
    inputs = torch.tensor(x, dtype=torch.float32)
    targets = torch.tensor(labels, dtype=torch.int64)
    criterion = torch.nn.CrossEntropyLoss()

    def set_weights(step: tuple[float, float]) -> None:  # as net_plotter.set_weights
        changes = [d0 * step[0] + d1 * step[1] for d0, d1 in zip(dx, dy, strict=True)]
        for p, w, d in zip(net.parameters(), weights, changes, strict=True):
            p.data = w + torch.Tensor(d).type(type(w))

    def run() -> np.ndarray:
        out = np.empty(len(offsets))
        for k, (a, b) in enumerate(offsets):
            set_weights((float(a), float(b)))
            net.eval()
            with torch.no_grad():
                out[k] = criterion(net(inputs), targets).item()
        return out

    return run


def main() -> None:
    data = make_dataset("moons", N_POINTS, seed=0)
    model = MLP.build(SIZES, "tanh", "cross_entropy")
    y = model.targets(data.y)
    theta0 = model.init(np.random.default_rng(0))
    final = train(model, theta0, data.x, y, 300, [RunConfig("adam", lr=0.01)])[0].final
    plane = random_plane(model, final, np.random.default_rng(1))
    c = np.linspace(-1.0, 1.0, N_GRID)
    A, B = np.meshgrid(c, c)
    offsets = np.column_stack([A.ravel(), B.ravel()])  # (G, 2), row-major like the mesh

    print(f"{N_GRID} x {N_GRID} landscape, MLP {'-'.join(map(str, SIZES))} tanh, "
          f"{N_POINTS} moons points, random filter-normalised plane")
    ev = SliceEvaluator(model, plane, data.x, y, dtype=np.float32)
    grid = ev.mesh(c, c)
    ev1 = SliceEvaluator(model, plane, data.x, y, dtype=np.float32, workers=1)
    t_one = best_of(lambda: ev1.mesh(c, c), 3)
    ev64 = SliceEvaluator(model, plane, data.x, y, dtype=np.float64)
    t_64 = best_of(lambda: ev64.mesh(c, c), 1)
    plain32, plain64 = (plain_batched(model, plane, data.x, y, dt) for dt in (np.float32,
                                                                           np.float64))
    t_plain32 = best_of(lambda: plain32(offsets), 2)
    t_plain64 = best_of(lambda: plain64(offsets), 1)

    t0 = time.perf_counter()
    naive = naive_losses(model, plane, offsets, data.x, y).reshape(N_GRID, N_GRID)
    t_naive = time.perf_counter() - t0

    # Other processes share these 2 cores: time the batched evaluator and the torch loop in
    # alternating rounds and keep each one's best, so a busy moment does not favour either.
    try:
        import torch
    except ImportError:
        torch = None
    run = torch_loop(model, plane, data.x, data.y, offsets) if torch else None
    t_batched, t_torch, peak = float("inf"), float("inf"), 0.0
    for _ in range(ROUNDS):
        peak = max(peak, matmul_peak_gflops())
        t_batched = min(t_batched, best_of(lambda: ev.mesh(c, c), 5))
        if run is not None:
            t_torch = min(t_torch, best_of(run, 1))

    flops = grid_flops(model, N_POINTS, N_GRID)
    floor = flops / (peak * 1e9)
    print(f"float32 matmul peak: {peak:.1f} GFLOP/s -> FLOP-bound floor {floor * 1e3:.1f} ms "
          f"({flops / 1e9:.2f} GFLOP)")

    print(f"batched NumPy float32:      {t_batched * 1e3:8.1f} ms  "
          f"({floor / t_batched:.0%} of the FLOP floor; 1 thread: {t_one * 1e3:.1f} ms; "
          f"the same in float64: {t_64 * 1e3:.0f} ms)")
    print(f"plain batched (np.tanh):    {t_plain32 * 1e3:8.1f} ms float32, "
          f"{t_plain64 * 1e3:.0f} ms float64")
    print(f"naive NumPy per-point loop: {t_naive * 1e3:8.1f} ms  "
          f"-> batched is {t_naive / t_batched:.1f}x faster "
          f"(max |diff| {np.abs(grid - naive).max():.1e})")
    if run is None:
        print("torch not installed: no per-point PyTorch loop to compare with")
        return
    ref = run().reshape(N_GRID, N_GRID)
    print(f"PyTorch {torch.__version__} per-point loop ({torch.get_num_threads()} threads): "
          f"{t_torch * 1e3:8.1f} ms  -> batched is {t_torch / t_batched:.1f}x faster "
          f"(max |diff| {np.abs(grid - ref).max():.1e})")


if __name__ == "__main__":
    main()
