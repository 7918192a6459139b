"""The network: hand-written gradients against central differences, shapes, initialisation."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.activations import ACTIVATIONS
from app.core.losses import LOSSES
from app.core.mlp import MLP


def central_differences(model: MLP, theta: np.ndarray, x, y, h: float = 1e-6) -> np.ndarray:
    grad = np.empty_like(theta)
    for k in range(len(theta)):
        e = np.zeros_like(theta)
        e[k] = h
        grad[k] = (model.loss_value(theta + e, x, y) - model.loss_value(theta - e, x, y)) / (2 * h)
    return grad


def problem(activation: str, loss: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    k = 3
    model = MLP.build([4, 5, 6, k], activation, loss)
    theta = model.init(rng)
    theta += 0.1 * rng.standard_normal(theta.shape)  # nonzero biases too
    x = rng.standard_normal((7, 4))
    if loss == "cross_entropy":
        y = model.targets(rng.integers(0, k, 7))
    else:
        y = rng.standard_normal((7, k))
    return model, theta, x, y


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_gradient_matches_central_differences(activation: str, loss: str) -> None:
    model, theta, x, y = problem(activation, loss)
    if activation in ("relu", "leaky_relu"):  # keep clear of the kink, where no derivative exists
        zs = model.forward(theta, x).zs[:-1]
        assert min(np.abs(z).min() for z in zs) > 1e-4
    value, grad = model.loss_and_grad(theta, x, y)
    assert value == pytest.approx(model.loss_value(theta, x, y))
    numeric = central_differences(model, theta, x, y)
    scale = np.maximum(np.abs(grad), np.abs(numeric))
    rel = np.abs(grad - numeric) / np.maximum(scale, 1e-4)  # absolute below 1e-4
    assert rel.max() < 1e-6, model.param_name(int(rel.argmax()))
    assert np.linalg.norm(grad - numeric) / np.linalg.norm(grad + numeric) < 1e-8


def test_mixed_activations_and_no_hidden_layer() -> None:
    rng = np.random.default_rng(3)
    for model in (MLP((3, 4, 4, 2), ("tanh", "sigmoid"), "cross_entropy"),
                  MLP((3, 2), (), "mse")):
        theta = model.init(rng) + 0.1
        x = rng.standard_normal((5, 3))
        y = rng.standard_normal((5, 2)) if model.loss == "mse" else np.eye(2)[[0, 1, 1, 0, 1]]
        _, grad = model.loss_and_grad(theta, x, y)
        np.testing.assert_allclose(grad, central_differences(model, theta, x, y), rtol=1e-6,
                                   atol=1e-9)


def test_output_delta_is_prediction_minus_target_for_softmax_cross_entropy() -> None:
    model, theta, x, y = problem("relu", "cross_entropy")
    fwd = model.forward(theta, x)
    out = model.backward(theta, fwd, y)[-1]
    np.testing.assert_allclose(out.dz, (fwd.acts[-1] - y) / len(x))
    np.testing.assert_allclose(fwd.acts[-1].sum(axis=1), 1.0)


def test_shapes_and_flat_layout() -> None:
    model = MLP.build([2, 16, 8, 3], "relu")
    assert model.shapes == [(16, 2), (8, 16), (3, 8)]
    assert model.n_params == 16 * 2 + 16 + 8 * 16 + 8 + 3 * 8 + 3
    theta = np.arange(model.n_params, dtype=np.float64)
    params = model.unflatten(theta)
    assert [W.shape for W, _ in params] == model.shapes
    assert [b.shape for _, b in params] == [(16,), (8,), (3,)]
    np.testing.assert_array_equal(MLP.flatten(params), theta)
    assert theta[model.param_index(2, 3, 5)] == params[1][0][3, 5]
    assert theta[model.param_index(3, 1, None)] == params[2][1][1]
    assert model.param_name(model.param_index(2, 3, 5)) == "W2[3,5]"
    assert model.param_name(model.param_index(1, 4, None)) == "b1[4]"
    fwd = model.forward(model.init(np.random.default_rng(0)), np.zeros((10, 2)))
    assert [z.shape for z in fwd.zs] == [(10, 16), (10, 8), (10, 3)]
    assert [a.shape for a in fwd.acts] == [(10, 2), (10, 16), (10, 8), (10, 3)]


def test_init_is_deterministic_for_a_seed() -> None:
    model = MLP.build([2, 16, 16, 2], "tanh")
    a = model.init(np.random.default_rng(42))
    b = model.init(np.random.default_rng(42))
    c = model.init(np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    for _, bias in model.unflatten(a):
        assert not bias.any()  # biases start at zero


@pytest.mark.parametrize(
    ("scheme", "activation", "expected_std"),
    [
        ("he", "tanh", lambda i, o: np.sqrt(2 / i)),
        ("xavier", "relu", lambda i, o: np.sqrt(2 / (i + o))),
        ("auto", "relu", lambda i, o: np.sqrt(2 / i)),  # He for ReLU
        ("auto", "tanh", lambda i, o: np.sqrt(2 / (i + o))),  # Xavier for tanh
    ],
)
def test_he_and_xavier_statistics(scheme: str, activation: str, expected_std) -> None:
    model = MLP.build([300, 500, 400, 10], activation)
    params = model.unflatten(model.init(np.random.default_rng(0), scheme))
    for (W, _), (o, i) in list(zip(params, model.shapes, strict=True))[:2]:  # hidden layers
        assert abs(W.mean()) < 0.1 * expected_std(i, o)
        assert W.std() == pytest.approx(expected_std(i, o), rel=0.02)
    W_out, _ = params[-1]
    assert W_out.std() == pytest.approx(np.sqrt(2 / (400 + 10)), rel=0.05)  # output: Xavier


def test_he_keeps_relu_activations_alive_through_depth() -> None:
    model = MLP.build([64] + [64] * 6 + [2], "relu")
    x = np.random.default_rng(1).standard_normal((500, 64))
    acts = model.forward(model.init(np.random.default_rng(0), "he"), x).acts
    ratio = np.mean(acts[-2] ** 2) / np.mean(acts[1] ** 2)
    assert 0.2 < ratio < 5  # neither vanishing nor exploding


def test_targets_and_validation() -> None:
    model = MLP.build([2, 4, 3], "relu")
    np.testing.assert_array_equal(model.targets(np.array([2, 0])), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError):
        model.targets(np.array([3]))
    with pytest.raises(ValueError):
        MLP((2, 4, 3), (), "cross_entropy")
    with pytest.raises(ValueError):
        MLP.build([2, 4, 3], "swish")
    with pytest.raises(ValueError):
        model.unflatten(np.zeros(3))


@pytest.mark.parametrize("dropout", [0.0, 0.5])
@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_a_workspace_pass_has_the_plain_pass_numbers(activation: str, loss: str,
                                                     dropout: float) -> None:
    """The training step's path (reused arrays, dL/da overwritten in place, no dL/dx) gives the
    same bits as the plain pass the trace and the Hessian read, step after step."""
    from app.core.regularization import Penalty, dropout_masks

    model, theta, x, y = problem(activation, loss)
    penalty = Penalty(l1=0.01, l2=0.1)
    work = model.workspace()
    rng = np.random.default_rng(1)
    for _ in range(3):  # the second and third passes write over the first's arrays
        masks = dropout_masks(model, len(x), dropout, rng)
        plain = model.forward(theta, x, masks, y)
        want = MLP.flatten([(g.dW, g.db) for g in model.backward(theta, plain, y, penalty)])
        fast = model.forward(theta, x, masks, y, work)
        grad = np.empty_like(theta)
        assert model.backward(theta, fast, y, penalty, grad, work) == []
        assert fast.loss == plain.loss
        for a, b in zip(fast.zs + fast.acts, plain.zs + plain.acts, strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(grad, want)
        theta = theta - 0.1 * grad


def test_a_workspace_lends_the_same_arrays_every_step() -> None:
    model, theta, x, y = problem("relu", "cross_entropy")
    work = model.workspace()
    first = model.forward(theta, x, y=y, work=work)
    kept = [z.copy() for z in first.zs]
    second = model.forward(theta + 0.1, x, y=y, work=work)
    for a, b in zip(first.zs + first.acts[1:-1], second.zs + second.acts[1:-1], strict=True):
        assert np.shares_memory(a, b)
    assert not np.array_equal(first.zs[0], kept[0])  # written over by the second pass
    assert model.forward(theta, x[:3], y=y[:3], work=work).zs[0].shape == (3, 5)
    assert np.shares_memory(model.forward(theta, x, y=y, work=work).zs[0], first.zs[0])
    with pytest.raises(ValueError, match="out"):
        model.backward(theta, first, y, work=work)


def test_the_augmented_layout_is_theta_permuted() -> None:
    """[W_l | b_l] blocks are theta's W_l and b_l, and the inverse order gives theta back."""
    model, theta, _, _ = problem("tanh", "mse")
    aug = model._augmented
    blocks = aug.weights(theta[aug.order]).blocks
    for Wb, (W, b) in zip(blocks, model.unflatten(theta), strict=True):
        np.testing.assert_array_equal(Wb[:, :-1], W)
        np.testing.assert_array_equal(Wb[:, -1], b)
    np.testing.assert_array_equal(theta[aug.order][aug.inverse], theta)
