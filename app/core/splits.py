"""Held-out data and noisy labels: a seeded train/test split, and training labels flipped at random.

The split and the flips come from one seed (the dataset's), so a link restores the same test
points and the same flipped labels. Test labels are never flipped: the test set measures the
pattern, the training set is what the network sees, noise included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

# Streams of the seed (np.random.default_rng([seed, stream])): independent of the data's own.
SPLIT_STREAM = 11
NOISE_STREAM = 12


@dataclass(frozen=True)
class Split:
    """The points of a dataset, in their original order, told apart into train and test."""

    x: Array  # (N, inputs) every point
    labels: NDArray  # (N,) the labels as trained on: flipped where `flipped`
    clean: NDArray  # (N,) the labels before any flip
    test: NDArray[np.bool_]  # (N,) True: held out
    flipped: NDArray[np.bool_]  # (N,) True: a training label that label noise changed

    @property
    def x_train(self) -> Array:
        return self.x[~self.test]

    @property
    def labels_train(self) -> NDArray:
        return self.labels[~self.test]

    @property
    def x_test(self) -> Array:
        return self.x[self.test]

    @property
    def labels_test(self) -> NDArray:
        return self.labels[self.test]

    @property
    def has_test(self) -> bool:
        return bool(self.test.any())


def n_test(n: int, test_fraction: float) -> int:
    """Held-out points: the fraction rounded, at least one if the fraction is positive, and at
    least two points left to train on."""
    if test_fraction <= 0.0:
        return 0
    k = max(1, round(test_fraction * n))
    if n - k < 2:
        raise ValueError(f"test_fraction: {test_fraction:g} of {n} points leaves fewer than 2 "
                         "to train on")
    return k


def split(x: Array, labels: NDArray, test_fraction: float = 0.0, seed: int = 0,
          label_noise: float = 0.0, n_classes: int | None = None) -> Split:
    """Hold out `test_fraction` of the points at random, then flip `label_noise` of the training
    labels, each to one of the other n_classes classes at random (classification only)."""
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(labels)
    n = len(labels)
    test = np.zeros(n, dtype=bool)
    order = np.random.default_rng([seed, SPLIT_STREAM]).permutation(n)
    test[order[:n_test(n, test_fraction)]] = True
    noisy = labels.copy()
    flipped = np.zeros(n, dtype=bool)
    if label_noise > 0.0:
        if n_classes is None or n_classes < 2:
            raise ValueError("label_noise: flipping labels needs classes (a classification set)")
        rng = np.random.default_rng([seed, NOISE_STREAM])
        train = np.flatnonzero(~test)
        chosen = rng.choice(train, size=round(label_noise * len(train)), replace=False)
        # A shift of 1..k-1 classes: always another class, each equally likely.
        shift = rng.integers(1, n_classes, size=len(chosen))
        noisy[chosen] = (labels[chosen] + shift) % n_classes
        flipped[chosen] = True
    return Split(x, noisy, labels, test, flipped)
