"""Each loss travels with its gradient with respect to the logits."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.losses import LOSSES, softmax


@pytest.mark.parametrize("loss_id", sorted(LOSSES))
def test_delta_matches_central_differences(loss_id: str) -> None:
    loss = LOSSES[loss_id]
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 3))
    y = np.eye(3)[[0, 2, 1, 1, 0]] if loss_id == "cross_entropy" else rng.standard_normal((5, 3))
    _, delta = loss.value_and_delta(z, y)
    numeric = np.zeros_like(z)
    h = 1e-6
    for idx in np.ndindex(z.shape):
        e = np.zeros_like(z)
        e[idx] = h
        numeric[idx] = (loss.value(z + e, y) - loss.value(z - e, y)) / (2 * h)
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-10)


def test_cross_entropy_is_stable_and_correct() -> None:
    ce = LOSSES["cross_entropy"]
    z = np.array([[1000.0, 0.0], [0.0, 0.0]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(ce.per_sample(z, y), [1000.0, np.log(2)])
    np.testing.assert_allclose(softmax(np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])


def test_per_sample_accepts_a_class_axis() -> None:
    """The landscape evaluates (grid, K, N) arrays with the classes on axis -2."""
    rng = np.random.default_rng(1)
    z = rng.standard_normal((4, 3))
    y = np.eye(3)[[0, 1, 2, 1]]
    for loss in LOSSES.values():
        np.testing.assert_allclose(loss.per_sample(z.T, y.T, axis=-2), loss.per_sample(z, y))


@pytest.mark.parametrize("loss_id", sorted(LOSSES))
def test_delta_jvp_matches_central_differences_of_delta(loss_id: str) -> None:
    """delta_jvp(ŷ, r) is the directional derivative of delta along r (per-sample Hessian in z)."""
    loss = LOSSES[loss_id]
    assert loss.delta_jvp is not None
    rng = np.random.default_rng(2)
    z, r = rng.standard_normal((2, 5, 3))
    y = np.eye(3)[[0, 2, 1, 1, 0]] if loss_id == "cross_entropy" else rng.standard_normal((5, 3))
    h = 1e-6
    numeric = (
        loss.delta(loss.predict(z + h * r), y) - loss.delta(loss.predict(z - h * r), y)
    ) / (2 * h)
    np.testing.assert_allclose(loss.delta_jvp(loss.predict(z), r), numeric, rtol=1e-6, atol=1e-9)
    # Leading batch axes (m directions at once) broadcast against ŷ (N, K).
    rs = rng.standard_normal((4, 5, 3))
    batched = loss.delta_jvp(loss.predict(z), rs)
    np.testing.assert_allclose(batched[2], loss.delta_jvp(loss.predict(z), rs[2]))


@pytest.mark.parametrize("k", [2, 3, 7, 8, 10])
def test_fused_softmax_and_loss_equal_the_row_reductions(k: int) -> None:
    """The fused pass reduces rows of fewer than 8 classes column by column: same bits as
    NumPy's max and sum over the last axis, also at -0, infinities and NaN."""
    from app.core.losses import _ce_fused

    rng = np.random.default_rng(k)
    z = rng.normal(size=(300, k)) * 30
    z[0, 0], z[1, :], z[2, 0], z[3, :] = np.nan, -0.0, np.inf, -np.inf
    y = np.eye(k)[rng.integers(0, k, len(z))]
    with np.errstate(all="ignore"):
        m = z.max(axis=-1, keepdims=True)
        e = np.exp(z - m)
        s = e.sum(axis=-1, keepdims=True)
        want = e / s
        y_pred, value = _ce_fused(z, y)
    np.testing.assert_array_equal(y_pred, want)
    rows = slice(4, None)  # the finite rows: a finite mean
    _, finite = _ce_fused(z[rows], y[rows])
    lse = np.log(s[rows]) + m[rows]
    assert finite == (float(lse.sum()) - float(np.vdot(y[rows], z[rows]))) / len(z[rows])
    assert np.isnan(value)
