"""Sharpness, preconditioned sharpness and the spectrum against numpy.linalg on the explicitly
formed Hessian (from P Hessian-vector products, themselves checked in test_hessian.py)."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.activations import ACTIVATIONS
from app.core.curvature import (
    SharpnessTracker,
    adam_preconditioner,
    adam_threshold,
    gd_threshold,
    histogram,
    preconditioned_sharpness,
    sharpness,
    spectrum,
)
from app.core.datasets import make_dataset
from app.core.hessian import HessianOperator
from app.core.losses import LOSSES
from app.core.mlp import MLP
from app.core.optimizers import make_optimizer


def moons_problem(activation: str = "tanh", loss: str = "cross_entropy", sizes=(2, 8, 8, 2),
                  n: int = 60, seed: int = 0):
    data = make_dataset("moons", n=n, seed=seed)
    model = MLP.build(list(sizes), activation, loss)
    theta = model.init(np.random.default_rng(seed)) + 0.05
    y = model.targets(data.y) if loss == "cross_entropy" else data.y.reshape(-1, 1) * np.ones(
        (1, sizes[-1]))
    return model, theta, data.x, y


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_sharpness_matches_eigvalsh(activation: str, loss: str) -> None:
    model, theta, x, y = moons_problem(activation, loss)
    op = HessianOperator(model, theta, x, y)
    exact = np.linalg.eigvalsh(op.dense())
    eigs = sharpness(op.matvec, model.n_params, tol=1e-8, max_iter=model.n_params,
                     rng=np.random.default_rng(0))
    assert eigs.converged
    assert eigs.top == pytest.approx(exact[-1], rel=1e-9)
    u = eigs.vectors[-1]
    assert np.linalg.norm(op.matvec(u) - eigs.top * u) <= 1e-8 * np.abs(exact).max()


def test_tracker_follows_training_within_its_tolerance() -> None:
    """Full-batch GD on a small tanh net: every tracked sharpness vs the dense Hessian."""
    model, theta, x, y = moons_problem()
    tracker = SharpnessTracker(model, x, y, seed=3)
    lr = 0.5
    for step in range(60):
        if step % 10 == 0:
            got = tracker.update(theta)
            exact = np.linalg.eigvalsh(HessianOperator(model, theta, x, y).dense())
            assert tracker.last is not None and tracker.last.converged
            # residual <= 1e-3 ||H|| bounds the error; with the gap it is far smaller
            assert abs(got - exact[-1]) <= 1e-3 * np.abs(exact).max()
            assert got == pytest.approx(exact[-1], rel=1e-4)
        theta = theta - lr * model.loss_and_grad(theta, x, y)[1]
    assert tracker.n_products > 0


def test_warm_start_converges_in_fewer_products_than_cold() -> None:
    model, theta, x, y = moons_problem(sizes=(2, 16, 16, 2), n=100)
    warm = SharpnessTracker(model, x, y, tol=1e-4, max_iter=200)
    warm.update(theta)
    total_warm = total_cold = 0
    for _ in range(5):  # ten GD steps between sharpness updates, as a run would
        for _ in range(10):
            theta = theta - 0.1 * model.loss_and_grad(theta, x, y)[1]
        got = warm.update(theta)
        total_warm += warm.last.iterations
        cold = SharpnessTracker(model, x, y, tol=1e-4, max_iter=200, seed=1)
        assert cold.update(theta) == pytest.approx(got, rel=1e-6)
        total_cold += cold.last.iterations
        assert warm.last.iterations < cold.last.iterations
    # Measured: 23 against 31 (the top eigenvalue is well separated here, so cold is fast too).
    assert total_warm <= 0.8 * total_cold, (total_warm, total_cold)


def test_tracker_reuses_the_operator_and_reset_forgets() -> None:
    model, theta, x, y = moons_problem()
    tracker = SharpnessTracker(model, x, y, seed=7)
    first = tracker.update(theta)
    op = tracker.operator(theta)
    assert tracker.operator(theta.copy()) is op  # same weights: one forward/backward pass
    assert tracker.update(theta) == pytest.approx(first, rel=1e-6)
    assert tracker.last.iterations <= 2  # warm start at the same theta: done at once
    tracker.reset()
    assert tracker.vector is None and tracker.n_products == 0
    assert tracker.update(theta) == first  # seeded: the same cold start, the same answer


def test_preconditioned_sharpness_is_the_top_eigenvalue_of_p_inverse_h() -> None:
    model, theta, x, y = moons_problem("sigmoid", "cross_entropy")
    op = HessianOperator(model, theta, x, y)
    h = op.dense()
    p = np.random.default_rng(2).uniform(0.01, 1.0, model.n_params)
    exact = np.max(np.linalg.eigvals(h / p[:, None]).real)  # P^-1 H, not symmetric
    eigs = preconditioned_sharpness(op.matvec, p, tol=1e-9, max_iter=model.n_params)
    assert eigs.top == pytest.approx(exact, rel=1e-8)
    u = eigs.vectors[-1] / np.sqrt(p)  # S's eigenvector -> P^-1 H's
    np.testing.assert_allclose((h @ u) / p, eigs.top * u, atol=1e-6 * abs(exact) * np.abs(u).max())
    # P = c I scales the sharpness by 1/c.
    same = preconditioned_sharpness(op.matvec, np.full(model.n_params, 4.0), tol=1e-9,
                                    max_iter=model.n_params)
    assert same.top == pytest.approx(np.linalg.eigvalsh(h)[-1] / 4.0, rel=1e-8)
    with pytest.raises(ValueError):
        preconditioned_sharpness(op.matvec, np.zeros(model.n_params))


def test_adam_preconditioner_is_the_step_adam_takes() -> None:
    """theta_t - theta_{t-1} = -lr P_t^-1 m_t with the optimizer's own update (its m and v
    rebuilt here from the gradients it was given)."""
    model, theta, x, y = moons_problem()
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = make_optimizer("adam", lr=lr)
    m = v = np.zeros(model.n_params)
    for t in range(1, 8):
        g = model.loss_and_grad(theta, x, y)[1]
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
        new = opt.step(theta, g)
        p = adam_preconditioner(v, t, beta1, beta2, eps)
        np.testing.assert_allclose(new - theta, -lr * m / p, rtol=1e-10, atol=1e-15)
        theta = new
    with pytest.raises(ValueError):
        adam_preconditioner(v, 0)


def test_tracker_preconditioned_matches_dense() -> None:
    model, theta, x, y = moons_problem("relu", "mse", sizes=(2, 6, 6, 1))
    tracker = SharpnessTracker(model, x, y, tol=1e-8, max_iter=200)
    p = adam_preconditioner(np.random.default_rng(0).uniform(0, 1e-2, model.n_params), 5)
    h = HessianOperator(model, theta, x, y).dense()
    d = 1 / np.sqrt(p)
    exact = np.linalg.eigvalsh(d[:, None] * h * d[None, :])[-1]
    assert tracker.update_preconditioned(theta, p) == pytest.approx(exact, rel=1e-8)
    assert tracker.update(theta) == pytest.approx(np.linalg.eigvalsh(h)[-1], rel=1e-8)


def test_thresholds() -> None:
    assert gd_threshold(0.1) == pytest.approx(20.0)
    assert adam_threshold(1e-3) == pytest.approx(38_000.0)  # 38 / lr for beta1 = 0.9
    assert adam_threshold(0.5, beta1=0.0) == pytest.approx(gd_threshold(0.5))  # no momentum: GD


def test_spectrum_whole_and_by_its_ends() -> None:
    model, theta, x, y = moons_problem(sizes=(2, 10, 10, 2))
    op = HessianOperator(model, theta, x, y)
    exact = np.linalg.eigvalsh(op.dense())
    whole = spectrum(op)
    assert whole.complete and whole.products == model.n_params
    np.testing.assert_allclose(whole.values, exact, atol=1e-12 * np.abs(exact).max())
    assert whole.values[0] < 0 < whole.values[-1]  # at initial weights: a saddle's directions
    ends = spectrum(op, k=4, dense_limit=10)
    assert not ends.complete and ends.converged and ends.products < model.n_params
    np.testing.assert_allclose(ends.values, np.concatenate([exact[:4], exact[-4:]]),
                               rtol=1e-6, atol=1e-8)


def test_histogram_puts_zero_on_an_edge() -> None:
    values = np.array([-0.3, -0.01, 0.0, 0.02, 0.5, 0.5, 2.0, 7.3])
    counts, edges = histogram(values, bins=20)
    assert counts.sum() == len(values) and len(edges) == len(counts) + 1
    assert 0.0 in edges and edges[0] <= values.min() and edges[-1] >= values.max()
    widths = np.diff(edges)
    np.testing.assert_allclose(widths[1:-1], widths[1])
    zero = int(np.flatnonzero(edges == 0.0)[0])
    assert counts[:zero].sum() == 2  # exactly the negative ones left of 0
    assert len(counts) in (20, 21)
    counts, edges = histogram(np.array([1.0, 1.0]))
    assert counts.sum() == 2 and edges[0] < 1.0 < edges[-1]


def test_diverged_weights_give_nan_and_keep_the_warm_start() -> None:
    model, theta, x, y = moons_problem()
    tracker = SharpnessTracker(model, x, y)
    good = tracker.update(theta)
    vector = tracker.vector.copy()
    with np.errstate(all="ignore"):
        assert np.isnan(tracker.update(np.full_like(theta, np.nan)))
    assert tracker.last is not None and not tracker.last.converged
    np.testing.assert_array_equal(tracker.vector, vector)
    assert tracker.update(theta) == pytest.approx(good, rel=1e-6)


@pytest.mark.parametrize(("lr", "edge"), [(0.02, False), (0.05, True)])
def test_edge_of_stability_on_a_small_tanh_net(lr: float, edge: bool) -> None:
    """Full-batch GD on sine with MSE (docs/curvature.md): at lr 0.05 the sharpness climbs to
    2/lr and hovers there while the loss keeps falling; at lr 0.02 it stays below the line."""
    data = make_dataset("sine", n=100)
    model = MLP.build([1, 32, 32, 1], "tanh", "mse")
    x, y = data.x, model.targets(data.y)
    theta = model.init(np.random.default_rng(0))
    tracker = SharpnessTracker(model, x, y)
    ratios, losses = [], []
    for step in range(1001):
        loss, grad = model.loss_and_grad(theta, x, y)
        losses.append(loss)
        if step % 50 == 0:
            ratios.append(tracker.update(theta) * lr / 2)  # 1 = the 2/lr line
        theta = theta - lr * grad
    late = np.array(ratios[6:])  # from step 300 on
    if edge:
        assert np.all(np.abs(late - 1.0) < 0.1), late
    else:
        assert late.max() < 0.8 and ratios[-1] > ratios[0]  # sharpening, below the line
    assert losses[-1] < losses[300] < losses[0]


def test_a_runs_own_passes_are_reused() -> None:
    """A full-batch step's forward and backward pass can seed the operator: same Hessian."""
    model, theta, x, y = moons_problem("sigmoid", "mse")
    fwd = model.forward(theta, x)
    grads = model.backward(theta, fwd, y)
    op = HessianOperator(model, theta, x, y, passes=(fwd, grads))
    np.testing.assert_array_equal(op.dense(), HessianOperator(model, theta, x, y).dense())
    tracker = SharpnessTracker(model, x, y)
    assert tracker.update(theta, passes=(fwd, grads)) == pytest.approx(
        SharpnessTracker(model, x, y).update(theta), rel=1e-12)
    with pytest.raises(ValueError, match="whole batch"):
        HessianOperator(model, theta, x[:10], y[:10], passes=(fwd, grads))
