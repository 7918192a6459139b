"""Take the network with you: a short PyTorch script (`torch.nn.Sequential`, its weights inline)
and a NumPy `.npz`, both exact (every weight written with the shortest repr that reads back the
same float64).

The script needs only torch; Gradscape is not imported. Its `predict(x)` gives what
`MLP.predict` gives: class probabilities (softmax of the logits) or regression values. Each of
our activations has its torch module (LEAKY_SLOPE is torch's default negative_slope).
"""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray

from app.core.activations import LEAKY_SLOPE
from app.core.mlp import MLP

Array = NDArray[np.float64]

TORCH_ACTIVATIONS = {
    "relu": "torch.nn.ReLU()",
    "leaky_relu": f"torch.nn.LeakyReLU({LEAKY_SLOPE})",
    "tanh": "torch.nn.Tanh()",
    "sigmoid": "torch.nn.Sigmoid()",
    "linear": "torch.nn.Identity()",
}


def _numbers(a: Array) -> str:
    """Nested lists of floats, each as its shortest exact repr."""
    if a.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in a) + "]"
    return "[\n    " + ",\n    ".join(_numbers(row) for row in a) + ",\n]"


def torch_script(model: MLP, theta: Array) -> str:
    """A self-contained PyTorch script that rebuilds the network with these weights."""
    if set(model.activations) - set(TORCH_ACTIVATIONS):
        raise ValueError(f"no torch module for {sorted(set(model.activations))}")
    sizes = "-".join(str(s) for s in model.sizes)
    lines = [
        f'"""A {sizes} network exported from Gradscape '
        f'({", ".join(model.activations) or "no"} hidden layers, {model.loss_fn.name}).',
        "",
        "    python this_file.py    # prints the predictions at a few points",
        '"""',
        "",
        "import torch",
        "",
        "model = torch.nn.Sequential(",
    ]
    for layer, (o, i) in enumerate(model.shapes, start=1):
        lines.append(f"    torch.nn.Linear({i}, {o}),")
        act = model.activation(layer)
        if act is not None:
            lines.append(f"    {TORCH_ACTIVATIONS[act.id]},")
    lines += [").double()", "", "# Per Linear layer: W (out, in) and b (out,), as trained.", ""]
    for layer, (W, b) in enumerate(model.unflatten(theta), start=1):
        lines += [f"W{layer} = {_numbers(W)}", f"b{layer} = {_numbers(b)}"]
    linears = ", ".join(f"(W{k}, b{k})" for k in range(1, model.n_layers + 1))
    output = ("torch.softmax(z, dim=-1)  # class probabilities"
              if model.loss_fn.output == "softmax" else "z  # the regression values")
    lines += [
        "",
        "with torch.no_grad():",
        "    linears = [m for m in model if isinstance(m, torch.nn.Linear)]",
        f"    for linear, (W, b) in zip(linears, [{linears}]):",
        "        linear.weight.copy_(torch.tensor(W, dtype=torch.float64))",
        "        linear.bias.copy_(torch.tensor(b, dtype=torch.float64))",
        "",
        "",
        "def predict(x):",
        f'    """x: (N, {model.sizes[0]}) inputs -> (N, {model.sizes[-1]}) predictions."""',
        "    with torch.no_grad():",
        "        z = model(torch.as_tensor(x, dtype=torch.float64))",
        f"        return {output}",
        "",
        "",
        'if __name__ == "__main__":',
        f"    print(predict(torch.zeros(1, {model.sizes[0]})))",
        "",
    ]
    return "\n".join(lines)


def npz_bytes(model: MLP, theta: Array) -> bytes:
    """W1, b1, W2, b2, ... (W of shape (out, in)), with `sizes`, `activations` and `loss`:
    np.load(file) reads it back."""
    arrays: dict[str, NDArray] = {"sizes": np.array(model.sizes),
                                  "activations": np.array(model.activations, dtype=str),
                                  "loss": np.array(model.loss)}
    for layer, (W, b) in enumerate(model.unflatten(theta), start=1):
        arrays[f"W{layer}"], arrays[f"b{layer}"] = np.array(W), np.array(b)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def read_npz(data: bytes) -> tuple[MLP, Array]:
    """The network and weights of `npz_bytes`."""
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        sizes = tuple(int(s) for s in f["sizes"])
        model = MLP(sizes, tuple(str(a) for a in f["activations"]), str(f["loss"]))
        theta = MLP.flatten([(f[f"W{k}"], f[f"b{k}"]) for k in range(1, len(sizes))])
    return model, theta
