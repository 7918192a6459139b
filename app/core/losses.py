"""Output layer + loss pairs, each travelling with its gradient with respect to the logits.

A loss owns the output activation because the pair is what makes the gradient simple: softmax
followed by cross-entropy gives dL/dz = y_pred - y_target, linear followed by the mean squared
error gives dL/dz = 2 (y_pred - y_target) / K. Neither needs the softmax Jacobian.

Conventions: z and y hold one sample per row, classes/outputs on `axis` (-1 by default: (N, K));
the landscape passes axis=-2 for its (grid, K, N) layout. The batch loss is the mean of
`per_sample` over samples, so its gradient is `delta / N`.

`delta_jvp` is the next derivative, for Hessian-vector products (app/core/hessian.py): the
change of delta along a direction r of the logits, i.e. the per-sample Hessian of the loss in z
applied to r. Softmax + CE: (diag(ŷ) - ŷ ŷᵀ) r; linear + MSE: 2 r / K.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


@dataclass(frozen=True)
class Loss:
    id: str
    name: str
    task: str  # "classification" or "regression": which datasets it fits
    output: str  # the output layer's activation, "softmax" or "linear"
    # y_pred from the logits z (same shape as z).
    predict: Callable[..., Array]
    # The loss of each sample: (..., K, ...) -> the class axis reduced away.
    per_sample: Callable[..., Array]
    # d(per-sample loss)/dz from (y_pred, y), (N, K): the output delta before averaging over
    # the batch. Written in y_pred, which the forward pass already holds: no second softmax.
    delta: Callable[[Array, Array], Array]
    formula: str  # the loss of one example, in symbols
    output_formula: str  # y_pred from z, with {z} placeholder
    delta_formula: str  # dL/dz of the output layer, in symbols
    words: str
    # d(delta)/dz · r from (y_pred, r), r shaped like z or with leading batch axes (..., N, K):
    # the per-sample Hessian of the loss in the logits times r (classes on the last axis).
    delta_jvp: Callable[[Array, Array], Array] | None = None
    # (y_pred, mean loss) from the logits in one pass, for a loss whose two share work
    # (softmax and log-sum-exp share one exp); None: predict and value separately.
    fused: Callable[[Array, Array], tuple[Array, float]] | None = None

    def value(self, z: Array, y: Array) -> float:
        """Mean loss over a batch (N, K)."""
        return float(self.per_sample(z, y).mean())

    def predict_and_value(self, z: Array, y: Array) -> tuple[Array, float]:
        """(y_pred, mean loss) for a batch (N, K): what a training step's forward pass ends with."""
        if self.fused is not None:
            return self.fused(z, y)
        return self.predict(z), self.value(z, y)

    def value_and_delta(self, z: Array, y: Array) -> tuple[float, Array]:
        """(mean loss, dL/dz) for a batch (N, K): the start of the backward pass."""
        return self.value(z, y), self.delta(self.predict(z), y) / z.shape[0]


def softmax(z: Array, axis: int = -1) -> Array:
    # Shifting by the max leaves softmax unchanged and keeps exp from overflowing.
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def logsumexp(z: Array, axis: int = -1) -> Array:
    m = z.max(axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.exp(z - m).sum(axis=axis))


def _ce_per_sample(z: Array, y: Array, axis: int = -1) -> Array:
    # -sum_k y_k log softmax(z)_k = logsumexp(z) - sum_k y_k z_k   (targets sum to 1)
    return logsumexp(z, axis) - (y * z).sum(axis=axis)


def _row_reduce(ufunc: np.ufunc, z: Array) -> Array:
    """ufunc.reduce over each row of z (N, K), 2 <= K < 8, as K - 1 operations on columns: NumPy
    reduces a short last axis one row at a time (a (500, 3) max: 19 us), a column operation is
    vectorised over the rows (1 us). Same numbers: below 8 terms NumPy's sum is sequential."""
    out = ufunc(z[:, 0], z[:, 1])
    for j in range(2, z.shape[1]):
        ufunc(out, z[:, j], out=out)
    return out


def _ce_fused(z: Array, y: Array) -> tuple[Array, float]:
    # One max, one exp, one sum for both: softmax = e / s and logsumexp = m + log s, with
    # e = exp(z - m), s = sum_k e_k. A live step is ~25 NumPy calls: this saves six of them.
    if z.ndim == 2 and 2 <= z.shape[1] < 8:
        m = _row_reduce(np.maximum, z)[:, None]  # (N, 1)
        e = np.exp(z - m)
        s = _row_reduce(np.add, e)[:, None]
    else:
        m = z.max(axis=-1, keepdims=True)
        e = np.exp(z - m)
        s = e.sum(axis=-1, keepdims=True)
    lse = np.log(s)
    lse += m
    # mean_n (logsumexp(z_n) - y_n . z_n); vdot sums y * z without making it
    value = (float(lse.sum()) - float(np.vdot(y, z))) / z.shape[0]
    e /= s
    return e, value


def _ce_delta(y_pred: Array, y: Array) -> Array:
    return y_pred - y


def _ce_delta_jvp(y_pred: Array, r: Array) -> Array:
    # Softmax Jacobian: d ŷ = (diag(ŷ) - ŷ ŷᵀ) dz, so d(ŷ - y) = ŷ ⊙ r - ŷ (ŷ · r).
    return y_pred * r - y_pred * (y_pred * r).sum(axis=-1, keepdims=True)


def _mse_per_sample(z: Array, y: Array, axis: int = -1) -> Array:
    return ((z - y) ** 2).mean(axis=axis)


def _mse_delta(y_pred: Array, y: Array) -> Array:
    return 2.0 * (y_pred - y) / y_pred.shape[-1]


def _mse_delta_jvp(y_pred: Array, r: Array) -> Array:
    return 2.0 * r / y_pred.shape[-1]


LOSSES: dict[str, Loss] = {
    loss.id: loss
    for loss in (
        Loss(
            id="cross_entropy",
            name="softmax + cross-entropy",
            task="classification",
            output="softmax",
            predict=softmax,
            per_sample=_ce_per_sample,
            delta=_ce_delta,
            formula="L = -Σ_k y_k log ŷ_k",
            output_formula="ŷ = softmax({z})",
            delta_formula="ŷ - y",
            words="Softmax and cross-entropy together give the simplest possible output "
            "gradient: prediction minus target.",
            delta_jvp=_ce_delta_jvp,
            fused=_ce_fused,
        ),
        Loss(
            id="mse",
            name="linear + mean squared error",
            task="regression",
            output="linear",
            predict=lambda z, axis=-1: z.copy(),
            per_sample=_mse_per_sample,
            delta=_mse_delta,
            formula="L = (1/K) Σ_k (ŷ_k - y_k)²",
            output_formula="ŷ = {z}",
            delta_formula="2(ŷ - y) / K",
            words="The squared error's gradient is twice the error, averaged over the outputs.",
            delta_jvp=_mse_delta_jvp,
        ),
    )
}


def get_loss(loss_id: str) -> Loss:
    try:
        return LOSSES[loss_id]
    except KeyError:
        raise ValueError(f"unknown loss {loss_id!r}; choose one of {sorted(LOSSES)}") from None
