"""What every run is, whatever it descends: the stepper protocol and its shared bookkeeping.

A run is stepped, not computed in one go, so that one object serves the one-shot HTTP endpoints
and the live websocket (where the lr can change between two steps): they cannot disagree. Step k
of a run produces point k; point 0 is the start. A run keeps its steps as columns (one list per
field, `Columns`): what a batch of live steps is sent as, and what a plot consumes anyway.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from app.core.optimizers import Optimizer, make_optimizer, unsupported
from app.core.parameters import HyperparameterError
from app.core.runs.config import RunConfig
from app.core.runs.learning_rate import LearningRate
from app.core.schedules import make_schedule

STATUSES = ("running", "diverged", "done", "stopped")


class Columns(Protocol):
    """Steps as columns: `step` is always one of them."""

    step: list[int]

    def __len__(self) -> int: ...


class Stepper(Protocol):
    """What the run set and every consumer use; `SurfaceRun` and `NetworkRun` implement it."""

    config: RunConfig
    optimizer: Optimizer
    status: str  # one of STATUSES
    step_count: int
    diverged_at: int | None
    reason: str | None

    @property
    def lr(self) -> float: ...
    def reset(self) -> None: ...
    def set(self, name: str, value: Any) -> None: ...
    def check(self, name: str, value: Any) -> Any: ...
    def columns(self) -> Columns: ...
    def head(self) -> Columns: ...
    def advance(self, n: int, out: Columns | None) -> int: ...


class RunBase:
    """The optimizer, the learning rate and the status of one run; subclasses step."""

    kind: ClassVar[str]

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        why = unsupported(config.optimizer, self.kind)
        if why is not None:
            raise HyperparameterError("optimizer", why)
        hyper = dict(config.hyperparameters)
        if config.lr is not None:
            hyper["lr"] = config.lr
        self.optimizer: Optimizer = make_optimizer(config.optimizer, **hyper)
        self.chosen_lr = float(self.optimizer.lr)  # the user's lr: a reset starts from it
        self.learning_rate = LearningRate(
            make_schedule(config.schedule, **config.schedule_params), self.chosen_lr)
        self._restart()

    def _restart(self) -> None:
        self.optimizer.reset()
        self.learning_rate.restart(self.chosen_lr)
        self.step_count = 0
        self.status = "running"
        self.diverged_at: int | None = None
        self.reason: str | None = None

    @property
    def lr(self) -> float:
        """The learning rate the next step will use."""
        return self.learning_rate.value

    def check(self, name: str, value: Any) -> Any:
        """The value `set(name, value)` would apply, or HyperparameterError naming the field."""
        spec = self.optimizer.hyperparameters.get(name)
        if spec is None:
            valid = ", ".join(self.optimizer.hyperparameters)
            raise HyperparameterError(
                name, f"{name} is not a hyperparameter of {self.config.optimizer}; valid: {valid}")
        return spec.validate(name, value)

    def set(self, name: str, value: Any) -> None:
        """Change lr or another hyperparameter from the next step on (torch: param_group[name] =
        value). A set lr is also where a reset starts the schedule again."""
        value = self.check(name, value)
        if name == "lr":
            self.learning_rate.set(value)
            self.chosen_lr = value
        else:
            self.optimizer.set(name, value)

    def _diverge(self, reason: str) -> None:
        self.status = "diverged"
        self.diverged_at = self.step_count
        self.reason = reason
