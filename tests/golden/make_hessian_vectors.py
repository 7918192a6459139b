"""Regenerate tests/golden/hessian.json from PyTorch, the oracle for app/core/hessian.py. The
tests read the JSON and never import torch.

Run it in a separate virtualenv (torch is not a dependency of Gradscape):

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tests/golden/make_hessian_vectors.py

For a few small networks (every activation at least once, both losses) at fixed weights and
data, all in float64: the mean loss, its gradient, the whole Hessian by
torch.autograd.functional.hessian, and Hessian-vector products along two stored directions by
torch.autograd.functional.hvp. The network is written here in torch ops over one flat theta in
Gradscape's layout (app/core/mlp.py: per layer W (out, in) row-major, then b), with the torch
function that equals each activation of app/core/activations.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).with_name("hessian.json")
LEAKY_SLOPE = 0.01  # app/core/activations.py LEAKY_SLOPE (torch's default negative_slope)

# The same function as Gradscape's activation of that id.
ACTIVATIONS = {
    "relu": torch.relu,  # max(0, z); derivative 0 at z = 0 in both
    "leaky_relu": lambda z: F.leaky_relu(z, LEAKY_SLOPE),  # z if z > 0 else 0.01 z
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,  # 1 / (1 + e^-z)
    "linear": lambda z: z,
}

# (name, sizes, hidden activations, loss, samples, seed)
CASES = [
    ("tanh-ce", (2, 4, 3), ("tanh",), "cross_entropy", 9, 0),
    ("relu-ce", (3, 4, 3, 2), ("relu", "relu"), "cross_entropy", 8, 1),
    ("leaky-sigmoid-mse", (2, 3, 3, 2), ("leaky_relu", "sigmoid"), "mse", 7, 2),
    ("sigmoid-mse", (1, 5, 1), ("sigmoid",), "mse", 10, 3),
    ("linear-tanh-ce", (2, 3, 3, 3), ("linear", "tanh"), "cross_entropy", 6, 4),
    ("logistic-ce", (3, 3), (), "cross_entropy", 5, 5),
]


def layout(sizes: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """(start, out, in, end) of each layer's W then b in theta."""
    out, k = [], 0
    for i, o in zip(sizes[:-1], sizes[1:], strict=True):
        out.append((k, o, i, k + o * i + o))
        k += o * i + o
    return out


def loss_fn(sizes, activations, loss, x, y):
    def f(theta: torch.Tensor) -> torch.Tensor:
        a = x
        layers = layout(sizes)
        for n, (start, o, i, _) in enumerate(layers):
            W = theta[start : start + o * i].reshape(o, i)
            b = theta[start + o * i : start + o * i + o]
            z = a @ W.T + b
            a = ACTIVATIONS[activations[n]](z) if n < len(layers) - 1 else z
        if loss == "cross_entropy":  # soft targets: -sum_k y_k log softmax(z)_k, mean over N
            return -(y * torch.log_softmax(a, dim=-1)).sum(dim=-1).mean()
        return ((a - y) ** 2).mean()  # mean over outputs, then over samples

    return f


def case(name, sizes, activations, loss, n, seed) -> dict:
    rng = np.random.default_rng(seed)
    p = layout(sizes)[-1][3]
    theta = rng.normal(0.0, 0.8, p)
    x = rng.normal(0.0, 1.0, (n, sizes[0]))
    k = sizes[-1]
    y = np.eye(k)[rng.integers(0, k, n)] if loss == "cross_entropy" else rng.normal(0, 1, (n, k))
    vs = rng.normal(0.0, 1.0, (2, p))
    t = torch.tensor(theta, dtype=torch.float64)
    f = loss_fn(sizes, activations, loss, torch.tensor(x), torch.tensor(y))
    t.requires_grad_(True)
    value = f(t)
    (grad,) = torch.autograd.grad(value, t)
    hess = torch.autograd.functional.hessian(f, t.detach())
    hvps = [torch.autograd.functional.hvp(f, t.detach(), torch.tensor(v))[1] for v in vs]
    return {
        "name": name, "sizes": list(sizes), "activations": list(activations), "loss": loss,
        "theta": theta.tolist(), "x": x.tolist(), "y": y.tolist(),
        "loss_value": float(value.detach()), "grad": grad.tolist(), "hessian": hess.tolist(),
        "directions": vs.tolist(), "hvps": [h.tolist() for h in hvps],
    }


def main() -> None:
    torch.set_default_dtype(torch.float64)
    data = {
        "torch": torch.__version__,
        "note": "regenerate with tests/golden/make_hessian_vectors.py (float64)",
        "cases": [case(*c) for c in CASES],
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT} ({len(data['cases'])} networks)")


if __name__ == "__main__":
    main()
