"""The network: a multilayer perceptron with a hand-written backward pass.

Conventions (PyTorch's Linear and the usual lecture notes): layer l computes z_l = W_l a_{l-1} + b_l
with W_l of shape (out, in) and a_0 = x; hidden layers apply an activation, the output layer is
owned by the loss (softmax for cross-entropy, identity for MSE). A batch holds one sample per row,
so in code z_l = a_{l-1} @ W_l.T + b_l, (N, out).

Layers are numbered from 1 wherever a number is shown to a person (W1, z2, ...); Python lists of
layers are indexed from 0. All parameters live in one flat float64 vector theta (W1, b1, W2, b2,
... each W row-major) so that any optimizer of the core can train the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from app.core.activations import Activation, get_activation
from app.core.losses import Loss, get_loss
from app.core.workspace import Augmented, Buffers, Weights, Workspace

if TYPE_CHECKING:
    from app.core.regularization import Penalty

Array = NDArray[np.float64]
INIT_SCHEMES = ("auto", "he", "xavier")


@dataclass
class Forward:
    """Every intermediate of one forward pass; the backward pass reads it, the trace shows it."""

    zs: list[Array]  # zs[l]: (N, sizes[l+1]) pre-activations of layer l+1
    acts: list[Array]  # acts[0] = x (N, sizes[0]); acts[l+1] = f(zs[l]); acts[-1] = y_pred
    # Dropout: one (N, width) mask per hidden layer (0 or 1/(1-p)), acts[l+1] = f(zs[l]) * mask;
    # None without dropout (app/core/regularization.py).
    masks: list[Array] | None = None
    # The mean loss, when the pass was given the targets (the output layer computes both at once).
    loss: float | None = None
    # What the pass multiplied, lent to the backward pass (app/core/workspace.py): the weights
    # as [W_l | b_l] blocks, and the arrays zs and acts are views of.
    weights: Weights | None = None
    buffers: Buffers | None = None


def _batch(a: Array) -> Array:
    """A float64 batch with one sample per row (a single sample becomes a batch of one)."""
    if a.ndim == 2 and a.dtype == np.float64:  # the usual case, every step: no calls
        return a
    return np.atleast_2d(np.asarray(a, dtype=np.float64))


@dataclass
class LayerGrad:
    """The four gradients of one layer, in the order backprop computes them."""

    dz: Array  # dL/dz_l (N, out)
    dW: Array  # dL/dW_l (out, in)
    db: Array  # dL/db_l (out,)
    da_prev: Array  # dL/da_{l-1} (N, in): handed to the layer below
    da: Array | None = None  # dL/da_l (N, out) for hidden layers; None at the output
    dW_penalty: Array | None = None  # the penalty's part of dW (out, in); None without one


@dataclass(frozen=True)
class MLP:
    sizes: tuple[int, ...]  # (inputs, hidden_1, ..., outputs)
    activations: tuple[str, ...]  # one per hidden layer
    loss: str = "cross_entropy"  # fixes the output layer: softmax + CE or linear + MSE
    _acts: tuple[Activation, ...] = field(init=False, repr=False, compare=False)
    _loss: Loss = field(init=False, repr=False, compare=False)
    _shapes: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _offsets: tuple[tuple[int, int, int], ...] = field(init=False, repr=False, compare=False)
    _augmented: Augmented = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", tuple(int(s) for s in self.sizes))
        object.__setattr__(self, "activations", tuple(self.activations))
        if len(self.sizes) < 2 or min(self.sizes) < 1:
            raise ValueError("sizes needs an input and an output size, all >= 1")
        if len(self.activations) != len(self.sizes) - 2:
            raise ValueError(
                f"{len(self.sizes) - 2} hidden layers need as many activations, "
                f"got {len(self.activations)}"
            )
        object.__setattr__(self, "_acts", tuple(get_activation(a) for a in self.activations))
        object.__setattr__(self, "_loss", get_loss(self.loss))
        # The layout of theta, computed once (forward and backward need it on every step).
        shapes = [(o, i) for i, o in zip(self.sizes[:-1], self.sizes[1:], strict=True)]
        offsets, k = [], 0
        for o, i in shapes:
            offsets.append((k, k + o * i, k + o * i + o))
            k += o * i + o
        object.__setattr__(self, "_shapes", tuple(shapes))
        object.__setattr__(self, "_offsets", tuple(offsets))
        object.__setattr__(self, "_augmented", Augmented(self.sizes))

    @classmethod
    def build(
        cls, sizes: list[int] | tuple[int, ...], activation: str = "relu",
        loss: str = "cross_entropy",
    ) -> MLP:
        """The usual case: one activation for every hidden layer."""
        return cls(tuple(sizes), (activation,) * (len(sizes) - 2), loss)

    # --- the flat parameter vector -------------------------------------------------------

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """(out, in) of every W."""
        return list(self._shapes)

    @property
    def n_params(self) -> int:
        return self._offsets[-1][2]

    @property
    def loss_fn(self) -> Loss:
        return self._loss

    def activation(self, layer: int) -> Activation | None:
        """The activation of layer `layer` (1-based); None for the output layer."""
        return self._acts[layer - 1] if layer < self.n_layers else None

    def offsets(self) -> list[tuple[int, int, int]]:
        """(start of W, start of b, end) of each layer in theta."""
        return list(self._offsets)

    def unflatten(self, theta: Array) -> list[tuple[Array, Array]]:
        """[(W (out, in), b (out,))] per layer: views into theta, no copies."""
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},), got {theta.shape}")
        return [
            (theta[w:b].reshape(shape), theta[b:e])
            for (w, b, e), shape in zip(self._offsets, self._shapes, strict=True)
        ]

    @staticmethod
    def flatten(params: list[tuple[Array, Array]]) -> Array:
        return np.concatenate([np.concatenate([W.ravel(), b.ravel()]) for W, b in params])

    def param_index(self, layer: int, row: int, col: int | None) -> int:
        """Index in theta of W_layer[row, col], or of b_layer[row] when col is None."""
        if not 1 <= layer <= self.n_layers:
            raise ValueError(f"layer must be in 1..{self.n_layers}")
        o, i = self.shapes[layer - 1]
        if not 0 <= row < o or (col is not None and not 0 <= col < i):
            raise ValueError(f"W{layer} has shape ({o}, {i}): index out of range")
        w, b, _ = self.offsets()[layer - 1]
        return b + row if col is None else w + row * i + col

    def param_name(self, index: int) -> str:
        """'W2[1,0]' or 'b1[3]' for an index into theta (1-based layer, 0-based entries)."""
        for layer, ((w, b, e), (_, i)) in enumerate(
            zip(self.offsets(), self.shapes, strict=True), start=1
        ):
            if w <= index < b:
                return f"W{layer}[{(index - w) // i},{(index - w) % i}]"
            if b <= index < e:
                return f"b{layer}[{index - b}]"
        raise ValueError(f"index {index} outside theta ({self.n_params} parameters)")

    def init(self, rng: np.random.Generator, scheme: str = "auto") -> Array:
        """Gaussian weights, zero biases. He: var 2/fan_in (keeps ReLU activations' variance);
        Xavier/Glorot: var 2/(fan_in + fan_out) (tanh, sigmoid, linear). "auto" picks per layer
        from the activation that follows it; the output layer gets Xavier."""
        if scheme not in INIT_SCHEMES:
            raise ValueError(f"unknown init scheme {scheme!r}; choose one of {INIT_SCHEMES}")
        params = []
        for layer, (o, i) in enumerate(self.shapes, start=1):
            act = self.activation(layer)
            kind = scheme if scheme != "auto" else (act.init if act else "xavier")
            std = np.sqrt(2.0 / i) if kind == "he" else np.sqrt(2.0 / (i + o))
            params.append((rng.normal(0.0, std, size=(o, i)), np.zeros(o)))
        return self.flatten(params)

    # --- forward and backward --------------------------------------------------------------

    def workspace(self) -> Workspace:
        """Arrays for a training step's passes to reuse from one step to the next."""
        return Workspace(self._augmented)

    def forward(self, theta: Array, x: Array, masks: list[Array] | None = None,
                y: Array | None = None, work: Workspace | None = None) -> Forward:
        """x (N, inputs) -> every z_l and a_l; `masks` (dropout) multiply the hidden a_l. With
        the targets `y` (N, outputs), the pass ends with the mean loss too (`Forward.loss`).
        Computed as z_l^T = [W_l | b_l] @ [a_{l-1}^T; 1] (app/core/workspace.py): zs and the
        hidden acts are (N, width) views of those. With a `work`space, the pass writes into its
        arrays (same numbers), which hold until its next pass."""
        if theta.shape != (self.n_params,):
            raise ValueError(f"theta must have shape ({self.n_params},), got {theta.shape}")
        x = _batch(x)
        aug = self._augmented
        if work is None:
            weights, buf = aug.weights(np.take(theta, aug.order)), aug.buffers(len(x))
        else:
            weights, buf = work.weights, work.buffers(len(x))
            np.take(theta, aug.order, out=weights.flat)
        np.copyto(buf.x_T, x.T)
        fwd = Forward(zs=buf.zs_T, acts=[x], masks=masks, weights=weights, buffers=buf)
        last = self.n_layers - 1
        for k, Wb in enumerate(weights.blocks):
            np.matmul(Wb, buf.ins[k], out=buf.zs[k])
            z = buf.zs_T[k]  # (N, out)
            if k < last:  # a_l goes straight into the next product's input rows
                a = self._acts[k].f_into(z, buf.acts[k])
                if masks is not None:
                    np.multiply(a, masks[k], out=a)
            elif y is None:
                a = self._loss.predict(z)
            else:
                a, fwd.loss = self._loss.predict_and_value(z, _batch(y))
            fwd.acts.append(a)
        return fwd

    def backward(self, theta: Array, fwd: Forward, y: Array, penalty: Penalty | None = None,
                 out: Array | None = None, work: Workspace | None = None) -> list[LayerGrad]:
        """Backprop by hand, from the output layer back to the first; returns one LayerGrad per
        layer, indexed like the layers (grads[0] is layer 1). A `penalty` adds its gradient to
        each dW (and says how much in dW_penalty); the forward pass's dropout masks are applied
        on the way back as on the way forward. With `out` (P,), the gradient is written into
        it, laid out like theta (no flatten afterwards: a live run's every step).

        With a `work`space too (the forward pass's), the pass is for the gradient in `out`
        alone, with the same numbers: dL/da is overwritten by dL/dz, dL/dx is not computed, no
        LayerGrads are kept (an empty list)."""
        aug = self._augmented
        weights, buf = fwd.weights, fwd.buffers
        assert weights is not None and buf is not None, "a Forward made by MLP.forward"
        if work is not None:
            if out is None:
                raise ValueError("backward with a workspace writes the gradient into `out`")
            grad = work.grads
        else:
            grad = aug.weights()
        y = _batch(y)
        grads: list[LayerGrad] = []
        # Output layer: the loss hands us dL/dz directly (y_pred - y for softmax + CE).
        dz = self._loss.delta(fwd.acts[-1], y) / len(y)  # mean over the batch
        da: Array | None = None
        for k in range(self.n_layers - 1, -1, -1):
            if da is not None:  # hidden layer: dL/dz = dL/da * f'(z)
                act, z, masked = self._acts[k], fwd.zs[k], da
                if fwd.masks is None:
                    a = fwd.acts[k + 1]
                else:  # a = f(z) * mask: dL/dz = dL/da * mask * f'(z), f' at the unmasked f(z)
                    a = act.f(z)
                    masked = da * fwd.masks[k] if work is None else np.multiply(
                        da, fwd.masks[k], out=da)
                if work is None:  # laid out as the in-place one is: the same products follow
                    dz = np.multiply(masked, act.df(z, a), out=np.empty(z.shape[::-1]).T)
                else:
                    dz = act.backprop_into(masked, z, a)
            # (out, N) @ (N, in + 1) = [dW | db]: db sums dz over the batch against the ones
            dz_T = dz.T
            np.matmul(dz_T, buf.ins_T[k], out=grad.blocks[k])
            dW_penalty = penalty.grad_W(weights.W[k]) if penalty else None
            if dW_penalty is not None:
                grad.W[k] += dW_penalty  # in place: into the gradient too
            # dL/da_{l-1}^T = W^T dL/dz^T (in, N): none for the input with a workspace
            if work is not None:
                if k:
                    np.matmul(weights.W_T[k], dz_T, out=buf.das[k - 1])
                    da = buf.das_T[k - 1]
                continue
            da_prev = np.matmul(weights.W_T[k], dz_T).T
            grads.append(LayerGrad(dz=dz, dW=grad.W[k], db=grad.b[k], da_prev=da_prev, da=da,
                                   dW_penalty=dW_penalty))
            da = da_prev
        if out is not None:
            np.take(grad.flat, aug.inverse, out=out)
        grads.reverse()
        return grads

    def loss_value(self, theta: Array, x: Array, y: Array) -> float:
        return self._loss.value(self.forward(theta, x).zs[-1], np.atleast_2d(y))

    def loss_and_grad(
        self, theta: Array, x: Array, y: Array, penalty: Penalty | None = None,
        masks: list[Array] | None = None,
    ) -> tuple[float, Array]:
        """Mean loss over the batch (plus the penalty, if any; through the dropout masks, if
        any) and its gradient as a flat vector shaped like theta."""
        fwd = self.forward(theta, x, masks, y)
        loss = fwd.loss
        assert loss is not None
        if penalty:
            loss += penalty.value(self, theta)
        grad = np.empty_like(theta)
        self.backward(theta, fwd, y, penalty, grad)
        return loss, grad

    def predict(self, theta: Array, x: Array) -> Array:
        """y_pred (N, outputs): class probabilities or regression values."""
        return self.forward(theta, x).acts[-1]

    def targets(self, y: Array) -> Array:
        """Dataset labels -> (N, outputs) targets: one-hot for class ids, a column for values."""
        y = np.asarray(y)
        if self._loss.task == "classification" and y.ndim == 1:
            k = self.sizes[-1]
            if y.size and (y.min() < 0 or y.max() >= k):
                raise ValueError(f"class labels must be in 0..{k - 1}")
            return np.eye(k)[y.astype(int)]
        return y.reshape(len(y), -1).astype(np.float64)
