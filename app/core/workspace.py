"""Where the network's passes compute: the bias folded into the weights, samples as columns, and
the arrays a training step reuses from one step to the next.

The bias is one more input whose value is always 1: z_l^T = [W_l | b_l] @ [a_{l-1}^T; 1], one
matrix product per layer and no pass adding b over the batch (broadcasting a (32,) bias over a
(500, 32) batch takes 7 us, a third of the product); the backward pass gets [dW_l | db_l] from
one product the same way. Samples are columns (feature-major) so that the row of ones and every
layer's rows are contiguous; the (N, width) arrays the rest of the core reads are transposed
views of these. On a 32-32-32 net and 500 points a forward and backward pass takes ~230 us
instead of ~280 (`bench/network.py`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
# Per batch size: [a_{l-1}^T; 1] (in + 1, N) and z_l^T (out, N) of every layer, dL/da_l^T
# (width, N) of every hidden layer.
Arrays = tuple[list[Array], list[Array], list[Array]]


class Augmented:
    """theta's [W_l | b_l] blocks, each (out, in + 1) row-major, one after the other: theta
    permuted by `order` (one `take`), and back by `inverse`."""

    def __init__(self, sizes: tuple[int, ...]) -> None:
        blocks, k = [], 0
        for i, o in zip(sizes[:-1], sizes[1:], strict=True):
            w = k + np.arange(o * i).reshape(o, i)  # W's indices in theta, row-major
            b = k + o * i + np.arange(o)
            blocks.append(np.concatenate([w, b[:, None]], axis=1).ravel())
            k += o * i + o
        self.sizes = sizes
        self.order = np.concatenate(blocks)  # (P,)
        self.inverse = np.argsort(self.order)
        self.shapes = [(o, i + 1) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]

    def blocks(self, flat: Array) -> list[Array]:
        """[W_l | b_l] (out, in + 1) views of a vector laid out in this order."""
        out, k = [], 0
        for o, i1 in self.shapes:
            out.append(flat[k : k + o * i1].reshape(o, i1))
            k += o * i1
        return out

    def arrays(self, n: int) -> Arrays:
        """Fresh arrays for one pass over n samples, the inputs' row of ones set."""
        sizes = self.sizes
        ins = [np.empty((s + 1, n)) for s in sizes[:-1]]
        for a in ins:
            a[-1] = 1.0
        return (ins, [np.empty((o, n)) for o in sizes[1:]],
                [np.empty((s, n)) for s in sizes[1:-1]])


class Workspace:
    """The arrays a training step's passes write into, kept from one step to the next: what a
    pass with it returns holds until its next pass. One set per batch size (a minibatch run
    uses two or three: its batches, the last smaller one, and the whole set)."""

    def __init__(self, layout: Augmented) -> None:
        self.layout = layout
        p = len(layout.order)
        self.weights_flat, self.grad_flat = np.empty(p), np.empty(p)
        self.weights = layout.blocks(self.weights_flat)  # [W_l | b_l]
        self.grads = layout.blocks(self.grad_flat)  # [dW_l | db_l]
        self._sets: dict[int, Arrays] = {}

    def arrays(self, n: int) -> Arrays:
        got = self._sets.get(n)
        if got is None:
            if len(self._sets) >= 3:
                self._sets.clear()
            got = self._sets[n] = self.layout.arrays(n)
        return got
