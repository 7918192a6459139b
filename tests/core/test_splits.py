"""The train/test split and label noise: sizes, seeds, and which labels may change."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.datasets import make_dataset
from app.core.splits import split


def test_a_split_is_reproducible_by_seed_and_holds_the_fraction_out() -> None:
    data = make_dataset("blobs", 101, None, 3, n_classes=4)
    a = split(data.x, data.y, 0.3, seed=7, label_noise=0.2, n_classes=4)
    b = split(data.x, data.y, 0.3, seed=7, label_noise=0.2, n_classes=4)
    c = split(data.x, data.y, 0.3, seed=8, label_noise=0.2, n_classes=4)
    np.testing.assert_array_equal(a.test, b.test)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(a.test, c.test)
    assert a.test.sum() == round(0.3 * 101)
    assert len(a.x_train) + len(a.x_test) == 101
    # Label noise: exactly its share of the training labels, each to another class; test clean.
    train = ~a.test
    assert a.flipped.sum() == round(0.2 * train.sum())
    assert not np.any(a.flipped & a.test)
    changed = a.labels != data.y
    np.testing.assert_array_equal(changed, a.flipped)
    assert a.labels.min() >= 0 and a.labels.max() < 4
    np.testing.assert_array_equal(a.labels_test, data.y[a.test])


def test_no_test_fraction_keeps_every_point_and_label() -> None:
    data = make_dataset("moons", 20, None, 0)
    s = split(data.x, data.y)
    assert not s.has_test and len(s.x_train) == 20
    np.testing.assert_array_equal(s.labels, data.y)


def test_a_split_must_leave_points_to_train_on_and_noise_needs_classes() -> None:
    data = make_dataset("sine", 5, None, 0)
    with pytest.raises(ValueError, match="test_fraction"):
        split(data.x, data.y, 0.9)
    with pytest.raises(ValueError, match="label_noise"):
        split(data.x, data.y, 0.2, label_noise=0.1)
