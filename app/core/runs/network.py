"""A network learning a dataset, one optimizer step at a time: the live network view and the
training behind the landscape endpoint are both this class, so they cannot disagree.

Each step reports what the network view draws: the loss and accuracy on the whole dataset, one
gradient norm per layer (vanishing and exploding gradients show up there), and the weights'
coordinates on a fixed plane through the initial weights, so the path can be drawn over a
landscape computed for the same plane. Full batch, or minibatches drawn epoch by epoch from a
seeded permutation: real stochastic gradients, and the same seed gives the same trajectory.
With held-out points it also reports their loss and accuracy and the best test step
(`holdout.py`); the loss it descends may carry an L1/L2 penalty and dropout
(app/core/regularization.py), and `loss` stays the data loss, the penalty its own column.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.core.directions import Plane, random_plane, weight_plane
from app.core.mlp import MLP
from app.core.regularization import Penalty, dropout_masks
from app.core.runs.base import RunBase
from app.core.runs.config import RunConfig
from app.core.runs.holdout import BestTest, Holdout, evaluate
from app.core.runs.sharpness import EMPTY, SharedStart, SharpnessProbe, SharpnessReading
from app.core.workspace import Workspace

Array = NDArray[np.float64]

# A run is called diverged when its loss or weights stop being finite, or grow past these:
# beyond them float32 landscapes overflow and nothing useful is left to show.
DIVERGENCE_LOSS = 1e8
DIVERGENCE_WEIGHT = 1e6
DIVERGENCE_REASON = "the loss or the weights blew up: learning rate too large for this network"


@dataclass
class Problem:
    """What every run of one session shares: the data, the network and its initial weights."""

    model: MLP
    x: Array  # (N, inputs)
    labels: NDArray  # (N,) class ids, or regression targets
    y: Array  # (N, outputs) targets as the loss wants them
    theta0: Array  # (P,) the shared initial weights: comparisons between runs are fair
    plane: Plane | None = None  # where the live path is drawn (through theta0); None: nowhere
    test: Holdout | None = None  # held-out points, never trained on
    penalty: Penalty = field(default_factory=Penalty)  # L1/L2 on the weights, in the loss
    dropout: float = 0.0  # probability a hidden unit is off in a training step
    # the sharpness at theta0, measured once for all runs (runs/sharpness.py)
    start_sharpness: SharedStart = field(default_factory=SharedStart)


def make_problem(
    model: MLP, x: Array, labels: NDArray, seed: int, init: str = "auto",
    plane: str | None = "random", weights: tuple | None = None,
    test: tuple[Array, NDArray] | None = None, penalty: Penalty | None = None,
    dropout: float = 0.0,
) -> Problem:
    """Initial weights from the seed, and the drawing plane through them.

    The random plane uses the same generator as `landscape.compute_landscape(centre="initial",
    mode="random", seed=seed)`, so that endpoint draws the surface under the live paths."""
    theta0 = model.init(np.random.default_rng(seed), init)
    p: Plane | None = None
    if plane == "weights":
        refs = weights or ((1, 0, 0), (1, 0, 1 if model.sizes[0] > 1 else None))
        p = weight_plane(model, theta0, *refs)
    elif plane == "random":
        p = random_plane(model, theta0, np.random.default_rng([seed, 1]))
    elif plane is not None:
        raise ValueError(f"plane: the live plane is 'random' or 'weights', not {plane!r}")
    holdout = None if test is None else Holdout.of(model, *test)
    return Problem(model, x, labels, model.targets(labels), theta0, p, holdout,
                   penalty or Penalty(), dropout)


@dataclass
class NetColumns:
    """A network run's steps as columns. `loss` and `accuracy` are on the whole dataset (None
    where not evaluated: minibatch steps between two `loss_every`-th ones)."""

    step: list[int] = field(default_factory=list)
    loss: list[float | None] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)  # classification only
    lr: list[float | None] = field(default_factory=list)  # the lr of the step that led here
    grad_norms: list[tuple[float, ...]] = field(default_factory=list)  # |dL/dW_l| per layer
    plane: list[tuple[float, float] | None] = field(default_factory=list)  # axis units
    theta: list[Array] = field(default_factory=list)  # (P,) weights
    # The test set's, None where not evaluated or without test points; the penalty term of
    # the loss (0 without one), beside `loss`, which is the data loss alone.
    test_loss: list[float | None] = field(default_factory=list)
    test_accuracy: list[float | None] = field(default_factory=list)
    penalty: list[float] = field(default_factory=list)
    weight_norm: list[float] = field(default_factory=list)  # |theta|: weight decay at work
    grad: list[Array] = field(default_factory=list)  # (P,) the gradient the next step uses
    # every sharpness_every-th step: its curvature (runs/sharpness.py); None between them
    sharpness: list[SharpnessReading | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.step)

    def append(self, other: NetColumns) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))


def batches(n: int, batch_size: int | None, rng: np.random.Generator) -> Iterator[NDArray | None]:
    """Index arrays of successive minibatches (a fresh permutation each epoch); None = all."""
    if batch_size is None or batch_size >= n:
        while True:
            yield None
    while True:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start : start + batch_size]


def usable(loss: float, theta: Array, grad: Array) -> bool:
    """The divergence rule of network runs: finite, and not past the limits above.

    Two reductions, not five (a live run checks every step): a NaN weight makes the max NaN,
    which fails the comparison; a non-finite gradient makes its sum non-finite."""
    return (
        math.isfinite(loss)
        and loss < DIVERGENCE_LOSS
        and float(np.maximum.reduce(np.abs(theta), initial=0.0)) < DIVERGENCE_WEIGHT
        and math.isfinite(float(np.add.reduce(grad)))
    )


class NetworkRun(RunBase):
    """One optimizer training the shared network from the shared initial weights."""

    kind = "network"

    def __init__(self, problem: Problem, config: RunConfig, loss_every: int = 1,
                 sharpness_every: int | None = None) -> None:
        self.problem = problem
        # Minibatch runs evaluate the whole dataset's loss every `loss_every` steps only (it
        # costs a forward pass over all points); full-batch runs have it for free every step.
        self.loss_every = loss_every
        # The full-batch Hessian's top eigenvalue every k steps (None: never).
        self.probe = None if not sharpness_every else SharpnessProbe(
            problem.model, problem.x, problem.y, sharpness_every, seed=config.seed,
            shared=problem.start_sharpness)
        super().__init__(config)

    def reset(self, problem: Problem | None = None) -> None:
        """Back to the initial weights with fresh optimizer state (a new problem: new weights);
        live changes are kept."""
        if problem is not None:
            self.problem = problem
        self._restart()

    def _restart(self) -> None:
        super()._restart()
        p = self.problem
        # Where each layer's W and b start in theta: [W1, b1, W2, b2, ...] segments.
        self._w_starts = np.array([i for w, b, _ in p.model.offsets() for i in (w, b)])
        # The passes' arrays while `advance` steps (None: the plain passes); not kept between
        # calls, so that an idle run (a class of paused sessions) holds no batch-sized arrays.
        self._work: Workspace | None = None
        if self.probe is not None:
            self.probe.reset(p.start_sharpness)
        self._batches = batches(len(p.x), self.config.batch_size,
                                np.random.default_rng(self.config.seed))
        # Dropout masks: their own stream of the run's seed (the masks are part of the step).
        self._dropout_rng = np.random.default_rng([self.config.seed, 3])
        self.best_test = BestTest()
        self._head = self.columns()
        with np.errstate(all="ignore"):
            self._observe(p.theta0.copy(), None, self._head)
        self.current_theta, self.current_grad = self._head.theta[-1], self._head.grad[-1]

    def columns(self) -> NetColumns:
        return NetColumns()

    def head(self) -> NetColumns:
        """The current step alone (the initial weights after a reset)."""
        return self._head

    def advance(self, n: int, out: NetColumns | None) -> int:
        """Take up to n steps, appending each to `out`; returns how many were taken."""
        if self.status != "running" or n <= 0:
            return 0
        opt, learning_rate = self.optimizer, self.learning_rate
        theta, grad = self.current_theta, self.current_grad
        taken = 0
        self._work = self.problem.model.workspace()
        with np.errstate(all="ignore"):  # once for every step: a divergence is a status
            for _ in range(n):
                lr = learning_rate.value
                if lr != opt.lr:
                    object.__setattr__(opt, "lr", lr)  # the schedule's lr, unchecked (may be 0)
                if opt.needs_oracle:  # L-BFGS, SAM, Muon: the batch this gradient came from
                    try:
                        theta = opt.step_with(NetworkOracle(self.problem, self._batch), theta,
                                              grad, self._batch_loss)
                    except ArithmeticError:  # a line search's 0 / 0: as torch, it cannot go on
                        theta = np.full_like(theta, np.nan)
                else:
                    theta = opt.step(theta, grad)
                self.step_count += 1
                taken += 1
                learning_rate.after_step(self.step_count)
                head = self.columns()
                ok = self._observe(theta, lr, head)
                self._head = head
                grad = head.grad[-1]
                if out is not None:
                    out.append(head)
                if not ok:
                    self._diverge(DIVERGENCE_REASON)
                    break
        self._work = None
        self.current_theta, self.current_grad = theta, grad
        return taken

    def _observe(self, theta: Array, lr: float | None, out: NetColumns) -> bool:
        """Evaluate the network at theta into `out`; False if the divergence rule says stop.
        Called under np.errstate(all="ignore").

        Three parts: the gradient the next step uses (its batch, dropout and penalty), what the
        view shows (losses and accuracies on the whole training and test sets, at the
        `loss_every` pace), and the curvature (every `sharpness_every` steps)."""
        p = self.problem
        grad, batch_loss, fwd, whole, passes = self._gradient(theta)
        penalty = p.penalty.value(p.model, theta) if p.penalty else 0.0
        self._measure(theta, fwd, batch_loss if whole else None, out)
        # |dL/dW_l| of every layer in one reduction over the W segments of grad.
        squares = np.add.reduceat(grad * grad, self._w_starts)[::2]
        out.step.append(self.step_count)
        out.lr.append(lr)
        out.grad_norms.append(tuple(np.sqrt(squares).tolist()))
        out.plane.append(None if p.plane is None else p.plane.axis_point(theta))
        out.theta.append(theta)
        out.grad.append(grad)
        out.penalty.append(penalty)
        # np.linalg.norm's own formula for a vector, without its checks
        out.weight_norm.append(math.sqrt(theta.dot(theta)))
        # What an oracle optimizer's closure returns first: the loss the gradient is of.
        self._batch_loss = float(batch_loss) + penalty
        # The rule uses the loss the step was taken on, so live and one-shot runs agree.
        ok = self.step_count == 0 or usable(float(batch_loss) + penalty, theta, grad)
        probe = self.probe
        if probe is not None and probe.due(self.step_count):
            out.sharpness.append(EMPTY if not ok else probe.measure(
                theta, self.learning_rate.value, self.optimizer, passes=passes))
        else:
            out.sharpness.append(None)
        return ok

    def _gradient(self, theta: Array) -> tuple[Array, float, Any, bool, tuple | None]:
        """(the gradient for the next step, the loss it is of without the penalty, a forward pass
        over the whole training set if one was made, whether that loss is the whole set's, and
        the full batch's (forward, grads) when the sharpness probe measures at this step)."""
        p = self.problem
        model = p.model
        idx = self._batch = next(self._batches)
        full = idx is None
        masks = dropout_masks(model, len(p.x) if full else len(idx), p.dropout,
                              self._dropout_rng)
        grad = np.empty_like(theta)
        probe = self.probe
        # Passes lent to the probe are kept by it (a Hessian reused at these weights): they get
        # arrays of their own; every other step's are written over by the next one.
        lend = full and masks is None and probe is not None and probe.due(self.step_count)
        work = None if lend else self._work
        if full:
            fwd = model.forward(theta, p.x, masks, p.y, work)
            batch_loss = fwd.loss
            grads = model.backward(theta, fwd, p.y, p.penalty, grad, work)
            if masks is None:
                return grad, batch_loss, fwd, True, (fwd, grads) if lend else None
            # the loss shown is the network's, without dropout
            return grad, batch_loss, model.forward(theta, p.x, work=work), False, None
        # a minibatch: a real stochastic gradient for the next step
        bfwd = model.forward(theta, p.x[idx], masks, p.y[idx], work)
        batch_loss = bfwd.loss
        model.backward(theta, bfwd, p.y[idx], p.penalty, grad, work)
        show = self.step_count % self.loss_every == 0
        return (grad, batch_loss, model.forward(theta, p.x, work=work) if show else None, False,
                None)

    def _measure(self, theta: Array, fwd: Any, full_loss: float | None, out: NetColumns) -> None:
        """Loss and accuracy on the whole training set (`full_loss`: already known) and the test
        set, where a forward pass over the training set was made; None elsewhere."""
        p = self.problem
        model = p.model
        loss = accuracy = test_loss = test_accuracy = None
        if fwd is not None:
            loss = full_loss if full_loss is not None else float(
                model.loss_fn.value(fwd.zs[-1], p.y))
            if model.loss_fn.task == "classification":
                accuracy = float(np.count_nonzero(np.argmax(fwd.acts[-1], axis=1) == p.labels)
                                 / len(p.labels))
            if p.test is not None:  # at the train loss's pace: one more forward pass
                t = p.test
                test_loss, test_accuracy = evaluate(model, theta, t.x, t.y, t.labels)
                self.best_test.offer(self.step_count, test_loss, test_accuracy)
        out.loss.append(None if loss is None else float(loss))
        out.accuracy.append(accuracy)
        out.test_loss.append(test_loss)
        out.test_accuracy.append(test_accuracy)

    def predict_grid(self, xs: Array, ys: Array) -> Array:
        """The current network's output over a grid (ny, nx): P(class 1) for two classes, the
        winning class for more; for regression, the curve at xs (ys ignored)."""
        model, theta = self.problem.model, self.current_theta
        with np.errstate(all="ignore"):
            if model.loss_fn.task == "regression":
                return model.predict(theta, xs[:, None])[:, 0]
            gx, gy = np.meshgrid(xs, ys)
            probs = model.predict(theta, np.column_stack([gx.ravel(), gy.ravel()]))
            k = probs.shape[1]
            out = probs[:, 1] if k == 2 else np.argmax(probs, axis=1).astype(float)
            return np.ascontiguousarray(out.reshape(len(ys), len(xs)))


class NetworkOracle:
    """What a network run answers an optimizer with `needs_oracle` (`optimizers.base.Oracle`):
    the loss and gradient at any weights on one batch (the step's own: torch's closure), and
    the layer layout. No Hessian: a network's is too large to solve with."""

    kind = "network"

    def __init__(self, problem: Problem, batch: NDArray | None) -> None:
        self.problem, self.batch = problem, batch

    def value_and_grad(self, theta: Array) -> tuple[float, Array]:
        p = self.problem
        x, y = (p.x, p.y) if self.batch is None else (p.x[self.batch], p.y[self.batch])
        # The loss the run's gradient is of: the weights' penalty included (no dropout here).
        loss, grad = p.model.loss_and_grad(theta, x, y, p.penalty or None)
        return float(loss), grad

    def hessian(self, theta: Array) -> Array:
        raise TypeError("a network run offers no Hessian: this optimizer needs a surface run")

    def layers(self) -> list[tuple[int, int, int, tuple[int, int]]]:
        model = self.problem.model
        return [(w, b, e, shape)
                for (w, b, e), shape in zip(model.offsets(), model.shapes, strict=True)]
