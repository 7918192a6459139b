"""L1, L2 and dropout: every gradient against central differences of the loss it claims to be the
gradient of, and dropout's masks reproducible by seed."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.datasets import make_dataset
from app.core.hessian import HessianOperator
from app.core.mlp import MLP
from app.core.regularization import GENERALIZATION, Penalty, dropout_masks, weight_mask
from app.core.runs import NetworkRun, RunConfig, make_problem


def numeric_grad(f, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    out = np.empty_like(theta)
    for k in range(len(theta)):
        e = np.zeros_like(theta)
        e[k] = h
        out[k] = (f(theta + e) - f(theta - e)) / (2 * h)
    return out


def setup(activation: str = "tanh", loss: str = "cross_entropy", seed: int = 0):
    rng = np.random.default_rng(seed)
    model = MLP.build([3, 5, 4, 2], activation, loss)
    theta = model.init(rng) + 0.05 * rng.standard_normal(model.n_params)
    x = rng.standard_normal((9, 3))
    y = model.targets(rng.integers(0, 2, 9)) if loss == "cross_entropy" else \
        rng.standard_normal((9, 2))
    return model, theta, x, y, rng


@pytest.mark.parametrize("penalty", [Penalty(l1=0.03), Penalty(l2=0.2), Penalty(0.03, 0.2)])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_penalised_gradient_matches_central_differences(penalty: Penalty, loss: str) -> None:
    model, theta, x, y, _ = setup(loss=loss)
    weights = weight_mask(model).astype(bool)
    assert np.abs(theta[weights]).min() > 1e-5  # L1 has a kink at 0: stay clear of it
    value, grad = model.loss_and_grad(theta, x, y, penalty)
    objective = lambda t: model.loss_value(t, x, y) + penalty.value(model, t)  # noqa: E731
    assert value == pytest.approx(objective(theta), rel=1e-12)
    np.testing.assert_allclose(grad, numeric_grad(objective, theta), rtol=1e-6, atol=1e-8)
    # The penalty's part is its own term: data gradient + penalty gradient, biases untouched.
    _, data_grad = model.loss_and_grad(theta, x, y)
    np.testing.assert_allclose(grad - data_grad, penalty.grad(model, theta), atol=1e-14)
    assert not np.any((grad - data_grad)[~weights])


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_dropout_gradient_is_the_masked_networks_exact_gradient(activation: str) -> None:
    model, theta, x, y, rng = setup(activation)
    masks = dropout_masks(model, len(x), 0.4, rng)
    assert masks is not None and len(masks) == 2
    assert {float(v) for m in masks for v in np.unique(m)} <= {0.0, 1 / 0.6}
    assert any((m == 0).any() for m in masks) and any((m > 0).any() for m in masks)
    if activation == "relu":  # keep clear of the kink
        assert min(np.abs(z).min() for z in model.forward(theta, x).zs[:-1]) > 1e-4
    penalty = Penalty(0.01, 0.1)
    value, grad = model.loss_and_grad(theta, x, y, penalty, masks)

    def masked(t: np.ndarray) -> float:
        fwd = model.forward(t, x, masks)
        return model.loss_fn.value(fwd.zs[-1], y) + penalty.value(model, t)

    assert value == pytest.approx(masked(theta), rel=1e-12)
    np.testing.assert_allclose(grad, numeric_grad(masked, theta), rtol=1e-6, atol=1e-8)
    # A different mask is a different network: the gradient changes.
    _, unmasked = model.loss_and_grad(theta, x, y, penalty)
    assert not np.allclose(grad, unmasked)


def test_no_dropout_and_the_penalty_hessian() -> None:
    model, theta, x, y, rng = setup()
    assert dropout_masks(model, 4, 0.0, rng) is None
    penalty = Penalty(l2=0.3)
    v = rng.standard_normal(model.n_params)
    # The penalty's Hessian-vector product is the derivative of its gradient along v.
    h = 1e-6
    numeric = (penalty.grad(model, theta + h * v) - penalty.grad(model, theta - h * v)) / (2 * h)
    np.testing.assert_allclose(penalty.hvp(model, v), numeric, rtol=1e-6, atol=1e-10)
    # hessian.py: the data loss's Hessian, or the penalised one when given the penalty, also
    # from passes whose backward added it; dropout's masked passes are refused.
    fwd = model.forward(theta, x)
    passes = (fwd, model.backward(theta, fwd, y, penalty))
    plain = HessianOperator(model, theta, x, y)
    from_passes = HessianOperator(model, theta, x, y, passes=passes)
    np.testing.assert_allclose(from_passes.grad, plain.grad, atol=1e-15)
    full = HessianOperator(model, theta, x, y, passes=passes, penalty=penalty)
    _, grad = model.loss_and_grad(theta, x, y, penalty)
    np.testing.assert_allclose(full.grad, grad, atol=1e-15)
    numeric = np.array([(model.loss_and_grad(theta + h * e, x, y, penalty)[1]
                         - model.loss_and_grad(theta - h * e, x, y, penalty)[1]) / (2 * h)
                        for e in np.eye(model.n_params)])
    np.testing.assert_allclose(full.dense(), 0.5 * (numeric + numeric.T), atol=1e-6)
    masks = dropout_masks(model, len(x), 0.5, rng)
    with pytest.raises(ValueError, match="dropout"):
        HessianOperator(model, theta, x, y, passes=(model.forward(theta, x, masks), passes[1]))


def moons_problem(**lab):
    data = make_dataset("moons", 80, None, 0)
    model = MLP.build((2, 8, 8, 2), "tanh", "cross_entropy")
    return make_problem(model, data.x[:60], data.y[:60], 1, test=(data.x[60:], data.y[60:]),
                        **lab)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_a_dropout_run_is_reproducible_by_seed_and_steps_on_the_masked_gradient(batch_size) -> None:
    problem = moons_problem(dropout=0.3, penalty=Penalty(l2=0.01))
    runs = [NetworkRun(problem, RunConfig("sgd", lr=0.3, batch_size=batch_size, seed=s))
            for s in (4, 4, 5)]
    thetas = []
    for run in runs:
        out = run.columns()
        run.advance(20, out)
        thetas.append(out.theta[-1])
    np.testing.assert_array_equal(thetas[0], thetas[1])  # same seed, same masks
    assert not np.array_equal(thetas[0], thetas[2])
    if batch_size is None:  # the first step's gradient is the masked network's, its masks drawn
        model = problem.model  # from the run's own stream of its seed
        masks = dropout_masks(model, len(problem.x), 0.3, np.random.default_rng([4, 3]))
        _, grad = model.loss_and_grad(problem.theta0, problem.x, problem.y, problem.penalty,
                                      masks)
        np.testing.assert_array_equal(NetworkRun(problem, runs[0].config).head().grad[0], grad)


def test_every_setting_has_a_hover_text_and_a_range() -> None:
    for name, spec in GENERALIZATION.items():
        assert spec.help and spec.min == 0.0 == spec.default and spec.max <= 1.0, name
