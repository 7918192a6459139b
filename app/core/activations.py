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


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_df(z: Array, a: Array) -> Array:
    return (z > 0).astype(z.dtype)


def _leaky(z: Array) -> Array:
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_df(z: Array, a: Array) -> Array:
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype)


def _tanh_df(z: Array, a: Array) -> Array:
    return 1.0 - a * a


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
