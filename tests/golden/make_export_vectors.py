"""Regenerate tests/golden/export.json: Gradscape's exported PyTorch scripts, run in torch.

Run it with a Python that has torch (torch is not a dependency of Gradscape):

    /work/torchenv/bin/python tests/golden/make_export_vectors.py

For a few seeded networks (every activation, both losses) it exports the script with
app/core/export.py, executes it in torch, and stores the script's text, the inputs and torch's
predictions. tests/core/test_export.py re-exports the same networks, checks that the script is
the one torch ran, and that Gradscape's predictions equal torch's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core.export import torch_script  # noqa: E402
from app.core.mlp import MLP  # noqa: E402

OUT = Path(__file__).with_name("export.json")

# (sizes, hidden activations, loss, seed): the networks the test re-exports.
NETWORKS = [
    ((2, 5, 4, 3), ("tanh", "relu"), "cross_entropy", 0),
    ((2, 6, 2), ("leaky_relu",), "cross_entropy", 1),
    ((1, 7, 5, 1), ("sigmoid", "linear"), "mse", 2),
]


def network(sizes, activations, loss, seed):
    """The network, its weights (init plus noise: nonzero biases) and a few inputs."""
    model = MLP(sizes, activations, loss)
    rng = np.random.default_rng(seed)
    theta = model.init(rng) + 0.1 * rng.standard_normal(model.n_params)
    x = rng.standard_normal((6, sizes[0]))
    return model, theta, x


def main() -> None:
    import torch  # here, so that the tests import NETWORKS and network() without torch

    cases = []
    for sizes, activations, loss, seed in NETWORKS:
        model, theta, x = network(sizes, activations, loss, seed)
        script = torch_script(model, theta)
        scope: dict = {"__name__": "gradscape_export"}
        exec(compile(script, "<export>", "exec"), scope)  # the script as a user would run it
        predictions = scope["predict"](torch.tensor(x)).numpy()
        cases.append({"sizes": list(sizes), "activations": list(activations), "loss": loss,
                      "seed": seed, "script": script, "x": x.tolist(),
                      "predictions": predictions.tolist()})
    OUT.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
    print(f"wrote {OUT} ({len(cases)} networks, torch {torch.__version__})")


if __name__ == "__main__":
    main()
