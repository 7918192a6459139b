"""Toy datasets: shapes, balanced classes, a seed reproduces them, noise does what it says."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.datasets import DATASETS, make_dataset

IDS = sorted(DATASETS)
NOISY = [i for i in IDS if DATASETS[i].size_of is None]  # modular addition is a whole table


@pytest.mark.parametrize("dataset_id", IDS)
@pytest.mark.parametrize("n", [7, 200])
def test_shapes_and_types(dataset_id: str, n: int) -> None:
    d = make_dataset(dataset_id, n, seed=1)
    spec = DATASETS[dataset_id]
    n = spec.n_points(n)
    assert d.x.shape == (n, spec.n_inputs()) and d.x.dtype == np.float64
    assert d.y.shape == (n,)
    assert np.all(np.isfinite(d.x)) and np.all(np.isfinite(d.y))
    if spec.task == "classification":
        assert np.issubdtype(d.y.dtype, np.integer)
        assert set(np.unique(d.y)) == set(range(d.n_classes))
        assert d.n_outputs == d.n_classes
    else:
        assert d.n_classes is None and d.n_outputs == 1


@pytest.mark.parametrize("dataset_id", [i for i in IDS if DATASETS[i].task == "classification"])
@pytest.mark.parametrize("n", [100, 301])
def test_classes_are_balanced_and_shuffled(dataset_id: str, n: int) -> None:
    d = make_dataset(dataset_id, n, seed=0)
    counts = np.bincount(d.y)
    assert counts.max() - counts.min() <= 1
    assert len(set(d.y[:20].tolist())) > 1  # shuffled: a minibatch sees every class


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("dataset_id", ["blobs", "spirals"])
def test_number_of_classes(dataset_id: str, k: int) -> None:
    d = make_dataset(dataset_id, 100, seed=0, n_classes=k)
    assert d.n_classes == k and set(np.unique(d.y)) == set(range(k))


@pytest.mark.parametrize("dataset_id", NOISY)
def test_deterministic_per_seed(dataset_id: str) -> None:
    a, b = make_dataset(dataset_id, 50, seed=3), make_dataset(dataset_id, 50, seed=3)
    c = make_dataset(dataset_id, 50, seed=4)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.allclose(a.x, c.x)


@pytest.mark.parametrize("dataset_id", NOISY)
def test_noise_is_gaussian_with_the_given_std(dataset_id: str) -> None:
    """Same seed, different noise: the difference is exactly the added noise."""
    clean = make_dataset(dataset_id, 2000, noise=0.0, seed=5)
    noisy = make_dataset(dataset_id, 2000, noise=0.2, seed=5)
    if DATASETS[dataset_id].task == "regression":
        diff = noisy.y - clean.y
        np.testing.assert_array_equal(noisy.x, clean.x)
    else:
        diff = noisy.x - clean.x
        np.testing.assert_array_equal(noisy.y, clean.y)
    assert diff.std() == pytest.approx(0.2, rel=0.06)
    assert abs(diff.mean()) < 0.02


def test_clean_shapes_are_what_they_claim() -> None:
    moons = make_dataset("moons", 400, noise=0.0, seed=0)
    upper = moons.x[moons.y == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    circles = make_dataset("circles", 400, noise=0.0, seed=0)
    r = np.hypot(circles.x[:, 0], circles.x[:, 1])
    np.testing.assert_allclose(r[circles.y == 0], 1.0)
    np.testing.assert_allclose(r[circles.y == 1], 0.5)
    xor = make_dataset("xor", 400, noise=0.0, seed=0)
    np.testing.assert_array_equal(xor.y, (xor.x[:, 0] * xor.x[:, 1] < 0).astype(int))
    sine = make_dataset("sine", 100, noise=0.0, seed=0)
    np.testing.assert_allclose(sine.y, np.sin(sine.x[:, 0]))


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown dataset"):
        make_dataset("mnist")
    with pytest.raises(ValueError):
        make_dataset("moons", 0)
    with pytest.raises(ValueError):
        make_dataset("moons", 10, noise=-1.0)


@pytest.mark.parametrize("p", [23, 31])
def test_modular_addition_is_the_whole_table_one_hot(p: int) -> None:
    spec = DATASETS["modular"]
    d = make_dataset("modular", 5, seed=2, n_classes=p)
    assert d.x.shape == (p * p, 2 * p) and d.n_classes == p
    assert np.all(d.x.sum(axis=1) == 2) and np.all(d.x[:, :p].sum(axis=1) == 1)
    a, b = np.argmax(d.x[:, :p], axis=1), np.argmax(d.x[:, p:], axis=1)
    np.testing.assert_array_equal(d.y, (a + b) % p)
    assert len(set(zip(a.tolist(), b.tolist(), strict=True))) == p * p  # every pair once
    np.testing.assert_array_equal(spec.display(d.x), np.column_stack([a, b]))
    with pytest.raises(ValueError, match="23 to 97"):
        make_dataset("modular", n_classes=7)
