"""Toy datasets, generated in NumPy (no downloads): 2D classification, 1D regression, and modular
addition (one-hot inputs, as wide as twice the modulus: the grokking set).

Every generator takes the size n, a noise level and an explicit np.random.Generator, so a seed
reproduces the data. Classes are balanced (sizes differ by at most one) and the samples are
shuffled, so that any minibatch sees every class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Dataset:
    id: str
    x: Array  # (n, inputs)
    y: NDArray  # (n,) int class ids, or float targets for regression
    task: str  # "classification" or "regression"
    n_classes: int | None  # None for regression

    @property
    def n_inputs(self) -> int:
        return int(self.x.shape[1])

    @property
    def n_outputs(self) -> int:
        """Width of the network's output layer: one logit per class, or one value."""
        return self.n_classes or 1


Generator = Callable[[int, float, np.random.Generator, int], tuple[Array, NDArray]]


@dataclass(frozen=True)
class DatasetSpec:
    id: str
    name: str
    task: str
    description: str
    default_noise: float
    make: Generator  # (n, noise, rng, n_classes) -> (x, y)
    default_classes: int | None = 2  # None: regression
    variable_classes: bool = False  # whether n_classes may be chosen (blobs, spirals)
    inputs: int = 2  # features per sample
    # Sets shaped by their number of classes (modular addition: p classes, 2p one-hot inputs,
    # all p² pairs, whatever n asks): inputs and size from k; None: `inputs`, and n points.
    inputs_of: Callable[[int], int] | None = None
    size_of: Callable[[int], int] | None = None
    max_classes: int = 6
    min_classes: int = 2
    # 2-D coordinates to draw a point at, from its inputs (modular addition: (a, b)); None:
    # the inputs themselves (2-D sets, and 1-D regression with the target as the second axis).
    display: Callable[[Array], Array] | None = None

    def n_inputs(self, n_classes: int | None = None) -> int:
        k = n_classes or self.default_classes or 0
        return self.inputs if self.inputs_of is None else self.inputs_of(k)

    def n_points(self, n: int, n_classes: int | None = None) -> int:
        k = n_classes or self.default_classes or 0
        return n if self.size_of is None else self.size_of(k)


def _class_sizes(n: int, k: int) -> list[int]:
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _shuffle(x: Array, y: NDArray, rng: np.random.Generator) -> tuple[Array, NDArray]:
    order = rng.permutation(len(y))
    return x[order], y[order]


def _labels(sizes: list[int]) -> NDArray[np.int64]:
    return np.repeat(np.arange(len(sizes)), sizes)


