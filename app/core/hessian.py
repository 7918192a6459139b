"""Exact Hessian-vector products of the network's loss: Pearlmutter's R-operator, by hand.

For a direction v in weight space, R{.} = d/de (.)(theta + e v) at e = 0. Applying R to every line
of the forward and backward pass of app/core/mlp.py gives H v = R{grad L} exactly (no finite
step), for about the cost of one more forward and backward pass. Layer l, with v = (V_l, c_l):

    forward R-pass                                   (N, out) each; R{a_0} = R{x} = 0
        R{z_l} = R{a_{l-1}} W_lᵀ + a_{l-1} V_lᵀ + c_l
        R{a_l} = f'(z_l) ⊙ R{z_l}
    output                                           loss Hessian in the logits, per sample
        R{δ_L} = H_ℓ(z_L) R{z_L} / N                 (softmax + CE: ŷ⊙r - ŷ(ŷ·r); MSE: 2r/K)
    backward R-pass, from the top                    δ_l = dL/dz_l, g_l = dL/da_l = δ_{l+1} W_{l+1}
        R{g_l} = R{δ_{l+1}} W_{l+1} + δ_{l+1} V_{l+1}
        R{δ_l} = R{g_l} ⊙ f'(z_l) + g_l ⊙ f''(z_l) ⊙ R{z_l}
        (H v)_{W_l} = R{dW_l} = R{δ_l}ᵀ a_{l-1} + δ_lᵀ R{a_{l-1}}
        (H v)_{b_l} = R{db_l} = Σ_n R{δ_l}

The forward pass, the backward pass and f', f'' do not depend on v: `HessianOperator` computes
them once at a theta, then each product costs only the R-passes (6 matrix products per layer
against the gradient's 3). Every R-quantity carries a leading axis of m directions, so m products
share one pass (forming the whole Hessian, or a block of Lanczos vectors).

Scope: the Hessian of the loss of the network without dropout (a masked network is another
function; `passes` with dropout masks are refused). An L1/L2 penalty (app/core/regularization.py)
is included when given as `penalty`: L2 adds l2 on the weights' diagonal, L1 nothing (almost
everywhere); without it, the Hessian and gradient are the data loss's alone, even from `passes`
whose backward pass added a penalty.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.core.mlp import MLP, Forward, LayerGrad
from app.core.regularization import Penalty

Array = NDArray[np.float64]

# Largest m x N x width block of R-quantities held at once when forming H (floats: 16 MB).
_BLOCK_FLOATS = 2_000_000


class HessianOperator:
    """H = ∇²L(theta) of the mean loss on the batch (x, y), as a matrix-free symmetric operator.

    Build one per theta: it runs the forward and backward pass once and keeps what every product
    needs. y holds (N, outputs) targets (MLP.targets). `n_products` counts Hessian-vector
    products (a block of m counts m).

    passes: the (Forward, [LayerGrad]) of MLP.forward and MLP.backward at this theta on this
    (x, y), when the caller has just computed them for a full-batch step: they are reused
    instead of recomputed (about one gradient's work saved).
    """

    def __init__(
        self, model: MLP, theta: Array, x: Array, y: Array, *,
        passes: tuple[Forward, list[LayerGrad]] | None = None,
        penalty: Penalty | None = None,
    ) -> None:
        loss_fn = model.loss_fn
        if loss_fn.delta_jvp is None:
            raise ValueError(f"loss {loss_fn.id!r} has no second derivative (delta_jvp)")
        self.model = model
        self.theta = np.array(theta, dtype=np.float64)
        y = np.atleast_2d(np.asarray(y, dtype=np.float64))
        if passes is None:
            fwd = model.forward(self.theta, x)
            grads = model.backward(self.theta, fwd, y)
        else:
            fwd, grads = passes
            if fwd.masks is not None:
                raise ValueError("passes must be of the network without dropout masks")
            if fwd.acts[0].shape != np.atleast_2d(x).shape or len(grads) != model.n_layers:
                raise ValueError("passes must come from this model on this x (the whole batch)")
        self.loss = loss_fn.value(fwd.zs[-1], y)
        # The data loss's gradient (a backward pass with a penalty says how much it added).
        self.grad: Array = model.flatten([
            (g.dW if g.dW_penalty is None else g.dW - g.dW_penalty, g.db) for g in grads])  # (P,)
        self.penalty = penalty if penalty else None
        if self.penalty is not None:
            self.loss += self.penalty.value(model, self.theta)
            self.grad = self.grad + self.penalty.grad(model, self.theta)
        self.n_products = 0
        self._params = model.unflatten(self.theta)
        self._acts = fwd.acts  # a_0 = x, ..., a_L = ŷ
        self._deltas = [g.dz for g in grads]  # δ_l (N, out), already divided by N
        self._n = fwd.acts[0].shape[0]
        # Per hidden layer: f'(z_l) and g_l ⊙ f''(z_l) (None where f'' vanishes: ReLU, linear).
        self._fprime: list[Array] = []
        self._curv: list[Array | None] = []
        for layer in range(1, model.n_layers):
            act = model.activation(layer)
            assert act is not None
            if act.d2f is None:
                raise ValueError(f"activation {act.id!r} has no second derivative (d2f)")
            z, a = fwd.zs[layer - 1], fwd.acts[layer]
            self._fprime.append(act.df(z, a))
            da = grads[layer - 1].da
            assert da is not None
            curv = da * act.d2f(z, a)
            self._curv.append(curv if np.any(curv) else None)

    @property
    def n_params(self) -> int:
        return self.model.n_params

    def matvec(self, v: Array) -> Array:
        """H v for one direction v (P,) -> (P,)."""
        return self.matmat(np.asarray(v, dtype=np.float64)[None, :])[0]

    __call__ = matvec

    def matmat(self, vs: Array) -> Array:
        """H v for m directions at once: vs (m, P) -> (m, P), row i = H vs[i]."""
        vs = np.asarray(vs, dtype=np.float64)
        m, p = vs.shape
        if p != self.n_params:
            raise ValueError(f"directions must have {self.n_params} entries, got {p}")
        self.n_products += m
        model, params, acts = self.model, self._params, self._acts
        L = model.n_layers
        offsets, shapes = model.offsets(), model.shapes
        dirs = [  # (V_l (m, out, in), c_l (m, out)) per layer
            (vs[:, w:b].reshape(m, *shape), vs[:, b:e])
            for (w, b, e), shape in zip(offsets, shapes, strict=True)
        ]

        # 1) forward R-pass: R{z_l}, and R{a_{l-1}} (None for the input, which is fixed).
        r_z: list[Array] = []
        r_a_prev: list[Array | None] = []
        r_a: Array | None = None
        for k in range(L):
            W, _ = params[k]
            V, c = dirs[k]
            rz = acts[k] @ V.transpose(0, 2, 1) + c[:, None, :]  # (N, in) @ (m, in, out)
            if r_a is not None:
                rz += r_a @ W.T  # (m, N, in) @ (in, out)
            r_a_prev.append(r_a)
            r_z.append(rz)
            if k < L - 1:
                r_a = self._fprime[k] * rz  # (m, N, out)

        # 2) the loss's Hessian in the logits, averaged over the batch like delta.
        loss_fn = model.loss_fn
        assert loss_fn.delta_jvp is not None
        r_delta = loss_fn.delta_jvp(acts[-1], r_z[-1]) / self._n  # (m, N, K)

        # 3) backward R-pass, writing each layer's block of H v.
        out = np.empty((m, p))
        for k in range(L - 1, -1, -1):
            if k < L - 1:
                W_up, _ = params[k + 1]
                V_up, _ = dirs[k + 1]
                # R{g_k} = R{δ_{k+1}} W_{k+1} + δ_{k+1} V_{k+1}: (m, N, out_k)
                r_g = r_delta @ W_up + self._deltas[k + 1] @ V_up
                r_delta = r_g * self._fprime[k]
                curv = self._curv[k]
                if curv is not None:
                    r_delta += curv * r_z[k]
            w, b, e = offsets[k]
            # R{dW} = R{δ}ᵀ a_{l-1} + δᵀ R{a_{l-1}}: (m, out, N) @ (N, in) -> (m, out, in)
            r_dw = r_delta.transpose(0, 2, 1) @ acts[k]
            ra = r_a_prev[k]
            if ra is not None:
                r_dw += self._deltas[k].T @ ra
            out[:, w:b] = r_dw.reshape(m, -1)
            out[:, b:e] = r_delta.sum(axis=1)
        if self.penalty is not None:  # l2 on the weights' diagonal
            out += self.penalty.hvp(model, vs)
        return out

    def dense(self) -> Array:
        """The whole Hessian (P, P) from P products in blocks, symmetrized: (H + Hᵀ) / 2."""
        p = self.n_params
        width = max(self.model.sizes)
        block = max(1, min(p, _BLOCK_FLOATS // max(1, self._n * width)))
        h = np.empty((p, p))
        eye = np.eye(p)
        for start in range(0, p, block):
            h[start : start + block] = self.matmat(eye[start : start + block])
        return 0.5 * (h + h.T)


def hvp(model: MLP, theta: Array, x: Array, y: Array, v: Array) -> Array:
    """One Hessian-vector product H(theta) v (P,); build a HessianOperator for many at a theta."""
    return HessianOperator(model, theta, x, y).matvec(v)


def hessian(model: MLP, theta: Array, x: Array, y: Array) -> Array:
    """The full symmetric Hessian (P, P) of the mean loss on (x, y) at theta."""
    return HessianOperator(model, theta, x, y).dense()
