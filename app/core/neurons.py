"""What each hidden unit does: its activation over the input plane, as tensorflow/playground draws a
small map in every neuron. One forward pass over a coarse grid gives every unit's map at once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.core.mlp import MLP

Array = NDArray[np.float64]


def unit_maps(model: MLP, theta: Array, xs: Array, ys: Array | None = None,
              decimals: int = 2) -> list[Array]:
    """Per hidden layer, every unit's activation a_l over the grid: (units, len(ys), len(xs)) for
    2-D inputs (map[u, i, j] at (xs[j], ys[i])), or (units, len(xs)) along the line for 1-D
    inputs (ys None). Rounded to `decimals`: a map is a picture, and the bytes stay few."""
    xs = np.asarray(xs, dtype=np.float64)
    if ys is None:
        points = xs[:, None]  # (nx, 1)
        shape: tuple[int, ...] = (len(xs),)
    else:
        gx, gy = np.meshgrid(xs, ys)
        points = np.column_stack([gx.ravel(), gy.ravel()])  # (ny * nx, 2)
        shape = (len(ys), len(xs))
    if points.shape[1] != model.sizes[0]:
        raise ValueError(f"unit maps need {model.sizes[0]}-D inputs on the grid, got "
                         f"{points.shape[1]}-D")
    with np.errstate(all="ignore"):
        acts = model.forward(theta, points).acts[1:-1]  # hidden layers: (points, units) each
        return [np.round(a.T.reshape(a.shape[1], *shape), decimals) + 0.0 for a in acts]
