"""Regularisation: L1 and L2 penalties on the weights, and dropout with a seeded mask.

The penalty is added to the data loss; it travels with its gradient, which `MLP.backward` adds to
each layer's dL/dW, so the hand-written backprop and the backprop trace show it as its own term:

    L = L_data + l1 Σ|W| + (l2 / 2) Σ W²        (weights only: biases are not penalised)
    dL/dW = dL_data/dW + l1 sign(W) + l2 W      (sign(0) = 0: the subgradient autograd uses)

l2 / 2 makes l2 exactly PyTorch's `weight_decay` for SGD (the gradient gains l2 W), and the
penalty's Hessian is l2 on the weights' diagonal (`Penalty.hvp`); L1 adds nothing there (almost
everywhere). app/core/hessian.py includes the penalty when given one, and refuses dropout.

Dropout (inverted, as torch.nn.Dropout): in a training step every hidden unit of every sample is
kept with probability 1 - p and scaled by 1 / (1 - p), so no rescaling is needed when the network
is evaluated (loss columns, test loss, decision boundary: all without dropout). The masks are
drawn from the run's own generator, so they are part of the step: the same seed gives the same
masks, and the gradient is the exact gradient of the masked network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.core.mlp import MLP
from app.core.parameters import Hyperparameter

Array = NDArray[np.float64]

# The generalisation lab's settings, with their hover texts: served by GET /api/mlp/options and
# used by the request schemas to validate (one concept in one place).
GENERALIZATION: dict[str, Hyperparameter] = {
    "test_fraction": Hyperparameter(
        0.0, 0.0, 0.9,
        "Fraction of the points held out as a test set (seeded by the dataset's seed). The "
        "network never trains on them: their loss tells whether it learned the pattern or the "
        "points.", label="test"),
    "label_noise": Hyperparameter(
        0.0, 0.0, 0.5,
        "Fraction of the training labels flipped to another class at random (seeded). Test "
        "labels stay clean: a network that fits the flipped points has memorised noise.",
        label="label noise"),
    "l1": Hyperparameter(
        0.0, 0.0, 1.0,
        "L1 penalty l1·Σ|w| on the weights: its gradient l1·sign(w) pulls every weight towards 0 "
        "by the same amount, so small weights become exactly 0 (sparse networks).",
        label="L1"),
    "l2": Hyperparameter(
        0.0, 0.0, 1.0,
        "L2 penalty (l2/2)·Σw² on the weights (weight decay): its gradient l2·w shrinks every "
        "weight in proportion to its size, which smooths the function the network draws.",
        label="L2"),
    "dropout": Hyperparameter(
        0.0, 0.0, 0.9,
        "Probability that a hidden unit is switched off in a training step (a fresh seeded "
        "mask each step; kept units are scaled by 1/(1-p)). Units cannot rely on each other, "
        "so the network spreads what it knows.", label="dropout"),
}


@dataclass(frozen=True)
class Penalty:
    """l1 Σ|W| + (l2/2) Σ W² over every layer's W, with its gradient and Hessian."""

    l1: float = 0.0
    l2: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.l1 or self.l2)

    def value(self, model: MLP, theta: Array) -> float:
        total = 0.0
        for W, _ in model.unflatten(theta):
            if self.l1:
                total += self.l1 * float(np.abs(W).sum())
            if self.l2:
                total += 0.5 * self.l2 * float((W * W).sum())
        return total

    def grad_W(self, W: Array) -> Array:
        """d(penalty)/dW for one layer's W (out, in)."""
        return self.l1 * np.sign(W) + self.l2 * W

    def grad(self, model: MLP, theta: Array) -> Array:
        """d(penalty)/dtheta (P,): zero on the biases."""
        return model.flatten([(self.grad_W(W), np.zeros_like(b)) for W, b in
                              model.unflatten(theta)])

    def hvp(self, model: MLP, v: Array) -> Array:
        """The penalty's Hessian times v (P,) or (m, P): l2 on the weights, 0 on the biases."""
        return self.l2 * weight_mask(model) * v

    @property
    def formula(self) -> str:
        terms = ([f"{self.l1:g}·Σ|W|"] if self.l1 else []) + (
            [f"({self.l2:g}/2)·ΣW²"] if self.l2 else [])
        return " + ".join(terms)

    def grad_formula(self, layer: int) -> str:
        terms = ([f"{self.l1:g}·sign(W{layer})"] if self.l1 else []) + (
            [f"{self.l2:g}·W{layer}"] if self.l2 else [])
        return " + ".join(terms)


def weight_mask(model: MLP) -> Array:
    """1 on the entries of theta that are weights, 0 on the biases (P,)."""
    return model.flatten([(np.ones_like(W), np.zeros_like(b)) for W, b in
                          model.unflatten(np.zeros(model.n_params))])


def dropout_masks(model: MLP, n: int, p: float,
                  rng: np.random.Generator) -> list[Array | None] | None:
    """One (n, width) mask per hidden layer, 0 or 1/(1-p); None when p is 0 (no dropout)."""
    if p <= 0.0 or model.n_layers < 2:
        return None
    keep = 1.0 - p
    return [(rng.random((n, width)) < keep) / keep for width in model.sizes[1:-1]]
