"""The teaching trace: the classic hand-worked example, and agreement with the network's maths."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.backprop_trace import backprop_trace, classic_example, weight_chain
from app.core.mlp import MLP


@pytest.fixture(scope="module")
def classic():
    return backprop_trace(*classic_example())


def test_classic_example_reproduces_the_walk_through(classic) -> None:
    model = classic.model
    assert model.sizes == (3, 4, 3, 3) and model.activations == ("relu", "relu")
    assert model.loss == "cross_entropy"
    np.testing.assert_allclose(classic.forward[-1].a, [0.5, 0.5, 0.0], atol=1e-15)
    np.testing.assert_array_equal(classic.y, [0.0, 1.0, 0.0])
    dz3 = classic.backward[0].dz
    np.testing.assert_allclose(dz3, [0.5, -0.5, 0.0], atol=1e-15)
    assert classic.loss == pytest.approx(np.log(2))
    assert classic.loss_after < classic.loss


def test_classic_numbers_are_small_and_checkable_by_hand(classic) -> None:
    for W, b in classic.model.unflatten(classic.theta):
        assert np.all(W == np.round(W)) and np.all(np.abs(W) <= 4)
        assert np.all(b == np.round(b))
    np.testing.assert_array_equal(classic.forward[0].z, [5, -2, 2, 1])
    np.testing.assert_array_equal(classic.forward[1].z, [4, 1, -3])


def test_relu_masks_are_visible_in_the_classic_example(classic) -> None:
    """Each hidden layer has an inactive unit whose incoming gradient the mask stops."""
    for layer in (1, 2):
        step = classic.step(layer)
        z = classic.forward[layer - 1].z
        off = z < 0
        assert off.any()
        assert np.all(step.da[off] != 0) and np.all(step.dz[off] == 0)
        np.testing.assert_array_equal(step.dz, step.da * (z > 0))


def test_backward_is_ordered_last_layer_first(classic) -> None:
    assert [s.layer for s in classic.backward] == [3, 2, 1]
    assert [f.layer for f in classic.forward] == [1, 2, 3]
    assert [u.layer for u in classic.updated] == [1, 2, 3]


def test_formulas_are_present(classic) -> None:
    for step in classic.backward:
        assert set(step.formula) == {"dz", "dW", "db", "da_prev"} == set(step.words)
        assert all(step.formula.values()) and all(step.words.values())
    assert classic.step(2).formula["dz"] == "dL/dz2 = dL/da2 * 1[z2 > 0]"
    assert classic.step(3).formula["dz"].startswith("dL/dz3 = ŷ - y")
    assert classic.step(2).formula["dW"] == "dL/dW2 = dL/dz2 · a1ᵀ"
    assert classic.step(2).formula["da_prev"] == "dL/da1 = W2ᵀ · dL/dz2"
    assert classic.forward[0].formula == {"z": "z1 = W1 a0 + b1", "a": "a1 = max(0, z1)"}


def traced_grads(trace) -> np.ndarray:
    by_layer = sorted(trace.backward, key=lambda s: s.layer)
    return MLP.flatten([(s.dW, s.db) for s in by_layer])


def test_every_backward_quantity_equals_the_networks_gradient(classic) -> None:
    model, theta = classic.model, classic.theta
    x, y = classic.x[None], classic.y[None]
    _, grad = model.loss_and_grad(theta, x, y)
    np.testing.assert_array_equal(traced_grads(classic), grad)
    # and against central differences (the oracle), weights away from ReLU kinks
    h = 1e-6
    for k in range(model.n_params):
        e = np.zeros_like(theta)
        e[k] = h
        numeric = (model.loss_value(theta + e, x, y) - model.loss_value(theta - e, x, y)) / (2 * h)
        assert grad[k] == pytest.approx(numeric, abs=1e-7), model.param_name(k)
    # dL/da_prev of layer l is dL/da of layer l - 1
    for layer in (2, 3):
        np.testing.assert_array_equal(classic.step(layer).da_prev, classic.step(layer - 1).da)


def test_update_is_gradient_descent(classic) -> None:
    params = classic.model.unflatten(classic.theta)
    for u, (W, b) in zip(classic.updated, params, strict=True):
        step = classic.step(u.layer)
        np.testing.assert_allclose(u.W, W - classic.lr * step.dW)
        np.testing.assert_allclose(u.b, b - classic.lr * step.db)
    new = MLP.flatten([(u.W, u.b) for u in classic.updated])
    assert classic.loss_after == pytest.approx(
        classic.model.loss_value(new, classic.x[None], classic.y[None])
    )


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "leaky_relu", "linear"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_any_network_traces_to_its_gradient(activation: str, loss: str) -> None:
    rng = np.random.default_rng(0)
    model = MLP.build([2, 3, 2], activation, loss)
    theta = model.init(rng) + 0.1
    x, y = np.array([0.5, -1.0]), np.array([1.0, 0.0])
    trace = backprop_trace(model, theta, x, y, lr=0.5)
    _, grad = model.loss_and_grad(theta, x[None], y[None])
    np.testing.assert_allclose(traced_grads(trace), grad)
    assert trace.step(2).da is None and trace.step(1).da is not None


def test_weight_chain_multiplies_out_to_the_gradient(classic) -> None:
    for layer, (o, i) in enumerate(classic.model.shapes, start=1):
        for row in range(o):
            for col in [*range(i), None]:
                chain = weight_chain(classic, layer, row, col)
                step = classic.step(layer)
                expected = step.db[row] if col is None else step.dW[row, col]
                assert chain.value == expected
                links = chain.links
                a_prev = classic.x if layer == 1 else classic.forward[layer - 2].a
                factor = 1.0 if col is None else a_prev[col]
                assert links[0].value == pytest.approx(links[1].value * factor)
                if layer < classic.model.n_layers:  # dz = da f'(z); da = sum_k W[k,i] dz[k]
                    total = sum(w * dz for _, w, dz in links[2].terms)
                    assert links[2].value == pytest.approx(total, abs=1e-15)
                    assert links[1].value == pytest.approx(
                        links[2].value * (classic.forward[layer - 1].z[row] > 0))


def test_weight_chain_text(classic) -> None:
    chain = weight_chain(classic, 1, 2, 0)
    assert chain.value == -5.0
    assert [link.quantity for link in chain.links] == ["dL/dW1[2,0]", "dL/dz1[2]", "dL/da1[2]"]
    assert chain.links[0].formula == "dL/dW1[2,0] = dL/dz1[2] · a0[0] = -2.5 · 2"
    assert "1[z1[2] > 0]" in chain.links[1].formula
    with pytest.raises(ValueError):
        weight_chain(classic, 1, 9, 0)


def test_the_trace_shows_the_penalty_terms() -> None:
    from app.core.regularization import Penalty

    model, theta, x, y, lr = classic_example()
    penalty = Penalty(l1=0.05, l2=0.1)
    plain = backprop_trace(model, theta, x, y, lr)
    trace = backprop_trace(model, theta, x, y, lr, penalty)
    assert trace.penalty == pytest.approx(penalty.value(model, theta)) and trace.penalty > 0
    assert trace.loss == pytest.approx(plain.loss + trace.penalty)
    for step, before in zip(trace.backward, plain.backward, strict=True):
        W, _ = model.unflatten(theta)[step.layer - 1]
        np.testing.assert_allclose(step.dW_penalty, 0.05 * np.sign(W) + 0.1 * W)
        np.testing.assert_allclose(step.dW, before.dW + step.dW_penalty)
        np.testing.assert_array_equal(step.db, before.db)  # biases are not penalised
        assert step.formula["dW"].endswith(f" + 0.05·sign(W{step.layer}) + 0.1·W{step.layer}")
        assert "penalty" in step.words["dW"]
    assert plain.backward[0].dW_penalty is None and plain.penalty_formula == ""
    assert trace.penalty_formula == "0.05·Σ|W| + (0.1/2)·ΣW²"
    # The update follows the penalised gradient, and the chain names the penalty's term.
    W1_new = trace.updated[0].W
    W1, _ = model.unflatten(theta)[0]
    np.testing.assert_allclose(W1_new, W1 - lr * trace.step(1).dW)
    chain = weight_chain(trace, 1, 0, 2)
    assert chain.value == pytest.approx(trace.step(1).dW[0, 2])
    assert chain.links[0].formula.endswith("(penalty)")


def test_the_trace_shows_dropouts_mask_and_its_exact_gradient() -> None:
    from app.core.regularization import dropout_masks

    model, theta, x, y, lr = classic_example()
    masks = dropout_masks(model, 1, 0.5, np.random.default_rng(1))
    assert any((m == 0).any() for m in masks) and any((m == 2).any() for m in masks)
    trace = backprop_trace(model, theta, x, y, lr, masks=masks)
    for layer in (1, 2):
        np.testing.assert_array_equal(trace.forward[layer - 1].mask, masks[layer - 1][0])
        step = trace.step(layer)
        z = trace.forward[layer - 1].z
        np.testing.assert_array_equal(step.dz, step.da * masks[layer - 1][0] * (z > 0))
        assert f"m{layer}" in step.formula["dz"] and "· m" in trace.forward[layer - 1].formula["a"]
    assert trace.forward[2].mask is None  # the output layer has no dropout
    _, grad = model.loss_and_grad(theta, x[None, :], y[None, :], masks=masks)
    got = model.flatten([(s.dW, s.db) for s in sorted(trace.backward, key=lambda s: s.layer)])
    np.testing.assert_allclose(got, grad, atol=1e-15)
