"""Backprop for one example, every intermediate quantity in the order it is computed, for teaching.

Forward: z and a per layer. Backward, from the last layer to the first: dL/dz, dL/dW, dL/db,
dL/da_prev, each with the formula that produced it in symbols and in words. Then one step of
gradient descent, W <- W - lr dL/dW, and the loss after it. The numbers come from the same
`MLP.forward` / `MLP.backward` that training uses, so the trace cannot disagree with them.

`classic_example()` reproduces the hand-worked exercise (3 layers, two ReLU hidden layers,
softmax + cross-entropy, prediction [0.5, 0.5, 0] against target [0, 1, 0]).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.core.mlp import MLP
from app.core.regularization import Penalty

Array = NDArray[np.float64]


@dataclass(frozen=True)
class ForwardStep:
    layer: int  # 1-based
    z: Array  # (out,)
    a: Array  # (out,); the prediction y_pred at the last layer
    formula: dict[str, str]  # "z", "a"
    mask: Array | None = None  # dropout: 0 or 1/(1-p) per unit (out,); None without dropout


@dataclass(frozen=True)
class BackwardStep:
    layer: int
    da: Array | None  # dL/da_layer (out,), None at the output (the loss gives dL/dz directly)
    dz: Array  # (out,)
    dW: Array  # (out, in)
    db: Array  # (out,)
    da_prev: Array  # (in,)
    formula: dict[str, str]  # "dz", "dW", "db", "da_prev": symbols
    words: dict[str, str]  # the same keys: why, in a sentence
    dW_penalty: Array | None = None  # the penalty's part of dW (out, in), included in dW


@dataclass(frozen=True)
class Update:
    layer: int
    W: Array
    b: Array
    formula: str


@dataclass(frozen=True)
class Trace:
    model: MLP
    theta: Array
    x: Array  # (inputs,)
    y: Array  # (outputs,)
    lr: float
    loss: float
    forward: list[ForwardStep]  # layer 1 first
    backward: list[BackwardStep]  # last layer first, the order backprop computes them
    updated: list[Update]  # layer 1 first
    loss_after: float  # the loss of the same example after the update
    penalty: float = 0.0  # the penalty term, included in loss (and in loss_after, after)
    penalty_formula: str = ""  # e.g. "0.01·Σ|W| + (0.1/2)·ΣW²"; "" without a penalty

    def step(self, layer: int) -> BackwardStep:
        return next(s for s in self.backward if s.layer == layer)


def _clean(a: Array) -> Array:
    """A copy without negative zeros (-0.5 * 0 = -0.0 would show as "-0" in class)."""
    return np.asarray(a, dtype=np.float64) + 0.0


def backprop_trace(model: MLP, theta: Array, x: Array, y: Array, lr: float = 0.1,
                   penalty: Penalty | None = None, masks: list[Array] | None = None) -> Trace:
    """Trace forward, backward and one gradient-descent step for the single example (x, y).
    With a penalty, loss = data loss + penalty and each dW gains the penalty's gradient, shown
    as its own term. With dropout masks (one (1, width) per hidden layer), a hidden layer's
    a = f(z) · mask, and the gradient flows back through the same mask (loss_after is the
    masked network's too: the step is the masked network's step)."""
    x = np.asarray(x, dtype=np.float64).reshape(1, -1)  # (1, inputs)
    y = np.asarray(y, dtype=np.float64).reshape(1, -1)  # (1, outputs)
    penalty = penalty or Penalty()
    fwd = model.forward(theta, x, masks)
    grads = model.backward(theta, fwd, y, penalty)
    loss_fn = model.loss_fn
    L = model.n_layers

    forward = []
    for layer in range(1, L + 1):
        act = model.activation(layer)
        a_formula = (
            act.formula.format(z=f"z{layer}", a=f"a{layer}")
            if act
            else f"a{layer} = " + loss_fn.output_formula.format(z=f"z{layer}")
        )
        mask = masks[layer - 1][0] if masks is not None and act else None
        if mask is not None:  # "a2 = tanh(z2)" -> "a2 = tanh(z2) · m2"
            a_formula += f" · m{layer}   (dropout mask: 0, or 1/(1-p) for a kept unit)"
        forward.append(
            ForwardStep(
                layer, _clean(fwd.zs[layer - 1][0]), _clean(fwd.acts[layer][0]),
                {"z": f"z{layer} = W{layer} a{layer - 1} + b{layer}", "a": a_formula},
                None if mask is None else _clean(mask),
            )
        )

    backward = []
    for layer in range(L, 0, -1):
        g = grads[layer - 1]
        act = model.activation(layer)
        if act is None:
            dz_formula = f"dL/dz{layer} = {loss_fn.delta_formula}   (ŷ = a{layer})"
            dz_words = loss_fn.words
        else:
            deriv = act.derivative.format(z=f"z{layer}", a=f"a{layer}")
            dz_formula = f"dL/dz{layer} = dL/da{layer} * {deriv}"
            if masks is not None:
                dz_formula = f"dL/dz{layer} = dL/da{layer} * m{layer} * {deriv}"
            dz_words = act.words
            if masks is not None:
                dz_words += (" Dropout's mask multiplies it too: a dropped unit (mask 0) passes "
                             "no gradient back, a kept one passes 1/(1-p) of it.")
        prev = "the input x" if layer == 1 else f"a{layer - 1}"
        dW_formula = f"dL/dW{layer} = dL/dz{layer} · a{layer - 1}ᵀ"
        dW_words = (f"Each weight's gradient is the error at the unit it feeds times the "
                    f"value it carries from {prev}: an outer product.")
        if penalty:
            dW_formula += " + " + penalty.grad_formula(layer)
            dW_words += (" The penalty adds its own pull towards 0 on every weight"
                         + (": l1·sign(W) the same for all" if penalty.l1 else "")
                         + (": l2·W in proportion to the weight" if penalty.l2 else "")
                         + "; biases are not penalised.")
        backward.append(
            BackwardStep(
                layer=layer,
                da=None if g.da is None else _clean(g.da[0]),
                dz=_clean(g.dz[0]),
                dW=_clean(g.dW),
                db=_clean(g.db),
                da_prev=_clean(g.da_prev[0]),
                formula={
                    "dz": dz_formula,
                    "dW": dW_formula,
                    "db": f"dL/db{layer} = dL/dz{layer}",
                    "da_prev": f"dL/da{layer - 1} = W{layer}ᵀ · dL/dz{layer}",
                },
                words={
                    "dz": dz_words,
                    "dW": dW_words,
                    "db": "A bias is a weight on a constant input 1, so its gradient is the "
                    "error itself.",
                    "da_prev": (
                        "The error flows back along the same weights, transposed: each unit "
                        "below collects the errors of every unit it feeds."
                        if layer > 1
                        else "The gradient for the input x itself: not needed to update the "
                        "weights, shown to complete the chain."
                    ),
                },
                dW_penalty=None if g.dW_penalty is None else _clean(g.dW_penalty),
            )
        )

    theta_new = theta - lr * model.flatten([(g.dW, g.db) for g in grads])
    updated = [
        Update(layer, _clean(W), _clean(b), f"W{layer} ← W{layer} - lr · dL/dW{layer}, "
               f"b{layer} ← b{layer} - lr · dL/db{layer}")
        for layer, (W, b) in enumerate(model.unflatten(theta_new), start=1)
    ]
    pen, pen_after = (penalty.value(model, theta), penalty.value(model, theta_new)) if penalty \
        else (0.0, 0.0)
    return Trace(
        model=model, theta=np.array(theta, dtype=np.float64), x=x[0], y=y[0], lr=float(lr),
        loss=loss_fn.value(fwd.zs[-1], y) + pen, forward=forward, backward=backward,
        updated=updated,
        loss_after=loss_fn.value(model.forward(theta_new, x, masks).zs[-1], y) + pen_after,
        penalty=pen, penalty_formula=penalty.formula,
    )


# --- the chain for one weight ----------------------------------------------------------------


@dataclass(frozen=True)
class ChainLink:
    quantity: str  # e.g. "dL/dz2[1]"
    value: float
    formula: str  # symbols, then the numbers substituted
    # For a sum (dL/da = Σ_k W[k,i] dL/dz_next[k]): one (k, W[k,i], dL/dz_next[k]) per term.
    terms: list[tuple[int, float, float]] | None = None


@dataclass(frozen=True)
class Chain:
    layer: int
    row: int
    col: int | None  # None: the bias b_layer[row]
    value: float  # dL/dW_layer[row, col] (or dL/db_layer[row])
    links: list[ChainLink]  # from the weight back towards the loss


def weight_chain(trace: Trace, layer: int, row: int, col: int | None) -> Chain:
    """The factors behind one weight's gradient, one link of the chain rule at a time:

    dL/dW_l[i,j] = dL/dz_l[i] · a_{l-1}[j]
    dL/dz_l[i]   = dL/da_l[i] · f'(z_l[i])            (hidden layer; at the output: ŷ_i - y_i)
    dL/da_l[i]   = Σ_k W_{l+1}[k,i] · dL/dz_{l+1}[k]  (the units this one feeds)
    """
    model = trace.model
    model.param_index(layer, row, col)  # validates the indices
    step = trace.step(layer)
    a_prev = trace.x if layer == 1 else trace.forward[layer - 2].a
    dz = float(step.dz[row])
    name = f"W{layer}[{row},{col}]" if col is not None else f"b{layer}[{row}]"
    if col is None:
        value = float(step.db[row])
        first = ChainLink(f"dL/d{name}", value, f"dL/d{name} = dL/dz{layer}[{row}] · 1 = {dz:.6g}")
    else:
        value = float(step.dW[row, col])
        ap = float(a_prev[col])
        text = f"dL/d{name} = dL/dz{layer}[{row}] · a{layer - 1}[{col}] = {dz:.6g} · {ap:.6g}"
        if step.dW_penalty is not None:  # the penalty's own term, outside the chain
            text += f" + {float(step.dW_penalty[row, col]):.6g} (penalty)"
        first = ChainLink(f"dL/d{name}", value, text)
    links = [first]
    act = model.activation(layer)
    z = float(trace.forward[layer - 1].z[row])
    if act is None:
        y_pred, y = float(trace.forward[-1].a[row]), float(trace.y[row])
        links.append(ChainLink(
            f"dL/dz{layer}[{row}]", dz,
            f"dL/dz{layer}[{row}] = {model.loss_fn.delta_formula} with ŷ = {y_pred:.6g}, "
            f"y = {y:.6g}",
        ))
        return Chain(layer, row, col, value, links)
    assert step.da is not None
    da = float(step.da[row])
    a = float(trace.forward[layer - 1].a[row])
    fprime = float(act.df(np.array([z]), np.array([a]))[0])
    deriv = act.derivative.format(z=f"z{layer}[{row}]", a=f"a{layer}[{row}]")
    links.append(ChainLink(
        f"dL/dz{layer}[{row}]", dz,
        f"dL/dz{layer}[{row}] = dL/da{layer}[{row}] · {deriv} = {da:.6g} · {fprime:.6g} "
        f"(z{layer}[{row}] = {z:.6g})",
    ))
    W_next, _ = model.unflatten(trace.theta)[layer]
    dz_next = trace.step(layer + 1).dz
    terms = [(k, float(W_next[k, row]), float(dz_next[k])) for k in range(len(dz_next))]
    shown = " + ".join(f"({w:.6g})·({d:.6g})" for _, w, d in terms)
    links.append(ChainLink(
        f"dL/da{layer}[{row}]", da,
        f"dL/da{layer}[{row}] = Σ_k W{layer + 1}[k,{row}] · dL/dz{layer + 1}[k] = {shown}",
        terms,
    ))
    return Chain(layer, row, col, value, links)


# --- the classic hand-worked example -------------------------------------------------------


def classic_example() -> tuple[MLP, NDArray[np.float64], Array, Array, float]:
    """(model, theta, x, y, lr) of the hand-worked exercise: 3 -> 4 -> 3 -> 3, ReLU, ReLU,
    softmax + cross-entropy, small integer weights a class can check by hand.

    z1 = [5, -2, 2, 1]: unit 2 is off, so the ReLU mask 1[z1 > 0] visibly stops dL/da1 = -2.
    z2 = [4, 1, -3]: unit 3 is off, and its dL/da2 = -0.5 is stopped too.
    z3 = [4, 4, -36]: the walk-through states the prediction [0.5, 0.5, 0]; a softmax never
    outputs an exact 0, so the bias b3[3] = -40 makes class 3 e^-40 / 2 ≈ 2·10⁻¹⁸ likely.
    In float64 the first two probabilities are then exactly 0.5 and dL/dz3 = [0.5, -0.5, 2e-18]:
    the walk-through's [0.5, -0.5, 0] to every displayed digit.
    """
    model = MLP((3, 4, 3, 3), ("relu", "relu"), "cross_entropy")
    W1 = [[1, 0, 1], [0, 1, -1], [1, 1, 0], [-1, 0, 1]]
    b1 = [0, 0, -1, 0]
    W2 = [[1, 0, -1, 1], [0, 1, 1, -1], [-1, 0, 1, 0]]
    b2 = [0, 0, 0]
    W3 = [[1, 0, 1], [0, 4, 2], [1, 0, 0]]
    b3 = [0, 0, -40]
    params = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64))
              for W, b in ((W1, b1), (W2, b2), (W3, b3))]
    x = np.array([2.0, 1.0, 3.0])
    y = np.array([0.0, 1.0, 0.0])
    # lr 0.01: each weight moves by a hundredth of its gradient (easy by hand); the loss falls
    # from ln 2 ≈ 0.693 to ≈ 0.0013 in this one step.
    return model, MLP.flatten(params), x, y, 0.01
