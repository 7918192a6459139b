"""Lanczos against numpy.linalg.eigvalsh on symmetric matrices with known spectra."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.lanczos import lanczos


def matrix_with_spectrum(values: np.ndarray, seed: int = 0) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(values),) * 2))
    return (q * values) @ q.T


@pytest.fixture()
def a() -> np.ndarray:
    # A network-like spectrum: a few outliers on both sides of a bulk near 0.
    bulk = np.random.default_rng(1).normal(0.0, 0.05, 194)
    return matrix_with_spectrum(np.concatenate([bulk, [-2.0, -1.1, 1.7, 3.0, 5.0, 9.0]]))


@pytest.mark.parametrize("which", ["largest", "smallest", "both"])
def test_extreme_eigenvalues_match_eigvalsh(a: np.ndarray, which: str) -> None:
    exact = np.linalg.eigvalsh(a)
    k = 3
    eigs = lanczos(lambda v: a @ v, np.ones(len(a)), k=k, which=which, tol=1e-10, max_iter=200)
    assert eigs.converged and eigs.iterations < len(a)
    want = {"largest": exact[-k:], "smallest": exact[:k],
            "both": np.concatenate([exact[:k], exact[-k:]])}[which]
    np.testing.assert_allclose(eigs.values, want, rtol=1e-9, atol=1e-9)
    for value, u, res in zip(eigs.values, eigs.vectors, eigs.residuals, strict=True):
        assert np.linalg.norm(u) == pytest.approx(1.0)
        assert np.linalg.norm(a @ u - value * u) == pytest.approx(res, abs=1e-10)


def test_tolerance_bounds_the_residual_and_max_iter_the_work(a: np.ndarray) -> None:
    loose = lanczos(lambda v: a @ v, np.ones(len(a)), tol=1e-2)
    tight = lanczos(lambda v: a @ v, np.ones(len(a)), tol=1e-8)
    assert loose.iterations < tight.iterations
    assert loose.residuals[-1] <= 1e-2 * 9.0 and tight.residuals[-1] <= 1e-8 * 9.0
    capped = lanczos(lambda v: a @ v, np.ones(len(a)), tol=1e-14, max_iter=4)
    assert capped.iterations == 4 and not capped.converged
    assert capped.top <= 9.0 + 1e-12  # a Ritz value never exceeds lambda_max


def test_an_eigenvector_start_is_exact_at_once(a: np.ndarray) -> None:
    _, vecs = np.linalg.eigh(a)
    eigs = lanczos(lambda v: a @ v, vecs[:, -1], tol=1e-10)
    assert eigs.iterations == 1 and eigs.converged and eigs.top == pytest.approx(9.0)


def test_small_matrices_and_bad_input() -> None:
    a = np.diag([1.0, -3.0, 2.0])
    eigs = lanczos(lambda v: a @ v, np.ones(3), k=5, which="both")  # k clipped to n
    np.testing.assert_allclose(eigs.values, [-3.0, 1.0, 2.0], atol=1e-12)
    with pytest.raises(ValueError):
        lanczos(lambda v: a @ v, np.zeros(3))
    with pytest.raises(ValueError):
        lanczos(lambda v: a @ v, np.ones(3), which="middle")
