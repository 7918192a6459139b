"""Hessian-vector products by the R-operator against central differences of the gradient."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.core.activations import ACTIVATIONS
from app.core.hessian import HessianOperator, hessian, hvp
from app.core.losses import LOSSES
from app.core.mlp import MLP


def problem(activation: str, loss: str, seed: int = 0, sizes=(4, 5, 6, 3), n: int = 7):
    rng = np.random.default_rng(seed)
    model = MLP.build(list(sizes), activation, loss)
    theta = model.init(rng) + 0.1 * rng.standard_normal(model.n_params)  # nonzero biases too
    x = rng.standard_normal((n, sizes[0]))
    k = sizes[-1]
    y = model.targets(rng.integers(0, k, n)) if loss == "cross_entropy" else rng.standard_normal(
        (n, k)
    )
    return model, theta, x, y


def fd_hvp(model: MLP, theta, x, y, v, h: float = 1e-5) -> np.ndarray:
    """(grad(theta + h v) - grad(theta - h v)) / 2h: H v up to O(h^2)."""
    return (model.loss_and_grad(theta + h * v, x, y)[1]
            - model.loss_and_grad(theta - h * v, x, y)[1]) / (2 * h)


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_hvp_matches_finite_differences_of_the_gradient(activation: str, loss: str) -> None:
    model, theta, x, y = problem(activation, loss)
    if activation in ("relu", "leaky_relu"):  # no unit within the FD step of its kink
        assert min(np.abs(z).min() for z in model.forward(theta, x).zs[:-1]) > 1e-3
    op = HessianOperator(model, theta, x, y)
    rng = np.random.default_rng(1)
    for v in rng.standard_normal((3, model.n_params)):
        assert rel_err(op.matvec(v), fd_hvp(model, theta, x, y, v)) < 1e-6
    # Every column: the whole Hessian against P finite differences along the basis.
    eye = np.eye(model.n_params)
    numeric = np.array([fd_hvp(model, theta, x, y, e) for e in eye])
    dense = op.dense()
    assert rel_err(dense, numeric) < 1e-6
    scale = np.abs(numeric).max()
    np.testing.assert_allclose(dense, numeric, rtol=1e-5, atol=1e-7 * scale)


@pytest.mark.parametrize("model", [
    MLP((3, 4, 4, 2), ("tanh", "sigmoid"), "cross_entropy"),
    MLP((3, 6, 5, 4, 2), ("sigmoid", "leaky_relu", "tanh"), "mse"),
    MLP((3, 2), (), "cross_entropy"),  # no hidden layer: multinomial logistic regression
    MLP((2, 1), (), "mse"),  # linear least squares: H = 2/(NK) Xᵀ X per output
], ids=["tanh-sigmoid-ce", "three-mixed-mse", "logistic", "least-squares"])
def test_mixed_activations_and_no_hidden_layer(model: MLP) -> None:
    rng = np.random.default_rng(3)
    theta = model.init(rng) + 0.1
    x = rng.standard_normal((6, model.sizes[0]))
    k = model.sizes[-1]
    y = (model.targets(rng.integers(0, k, 6)) if model.loss == "cross_entropy"
         else rng.standard_normal((6, k)))
    v = rng.standard_normal(model.n_params)
    assert rel_err(hvp(model, theta, x, y, v), fd_hvp(model, theta, x, y, v)) < 1e-6


def test_least_squares_hessian_is_closed_form() -> None:
    model = MLP((2, 1), (), "mse")
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((9, 2)), rng.standard_normal((9, 1))
    xb = np.hstack([x, np.ones((9, 1))])  # theta = (w1, w2, b)
    np.testing.assert_allclose(hessian(model, rng.standard_normal(3), x, y),
                               2 / 9 * xb.T @ xb, rtol=1e-12)


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_symmetry_and_linearity(activation: str, loss: str) -> None:
    model, theta, x, y = problem(activation, loss, seed=5)
    op = HessianOperator(model, theta, x, y)
    rng = np.random.default_rng(6)
    u, v = rng.standard_normal((2, model.n_params))
    hu, hv = op.matvec(u), op.matvec(v)
    assert u @ hv == pytest.approx(v @ hu, rel=1e-12)
    np.testing.assert_allclose(op.matvec(2.5 * u - 0.75 * v), 2.5 * hu - 0.75 * hv,
                               rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(op.matvec(np.zeros(model.n_params)), 0.0)
    # A block of directions is the same as one at a time, and is counted as as many products.
    before = op.n_products
    np.testing.assert_allclose(op.matmat(np.stack([u, v])), np.stack([hu, hv]), rtol=1e-12)
    assert op.n_products == before + 2


def test_operator_keeps_loss_and_gradient_and_rejects_bad_shapes() -> None:
    model, theta, x, y = problem("tanh", "cross_entropy")
    op = HessianOperator(model, theta, x, y)
    loss, grad = model.loss_and_grad(theta, x, y)
    assert op.loss == pytest.approx(loss)
    np.testing.assert_allclose(op.grad, grad)
    with pytest.raises(ValueError, match="entries"):
        op.matvec(np.ones(model.n_params + 1))


def test_dense_is_formed_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small block budget gives the same Hessian as one block."""
    import app.core.hessian as hessian_module

    model, theta, x, y = problem("sigmoid", "mse", seed=8)
    whole = HessianOperator(model, theta, x, y).dense()
    monkeypatch.setattr(hessian_module, "_BLOCK_FLOATS", 7 * 6 * 5)  # 5 directions per block
    np.testing.assert_allclose(HessianOperator(model, theta, x, y).dense(), whole, rtol=1e-14)
    np.testing.assert_array_equal(whole, whole.T)


GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "hessian.json"
GOLDEN_CASES = json.loads(GOLDEN.read_text())["cases"]


def test_golden_networks_cover_every_activation_and_loss() -> None:
    assert {a for c in GOLDEN_CASES for a in c["activations"]} == set(ACTIVATIONS)
    assert {c["loss"] for c in GOLDEN_CASES} == set(LOSSES)


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=[c["name"] for c in GOLDEN_CASES])
def test_hessian_matches_torch(case: dict) -> None:
    """torch.autograd.functional.hessian / hvp, float64 (tests/golden/make_hessian_vectors.py)."""
    model = MLP(tuple(case["sizes"]), tuple(case["activations"]), case["loss"])
    theta, x, y = (np.array(case[k]) for k in ("theta", "x", "y"))
    op = HessianOperator(model, theta, x, y)
    assert op.loss == pytest.approx(case["loss_value"], rel=1e-13)
    np.testing.assert_allclose(op.grad, case["grad"], rtol=1e-11, atol=1e-14)
    want = np.array(case["hessian"])
    np.testing.assert_allclose(op.dense(), want, rtol=1e-10, atol=1e-13 * np.abs(want).max())
    for v, hv in zip(case["directions"], case["hvps"], strict=True):
        assert rel_err(op.matvec(np.array(v)), np.array(hv)) < 1e-12
