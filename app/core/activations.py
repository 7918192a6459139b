"""Hidden-layer activations, each travelling with its derivative and the words that explain it.

The derivative is written in terms of the pre-activation z *and* the activation a = f(z) that
the forward pass already holds (tanh' = 1 - a^2 is cheaper and is what the lecture notes write).
The second derivative f''(z), same convention, is what Hessian-vector products need
(app/core/hessian.py); for the piecewise-linear activations it is 0 (the kink is measure zero,
as in autograd).
`derivative` is a template for the backprop trace: "{z}" and "{a}" become "z2", "a2", ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

LEAKY_SLOPE = 0.01  # PyTorch's default negative_slope


@dataclass(frozen=True)
class Activation:
    id: str
    name: str
    f: Callable[[Array], Array]
    # f'(z), given z and a = f(z): elementwise, same shape as z.
    df: Callable[[Array, Array], Array]
    formula: str  # a = f(z), with {z}/{a} placeholders
    derivative: str  # f'(z), with {z}/{a} placeholders
    words: str  # what the derivative does to the gradient flowing back
    # The initialisation that keeps activations' variance steady through this nonlinearity.
    init: str
    # f''(z), given z and a = f(z): elementwise, same shape as z (Hessian-vector products).
    d2f: Callable[[Array, Array], Array] | None = None
    # In-place forms for a training step's reused buffers, each with the same numbers as f and
    # da * df; None: the generic forms below (one temporary array each).
    f_out: Callable[[Array, Array], Array] | None = None  # (z, out) -> out = f(z)
    backprop: Callable[[Array, Array, Array], Array] | None = None  # (da, z, a) -> da *= f'(z)

    def f_into(self, z: Array, out: Array) -> Array:
        """f(z) written into `out` (N, width), which is returned."""
        if self.f_out is not None:
            return self.f_out(z, out)
        out[...] = self.f(z)
        return out

    def backprop_into(self, da: Array, z: Array, a: Array) -> Array:
        """dL/dz = dL/da * f'(z) written over `da` (which the caller no longer needs)."""
        if self.backprop is not None:
            return self.backprop(da, z, a)
        da *= self.df(z, a)
        return da


@lru_cache(maxsize=8)
def _zeros(shape: tuple[int, ...]) -> Array:
    """Read-only zeros: np.maximum against an array of them takes half the time it takes against
    the scalar 0.0 (a (500, 32) batch: 4 us, not 8), with the same result."""
    zeros = np.zeros(shape)
    zeros.flags.writeable = False
    return zeros


def _zero_like(z: Array) -> Array | float:
    """Zeros laid out as z, for a batch's size (a live step's); a landscape's grid of batches
    keeps the scalar."""
    if z.ndim != 2 or z.size > 1 << 16:
        return 0.0
    if z.flags.c_contiguous:
        return _zeros(z.shape)
    return _zeros(z.shape[::-1]).T  # the network's (N, width) views of (width, N) arrays


def _relu(z: Array) -> Array:
    return np.maximum(z, _zero_like(z))


def _relu_out(z: Array, out: Array) -> Array:
    return np.maximum(z, _zero_like(z), out=out)


def _relu_backprop(da: Array, z: Array, a: Array) -> Array:
    # the mask as booleans: multiplying by them is multiplying by 1.0 and 0.0, without astype
    return np.multiply(da, np.greater(z, 0.0), out=da)


def _relu_df(z: Array, a: Array) -> Array:
    return (z > 0).astype(z.dtype)


def _leaky(z: Array) -> Array:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_df(z: Array, a: Array) -> Array:
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype)


def _tanh_df(z: Array, a: Array) -> Array:
    return 1.0 - a * a


def _tanh_backprop(da: Array, z: Array, a: Array) -> Array:
    t = a * a
    np.subtract(1.0, t, out=t)  # 1 - a^2, as _tanh_df computes it
    return np.multiply(da, t, out=da)


def _tanh_d2f(z: Array, a: Array) -> Array:
    # d/dz (1 - a^2) = -2 a a'
    return -2.0 * a * (1.0 - a * a)


def _sigmoid(z: Array) -> Array:
    # Two branches so that exp never overflows: exp(-|z|) <= 1.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_df(z: Array, a: Array) -> Array:
    return a * (1.0 - a)


def _sigmoid_d2f(z: Array, a: Array) -> Array:
    # d/dz a(1 - a) = a'(1 - 2a)
    return a * (1.0 - a) * (1.0 - 2.0 * a)


def _linear_df(z: Array, a: Array) -> Array:
    return np.ones_like(z)


def _zero_d2f(z: Array, a: Array) -> Array:
    return np.zeros_like(z)


ACTIVATIONS: dict[str, Activation] = {
    a.id: a
    for a in (
        Activation(
            "relu", "ReLU", _relu, _relu_df,
            "{a} = max(0, {z})", "1[{z} > 0]",
            "ReLU passes the gradient where z > 0 and blocks it (times 0) where the unit is off.",
            "he",
            d2f=_zero_d2f,
            f_out=_relu_out,
            backprop=_relu_backprop,
        ),
        Activation(
            "leaky_relu", "Leaky ReLU", _leaky, _leaky_df,
            f"{{a}} = max({LEAKY_SLOPE}·{{z}}, {{z}})",
            f"(1[{{z}} > 0] + {LEAKY_SLOPE}·1[{{z}} ≤ 0])",
            f"Leaky ReLU passes the gradient where z > 0 and lets {LEAKY_SLOPE} of it through "
            "elsewhere, so an 'off' unit can still learn.",
            "he",
            d2f=_zero_d2f,
        ),
        Activation(
            "tanh", "tanh", np.tanh, _tanh_df,
            "{a} = tanh({z})", "(1 - {a}²)",
            "tanh scales the gradient by 1 - a²: close to 1 near z = 0, close to 0 when the unit "
            "saturates at ±1.",
            "xavier",
            d2f=_tanh_d2f,
            f_out=lambda z, out: np.tanh(z, out=out),
            backprop=_tanh_backprop,
        ),
        Activation(
            "sigmoid", "sigmoid", _sigmoid, _sigmoid_df,
            "{a} = 1 / (1 + e^(-{z}))", "{a}(1 - {a})",
            "The sigmoid scales the gradient by a(1 - a), at most 1/4: gradients shrink through "
            "every sigmoid layer.",
            "xavier",
            d2f=_sigmoid_d2f,
        ),
        Activation(
            "linear", "linear (identity)", lambda z: z.copy(), _linear_df,
            "{a} = {z}", "1",
            "The identity passes the gradient through unchanged.",
            "xavier",
            d2f=_zero_d2f,
        ),
    )
}


def get_activation(activation_id: str) -> Activation:
    try:
        return ACTIVATIONS[activation_id]
    except KeyError:
        raise ValueError(
            f"unknown activation {activation_id!r}; choose one of {sorted(ACTIVATIONS)}"
        ) from None