def moons(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2) -> tuple:
    """Two interleaving half circles (as scikit-learn's make_moons)."""
    n0, n1 = _class_sizes(n, 2)
    t0, t1 = rng.uniform(0.0, np.pi, n0), rng.uniform(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    x = np.vstack([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    return _shuffle(x, _labels([n0, n1]), rng)


def circles(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2) -> tuple:
    """A small circle (class 1) inside a large one (class 0): no line separates them."""
    n0, n1 = _class_sizes(n, 2)
    t = rng.uniform(0.0, 2 * np.pi, n)
    r = np.concatenate([np.ones(n0), np.full(n1, 0.5)])
    x = np.column_stack([r * np.cos(t), r * np.sin(t)]) + rng.normal(0.0, noise, (n, 2))
    return _shuffle(x, _labels([n0, n1]), rng)


def spirals(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2) -> tuple:
    """Interleaved spiral arms, one per class (the CS231n classic): needs depth to untangle."""
    sizes = _class_sizes(n, n_classes)
    parts = []
    for c, m in enumerate(sizes):
        r = rng.uniform(0.05, 1.0, m)
        t = 2 * np.pi * c / n_classes + 1.75 * 2 * np.pi * r  # each arm turns 1.75 times
        parts.append(np.column_stack([r * np.cos(t), r * np.sin(t)]))
    x = np.vstack(parts) + rng.normal(0.0, noise, (n, 2))
    return _shuffle(x, _labels(sizes), rng)


def xor(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2) -> tuple:
    """Class = whether x1 and x2 have different signs: the problem a single layer cannot solve."""
    n0, n1 = _class_sizes(n, 2)
    # Draw |x| per axis and choose signs per class, so the classes are exactly balanced.
    mag = rng.uniform(0.05, 1.0, (n, 2))
    same = rng.choice([-1.0, 1.0], n0)
    diff = rng.choice([-1.0, 1.0], n1)
    signs = np.vstack([np.column_stack([same, same]), np.column_stack([diff, -diff])])
    x = mag * signs + rng.normal(0.0, noise, (n, 2))
    return _shuffle(x, _labels([n0, n1]), rng)


def blobs(n: int, noise: float, rng: np.random.Generator, n_classes: int = 3) -> tuple:
    """Gaussian blobs with centres evenly spaced on a circle of radius 1; noise is their std."""
    sizes = _class_sizes(n, n_classes)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = np.column_stack([np.cos(angles), np.sin(angles)])  # (k, 2)
    labels = _labels(sizes)
    x = centres[labels] + rng.normal(0.0, noise, (n, 2))
    return _shuffle(x, labels, rng)


def sine(n: int, noise: float, rng: np.random.Generator, n_classes: int = 0) -> tuple:
    """y = sin(x) + Gaussian noise, x uniform in [-pi, pi]: 1D regression."""
    x = np.sort(rng.uniform(-np.pi, np.pi, n))[:, None]  # (n, 1)
    y = np.sin(x[:, 0]) + rng.normal(0.0, noise, n)
    return x, y


def modular_addition(n: int, noise: float, rng: np.random.Generator, n_classes: int = 23) -> tuple:
    """Every pair (a, b) of residues mod p = n_classes, as one-hot(a) ++ one-hot(b) (2p inputs),
    labelled (a + b) mod p: the task of the grokking paper (Power et al. 2022). n and noise are
    ignored (the table is the whole set; its train fraction is 1 - test_fraction)."""
    p = n_classes
    a, b = (g.ravel() for g in np.meshgrid(np.arange(p), np.arange(p), indexing="ij"))
    x = np.zeros((p * p, 2 * p))  # (p², 2p)
    rows = np.arange(p * p)
    x[rows, a] = 1.0
    x[rows, p + b] = 1.0
    return _shuffle(x, (a + b) % p, rng)


def _modular_pairs(x: Array) -> Array:
    """(a, b) of each one-hot row: where to draw it in the p x p addition table."""
    p = x.shape[1] // 2
    return np.column_stack([np.argmax(x[:, :p], axis=1), np.argmax(x[:, p:], axis=1)]).astype(
        np.float64)


DATASETS: dict[str, DatasetSpec] = {
    s.id: s
    for s in (
        DatasetSpec("moons", "two moons", "classification",
                    "Two interleaving half circles.", 0.1, moons),
        DatasetSpec("circles", "circles", "classification",
                    "A small circle inside a large one.", 0.05, circles),
        DatasetSpec("spirals", "spirals", "classification",
                    "Interleaved spiral arms, one per class.", 0.02, spirals,
                    variable_classes=True),
        DatasetSpec("xor", "XOR", "classification",
                    "Opposite quadrants share a class.", 0.05, xor),
        DatasetSpec("blobs", "Gaussian blobs", "classification",
                    "Gaussian clusters around points on a circle.", 0.3, blobs,
                    default_classes=3, variable_classes=True),
        DatasetSpec("sine", "noisy sine", "regression",
                    "y = sin(x) plus Gaussian noise.", 0.1, sine, default_classes=None,
                    inputs=1),
        DatasetSpec("modular", "a + b mod p", "classification",
                    "Every pair of residues a, b mod p (one-hot, 2p inputs), labelled a + b mod "
                    "p: the grokking task. Choose p with n_classes (23 to 97) and the training "
                    "fraction with test_fraction.", 0.0, modular_addition,
                    default_classes=23, variable_classes=True,
                    inputs_of=lambda k: 2 * k, size_of=lambda k: k * k,
                    min_classes=23, max_classes=97, display=_modular_pairs),
    )
}


def make_dataset(
    dataset_id: str, n: int = 200, noise: float | None = None, seed: int = 0,
    n_classes: int | None = None,
) -> Dataset:
    """A dataset by registry id; noise None uses the dataset's default."""
    try:
        spec = DATASETS[dataset_id]
    except KeyError:
        raise ValueError(
            f"unknown dataset {dataset_id!r}; choose one of {sorted(DATASETS)}"
        ) from None
    if n < 1:
        raise ValueError("n must be at least 1")
    noise = spec.default_noise if noise is None else float(noise)
    if not noise >= 0.0:
        raise ValueError("noise must be >= 0")
    k = spec.default_classes
    if n_classes is not None and spec.variable_classes:
        if not spec.min_classes <= n_classes <= spec.max_classes:
            raise ValueError(f"n_classes must be from {spec.min_classes} to {spec.max_classes}")
        k = n_classes
    x, y = spec.make(n, noise, np.random.default_rng(seed), k or 0)
    return Dataset(dataset_id, np.asarray(x, dtype=np.float64), y, spec.task, k)
