"""What a network run knows about the points it does not train on: the test set's loss and
accuracy, and the step where the test loss was lowest (where early stopping would have stopped).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.core.mlp import MLP

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Holdout:
    """The test points: inputs, labels and targets as the loss wants them."""

    x: Array  # (M, inputs)
    labels: NDArray  # (M,) class ids or regression targets
    y: Array  # (M, outputs)

    @classmethod
    def of(cls, model: MLP, x: Array, labels: NDArray) -> Holdout | None:
        """None when there are no test points."""
        if len(labels) == 0:
            return None
        return cls(np.asarray(x, dtype=np.float64), np.asarray(labels), model.targets(labels))


def evaluate(model: MLP, theta: Array, x: Array, y: Array,
             labels: NDArray) -> tuple[float, float | None]:
    """(mean loss, accuracy) of the network without dropout on (x, y); accuracy None for
    regression."""
    fwd = model.forward(theta, x)
    loss = float(model.loss_fn.value(fwd.zs[-1], y))
    if model.loss_fn.task != "classification":
        return loss, None
    return loss, float(np.mean(np.argmax(fwd.acts[-1], axis=1) == labels))


@dataclass
class BestTest:
    """The step with the lowest test loss so far (the first of equals)."""

    step: int | None = None
    loss: float | None = None
    accuracy: float | None = None

    def offer(self, step: int, loss: float | None, accuracy: float | None) -> None:
        if loss is None or not np.isfinite(loss):
            return
        if self.loss is None or loss < self.loss:
            self.step, self.loss, self.accuracy = step, loss, accuracy

    def json(self) -> dict[str, float | int | None] | None:
        if self.step is None:
            return None
        return {"step": self.step, "loss": self.loss, "accuracy": self.accuracy}
