"""The loss on a plane of weight space, evaluated for many points at once (the grid as a batch).

Point (a, b) of the plane has weights W(a, b) = W0 + a D1 + b D2 in every layer. Instead of one
forward pass per point, a chunk of g points goes through the network together, in a
(grid, feature, sample) layout: layer l is one batched matmul (g, out, in+1) @ (g, in+1, N),
the bias riding along as a constant row of ones. Chunks are sized to stay near the L2 cache,
their buffers are reused, and the chunks are shared out between threads (NumPy releases the GIL).
On a 2-core machine this is tens of times faster than a per-point loop (bench/landscape.py).

Four pieces of algebra do the rest (all exact up to rounding):
1. The first layer's pre-activations are affine in (a, b): Z1 = P0 + a P1 + b P2, three (h, N)
   matrices computed once. Hidden layers need no other per-point work than their matmul.
2. tanh and sigmoid are written a = alpha + beta s, s = 1 / (1 + exp(kappa z)) (tanh: kappa = 2,
   alpha = 1, beta = -2). kappa is folded into the layer's own weights and alpha, beta into the
   next layer's (W' = beta W, b' = b + alpha W 1): the transforms are linear, so they apply to
   W0, D1 and D2 once. Per element that leaves exp, add, divide: cheaper than np.tanh.
3. On a mesh (a_i, b_j), exp(Z1) = exp(P0 + b_j P2) * exp(a_i P1): a row table times a column
   table, so the first layer costs no exp at all. Used only when neither table can overflow.
4. With two classes, cross-entropy depends only on the logit difference d = z1 - z0
   (loss = softplus(d) - y1 d): the output layer shrinks to the single row W[1] - W[0].
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.core.activations import LEAKY_SLOPE
from app.core.cancellation import StopCheck, check
from app.core.directions import Plane
from app.core.mlp import MLP

Array = NDArray[np.float64]
# a = alpha + beta / (1 + exp(kappa z)) for the activations that are a logistic in disguise.
_EXP_FORM = {"tanh": (2.0, 1.0, -2.0), "sigmoid": (-1.0, 0.0, 1.0)}
_EXP_SAFE = 80.0  # |exponent| below which exp stays finite and nonzero in float32 (88.7)
CHUNK_BYTES = 1 << 21  # one layer's buffer per chunk: ~2 MiB measured best on 2 cores


@dataclass
class _Layer:
    W: tuple[NDArray, NDArray, NDArray]  # W0, D1, D2 as (out, in + 1): bias in the last column
    act: str  # hidden activation id, or "" for the output layer
    exp_form: bool  # stored as s = 1 / (1 + exp(z~)); the next layer's W undoes the affine map


class SliceEvaluator:
    """Losses of `model` on (x, y) at many points of `plane`, in `dtype` (float32: fast)."""

    def __init__(
        self, model: MLP, plane: Plane, x: Array, y: Array, dtype: type = np.float32,
        workers: int | None = None, should_stop: StopCheck | None = None,
    ) -> None:
        self.model, self.dtype = model, np.dtype(dtype)
        self.should_stop = should_stop  # checked before each chunk: raises Cancelled
        self.loss_id = model.loss
        self.workers = workers or min(os.cpu_count() or 1, 4)
        x = np.asarray(x, dtype=np.float64)
        self.n = len(x)
        self.yT = np.ascontiguousarray(np.asarray(y, dtype=np.float64).T, dtype=self.dtype)
        planes = [model.unflatten(v) for v in (plane.centre, plane.d1, plane.d2)]
        layers: list[_Layer] = []
        carry: tuple[float, float] | None = None  # (alpha, beta) of the previous layer
        for k in range(model.n_layers):
            mats = []
            for params in planes:
                W, b = params[k]
                if carry is not None:  # undo the previous layer's s-representation
                    alpha, beta = carry
                    W, b = beta * W, b + alpha * W.sum(axis=1)
                mats.append(np.column_stack([W, b]))  # (out, in + 1), float64
            act = model.activations[k] if k < model.n_layers - 1 else ""
            kab = _EXP_FORM.get(act)
            if kab is not None:
                mats = [kab[0] * m for m in mats]  # the layer computes z~ = kappa z
            carry = (kab[1], kab[2]) if kab is not None else None
            layers.append(_Layer(tuple(mats), act, kab is not None))
        if self.loss_id == "cross_entropy" and model.sizes[-1] == 2:
            # Half the output matmul, one exp and one log per sample (point 4 above).
            self.loss_id = "cross_entropy_2"
            last = layers[-1]
            last.W = tuple(m[1:2] - m[0:1] for m in last.W)
        # Layer 1 on the data, once: Z1 = P0 + a P1 + b P2, each (h1, N), in float64.
        xa = np.vstack([x.T, np.ones(self.n)])  # (inputs + 1, N)
        self.P = tuple(m @ xa for m in layers[0].W)
        self.P_dtype = tuple(p.astype(self.dtype) for p in self.P)
        self.layers = [
            _Layer(tuple(m.astype(self.dtype) for m in layer.W), layer.act, layer.exp_form)
            for layer in layers
        ]
        widest = max(model.sizes[1:]) + 1
        self.chunk = max(1, CHUNK_BYTES // (widest * self.n * self.dtype.itemsize))

    # --- public entry points ---------------------------------------------------------------

    def points(self, coords: Array) -> Array:
        """(G, 2) plane offsets -> (G,) losses (float64 array of `dtype`-precision values)."""
        coords = np.atleast_2d(np.asarray(coords, dtype=np.float64))
        G = len(coords)
        pieces = [(s, min(s + self.chunk, G)) for s in range(0, G, self.chunk)]
        out = np.empty(G)

        def run(piece: tuple[int, int], bufs: dict) -> None:
            s, e = piece
            a, b = coords[s:e, 0], coords[s:e, 1]
            first = self._first_affine(a, b, bufs)
            out[s:e] = self._rest(a, b, first, bufs)

        self._parallel(pieces, run)
        return out

    def mesh(self, c1: Array, c2: Array) -> Array:
        """Offsets c1 (n1,) x c2 (n2,) -> (n2, n1) losses, z[j, i] at (c1[i], c2[j])."""
        c1, c2 = np.asarray(c1, dtype=np.float64), np.asarray(c2, dtype=np.float64)
        n1, n2 = len(c1), len(c2)
        tables = self._exp_tables(c1, c2) if self.layers[0].exp_form else None
        per_row = -(-n1 // self.chunk)
        size = -(-n1 // per_row)  # balanced pieces along a row
        pieces = [(j, i, min(i + size, n1)) for j in range(n2) for i in range(0, n1, size)]
        out = np.empty((n2, n1))

        def run(piece: tuple[int, int, int], bufs: dict) -> None:
            j, i0, i1 = piece
            a, b = c1[i0:i1], np.full(i1 - i0, c2[j])
            if tables is not None:  # s = 1 / (1 + R_j C_i) = (1 / C_i) / (1 / C_i + R_j)
                rows, inv_cols = tables
                s = self._hidden(bufs, 0)[: i1 - i0, :-1]
                np.add(inv_cols[i0:i1], rows[j], out=s)
                np.divide(inv_cols[i0:i1], s, out=s)
                first = self._hidden(bufs, 0)[: i1 - i0]
            else:
                first = self._first_affine(a, b, bufs)
            out[j, i0:i1] = self._rest(a, b, first, bufs)

        self._parallel(pieces, run)
        return out

    # --- the forward pass of one chunk -----------------------------------------------------

    def _get(self, bufs: dict, key: str, shape: tuple[int, ...]) -> NDArray:
        """A worker's reusable (chunk, *shape) buffer, allocated on first use."""
        buf = bufs.get(key)
        if buf is None:
            buf = bufs[key] = np.empty((self.chunk, *shape), dtype=self.dtype)
        return buf

    def _hidden(self, bufs: dict, k: int) -> NDArray:
        """(chunk, out + 1, N) for layer k's output; the last row stays 1 (the next bias)."""
        key = f"z{k}"
        if key not in bufs:
            self._get(bufs, key, (self.model.sizes[k + 1] + 1, self.n))[:, -1, :] = 1.0
        return bufs[key]

    def _activate(self, z: NDArray, layer: _Layer) -> None:
        """In place: the activation, or for exp-form layers s = 1 / (1 + exp(z~))."""
        if layer.exp_form:
            np.exp(z, out=z)
            z += 1.0
            np.divide(1.0, z, out=z)  # twice as fast as np.reciprocal here
        elif layer.act == "relu":
            np.maximum(z, 0.0, out=z)
        elif layer.act == "leaky_relu":
            np.maximum(z, LEAKY_SLOPE * z, out=z)
        # "linear": nothing to do

    def _first_affine(self, a: Array, b: Array, bufs: dict) -> NDArray:
        g = len(a)
        buf = self._hidden(bufs, 0)[:g]
        z = buf[:, :-1]
        P0, P1, P2 = self.P_dtype
        at, bt = a.astype(self.dtype)[:, None, None], b.astype(self.dtype)[:, None, None]
        np.multiply(at, P1, out=z)
        z += P0
        z += bt * P2
        self._activate(z, self.layers[0])
        return buf

    def _rest(self, a: Array, b: Array, h: NDArray, bufs: dict) -> Array:
        """Layers 2..L and the loss for the chunk whose first-layer output is h (g, h1+1, N)."""
        g = len(a)
        if len(self.layers) == 1:  # no hidden layer: h already holds the outputs
            return self._loss(h[:, :-1])
        at, bt = a.astype(self.dtype)[:, None, None], b.astype(self.dtype)[:, None, None]
        for k in range(1, len(self.layers)):
            layer = self.layers[k]
            W0, D1, D2 = layer.W
            Wg = self._get(bufs, f"w{k}", W0.shape)[:g]
            np.multiply(at, D1, out=Wg)  # (g, out, in + 1): each point's own weights
            Wg += W0
            Wg += bt * D2
            if layer.act:
                buf = self._hidden(bufs, k)[:g]
                np.matmul(Wg, h, out=buf[:, :-1])
                self._activate(buf[:, :-1], layer)
                h = buf
            else:
                zb = self._get(bufs, "out", (W0.shape[0], self.n))[:g]
                np.matmul(Wg, h, out=zb)
                return self._loss(zb)
        raise AssertionError("unreachable: the last layer returns")

    def _loss(self, z: NDArray) -> Array:
        """(g, K, N) outputs -> (g,) mean loss; z is overwritten."""
        if self.loss_id == "mse":
            z -= self.yT
            z *= z
            return z.mean(axis=(1, 2), dtype=np.float64)
        if self.loss_id == "cross_entropy_2":  # z holds d = z1 - z0, (g, 1, N)
            d = z[:, 0]
            yd = d * self.yT[1]
            e = np.abs(d)
            np.negative(e, out=e)
            np.exp(e, out=e)
            e += 1.0
            np.log(e, out=e)  # softplus(d) = max(d, 0) + log(1 + exp(-|d|)), never overflows
            e += np.maximum(d, 0.0)
            e -= yd
            return e.mean(axis=1, dtype=np.float64)
        z -= z.max(axis=1, keepdims=True)  # log-sum-exp, shifted so exp cannot overflow
        zy = np.einsum("gkn,kn->gn", z, self.yT)  # the target's logit (targets sum to 1)
        np.exp(z, out=z)
        lse = np.log(z.sum(axis=1))
        lse -= zy
        return lse.mean(axis=1, dtype=np.float64)

    # --- mesh tables and threads -------------------------------------------------------------

    def _exp_tables(self, c1: Array, c2: Array) -> tuple[NDArray, NDArray] | None:
        """exp(P0 + c2_j P2 - sigma) (n2, h, N) and exp(-c1_i P1 - sigma) (n1, h, N), or None.

        sigma (per unit and sample) balances the two exponents; if either table could still
        overflow or vanish in `dtype`, the caller falls back to the affine path.
        """
        P0, P1, P2 = self.P
        lo_r = P0 + np.minimum(c2.min() * P2, c2.max() * P2)
        hi_r = P0 + np.maximum(c2.min() * P2, c2.max() * P2)
        lo_c = np.minimum(c1.min() * P1, c1.max() * P1)
        hi_c = np.maximum(c1.min() * P1, c1.max() * P1)
        sigma = ((lo_r + hi_r) - (lo_c + hi_c)) / 4.0  # centres both ranges on the same value
        limit = _EXP_SAFE if self.dtype == np.float32 else 700.0
        if max(np.abs(lo_r - sigma).max(), np.abs(hi_r - sigma).max(),
               np.abs(lo_c + sigma).max(), np.abs(hi_c + sigma).max()) > limit:
            return None
        # Row by row: (n, h, N) float64 temporaries would cost hundreds of MB on big grids.
        rows = np.empty((len(c2), *P0.shape), dtype=self.dtype)
        for j, b in enumerate(c2):
            rows[j] = np.exp(P0 - sigma + b * P2)
        inv_cols = np.empty((len(c1), *P0.shape), dtype=self.dtype)
        for i, a in enumerate(c1):
            inv_cols[i] = np.exp(-sigma - a * P1)
        return rows, inv_cols

    def _parallel(self, pieces: list, run: Callable[[Any, dict], None]) -> None:
        """Deal the pieces out to the workers, each with its own reusable buffers."""
        workers = max(1, min(self.workers, len(pieces)))

        def work(mine: list) -> None:
            bufs: dict = {}
            with np.errstate(over="ignore", under="ignore", invalid="ignore"):
                for piece in mine:
                    check(self.should_stop)
                    run(piece, bufs)

        if workers == 1:
            work(pieces)
            return
        with ThreadPoolExecutor(workers) as ex:
            list(ex.map(work, [pieces[k::workers] for k in range(workers)]))


def naive_losses(model: MLP, plane: Plane, coords: Array, x: Array, y: Array) -> Array:
    """The oracle: one float64 forward pass per point, through MLP.loss_value."""
    return np.array([model.loss_value(plane.point(a, b), x, y) for a, b in np.atleast_2d(coords)])
