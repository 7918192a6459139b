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


class Weights:
    """A vector in the augmented order and its views: [W_l | b_l] (out, in + 1) blocks, each
    W_l^T (in, out), and W_l and b_l (for the gradient: dW_l and db_l)."""

    def __init__(self, flat: Array, shapes: list[tuple[int, int]]) -> None:
        self.flat = flat
        self.blocks: list[Array] = []
        k = 0
        for o, i1 in shapes:
            self.blocks.append(flat[k : k + o * i1].reshape(o, i1))
            k += o * i1
        self.W = [Wb[:, :-1] for Wb in self.blocks]
        self.W_T = [W.T for W in self.W]
        self.b = [Wb[:, -1] for Wb in self.blocks]


class Buffers:
    """One pass's arrays over n samples, samples as columns, with the (N, width) views the rest
    of the core reads: [a_{l-1}^T; 1] (in + 1, N) per layer (the row of ones set once), z_l^T
    (out, N) per layer, dL/da_l^T (width, N) per hidden layer."""

    def __init__(self, sizes: tuple[int, ...], n: int) -> None:
        self.ins = [np.empty((s + 1, n)) for s in sizes[:-1]]
        for a in self.ins:
            a[-1] = 1.0
        self.ins_T = [a.T for a in self.ins]  # (N, in + 1)
        self.x_T = self.ins[0][:-1]  # x^T is copied here
        self.acts = [a[:-1].T for a in self.ins[1:]]  # hidden a_l (N, width), written in place
        self.zs = [np.empty((o, n)) for o in sizes[1:]]
        self.zs_T = [z.T for z in self.zs]  # (N, out)
        self.das = [np.empty((s, n)) for s in sizes[1:-1]]
        self.das_T = [d.T for d in self.das]  # (N, width)


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

    def weights(self, flat: Array | None = None) -> Weights:
        """Views of `flat` (P,) in this order (a new vector if None)."""
        return Weights(np.empty(len(self.order)) if flat is None else flat, self.shapes)

    def buffers(self, n: int) -> Buffers:
        return Buffers(self.sizes, n)


class Workspace:
    """The arrays a training step's passes write into, kept from one step to the next: what a
    pass with it returns holds until its next pass. One set of buffers per batch size (a
    minibatch run uses two or three: its batches, the last smaller one, and the whole set)."""

    def __init__(self, layout: Augmented) -> None:
        self.layout = layout
        self.weights = layout.weights()  # [W_l | b_l] of the pass
        self.grads = layout.weights()  # [dW_l | db_l] of the pass
        self._sets: dict[int, Buffers] = {}

    def buffers(self, n: int) -> Buffers:
        got = self._sets.get(n)
        if got is None:
            if len(self._sets) >= 3:
                self._sets.clear()
            got = self._sets[n] = self.layout.buffers(n)
        return got
