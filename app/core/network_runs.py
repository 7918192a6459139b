"""A network learning live: one optimizer step at a time, with the learning rate changeable
between steps (the websocket's network runs). The one-shot `training.train` and this class share
the model, the batches and the divergence rule, so a live run equals a batch run.

Each step reports what the network view draws: loss and accuracy on the whole dataset, one
gradient norm per layer (vanishing and exploding gradients show up there), and the weights'
coordinates on a fixed plane through the initial weights, so the path can be drawn over a
landscape computed for the same plane.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from app.core.directions import Plane, random_plane, weight_plane
from app.core.mlp import MLP
from app.core.optimizers import Optimizer, make_optimizer
from app.core.schedules import make_schedule
from app.core.training import TrainConfig, _batches, _usable

Array = NDArray[np.float64]


@dataclass
class Problem:
    """What every run of one session shares: the data, the network and its initial weights."""

    model: MLP
    x: Array  # (N, inputs)
    labels: NDArray  # (N,) class ids, or regression targets
    y: Array  # (N, outputs) targets as the loss wants them
    theta0: Array  # (P,) the shared initial weights: comparisons between runs are fair
    plane: Plane  # where the live path is drawn: through theta0


def make_problem(
    model: MLP, x: Array, labels: NDArray, seed: int, init: str = "auto",
    plane: str = "random", weights: tuple | None = None,
) -> Problem:
    """Initial weights from the seed, and the drawing plane through them.

    The random plane uses the same generator as `landscape.compute_landscape(centre="initial",
    mode="random", seed=seed)`, so that endpoint draws the surface under the live paths."""
    theta0 = model.init(np.random.default_rng(seed), init)
    if plane == "weights":
        refs = weights or ((1, 0, 0), (1, 0, 1 if model.sizes[0] > 1 else None))
        p = weight_plane(model, theta0, *refs)
    elif plane == "random":
        p = random_plane(model, theta0, np.random.default_rng([seed, 1]))
    else:
        raise ValueError(f"plane: the live plane is 'random' or 'weights', not {plane!r}")
    return Problem(model, x, labels, model.targets(labels), theta0, p)


class NetStep(NamedTuple):
    step: int
    loss: float  # full-dataset loss at these weights
    accuracy: float | None  # classification only
    lr: float | None  # the learning rate of the step that produced these weights
    grad_norms: tuple[float, ...]  # |dL/dW_l| per layer, for the gradient used next
    plane: tuple[float, float]  # the weights' coordinates on the problem's plane (axis units)
    theta: Array  # (P,)
    grad: Array  # (P,) gradient at theta (of the batch the next step uses)


class NetworkRun:
    """One optimizer training the shared network from the shared initial weights."""

    def __init__(self, problem: Problem, config: TrainConfig) -> None:
        self.problem = problem
        self.config = config
        hyper = dict(config.hyperparameters)
        if config.lr is not None:
            hyper["lr"] = config.lr
        self.optimizer: Optimizer = make_optimizer(config.optimizer, **hyper)
        self.base_lr = float(self.optimizer.lr)
        self.schedule = make_schedule(config.schedule, **config.schedule_params)
        self.reset()

    def reset(self, problem: Problem | None = None) -> None:
        """Back to the initial weights with fresh optimizer state (a new problem: new weights)."""
        if problem is not None:
            self.problem = problem
        self.optimizer.reset()
        self.step_count = 0
        self.status = "running"
        self.diverged_at: int | None = None
        self.reason: str | None = None
        self._batches = _batches(len(self.problem.x), self.config.batch_size,
                                 np.random.default_rng(self.config.seed))
        self.current = self._observe(self.problem.theta0.copy(), lr=None)

    def set(self, name: str, value: float) -> None:
        self.optimizer.set(name, value)
        if name == "lr":
            self.base_lr = float(value)

    @property
    def lr(self) -> float:
        return self.schedule.lr_at(self.base_lr, self.step_count)

    def step(self) -> NetStep:
        if self.status != "running":
            raise RuntimeError(f"run is {self.status}")
        lr = self.lr
        if lr != self.optimizer.lr:
            object.__setattr__(self.optimizer, "lr", lr)  # a schedule may go below the minimum
        with np.errstate(all="ignore"):
            theta = self.optimizer.step(self.current.theta, self.current.grad)
        self.step_count += 1
        self.current = self._observe(theta, lr)
        return self.current

    def lambda_max(self) -> float:
        return math.nan  # not computed for networks (a P x P Hessian)

    def _observe(self, theta: Array, lr: float | None) -> NetStep:
        p = self.problem
        model = p.model
        idx = next(self._batches)
        with np.errstate(all="ignore"):
            fwd = model.forward(theta, p.x)
            loss = model.loss_fn.value(fwd.zs[-1], p.y)
            if idx is None:
                grads = model.backward(theta, fwd, p.y)
            else:  # a minibatch: a real stochastic gradient for the next step
                grads = model.backward(theta, model.forward(theta, p.x[idx]), p.y[idx])
            grad = model.flatten([(g.dW, g.db) for g in grads])
            norms = tuple(float(np.linalg.norm(g.dW)) for g in grads)
            accuracy = None
            if model.loss_fn.task == "classification":
                accuracy = float(np.mean(np.argmax(fwd.acts[-1], axis=1) == p.labels))
            plane = p.plane.project(theta[None, :])[0] + np.asarray(p.plane.origin)
        step = NetStep(self.step_count, float(loss), accuracy, lr, norms,
                       (float(plane[0]), float(plane[1])), theta, grad)
        if self.step_count and (not _usable(step.loss, theta) or
                                not bool(np.all(np.isfinite(grad)))):
            self.status = "diverged"
            self.diverged_at = self.step_count
            self.reason = ("the loss or the weights blew up: learning rate too large for this "
                           "network")
        return step

    def predict_grid(self, xs: Array, ys: Array) -> Array:
        """The current network's output over a grid (ny, nx): P(class 1) for two classes, the
        winning class for more; for regression, the curve at xs (ys ignored)."""
        model, theta = self.problem.model, self.current.theta
        with np.errstate(all="ignore"):
            if model.loss_fn.task == "regression":
                return model.predict(theta, xs[:, None])[:, 0]
            gx, gy = np.meshgrid(xs, ys)
            probs = model.predict(theta, np.column_stack([gx.ravel(), gy.ravel()]))
            k = probs.shape[1]
            out = probs[:, 1] if k == 2 else np.argmax(probs, axis=1).astype(float)
            return np.ascontiguousarray(out.reshape(len(ys), len(xs)))
