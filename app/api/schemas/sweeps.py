"""The `sweep` websocket message: one training described once, and the values of one setting to
train it with (app/core/sweeps.py). Limits keep one sweep to about a minute of both cores."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.api.schemas.common import Finite, Seed
from app.api.schemas.mlp import (
    MAX_HIDDEN_LAYERS,
    MAX_LR,
    DatasetIn,
    _choose,
    _lab,
)
from app.api.schemas.runs import RunSpec, check_values
from app.config import Settings
from app.core.activations import ACTIVATIONS
from app.core.datasets import DATASETS
from app.core.optimizers import OPTIMIZERS
from app.core.splits import n_test
from app.core.sweeps import SETTINGS, Sweep, TrainSpec

MAX_TRAININGS = 64  # values x repeats
MAX_VALUES = 24
MAX_REPEATS = 5
MAX_GD_WIDTH = 128  # trained by gradient descent, every layer
MAX_FEATURES = 2000  # min_norm: random features (a pinv of points x features)
MAX_SWEEP_STEP_WORK = 3e10  # Σ over trainings of steps x points x parameters (about a minute)


class SweepBase(BaseModel):
    """One training: the data, the network, how it is fitted."""

    model_config = ConfigDict(extra="forbid")

    dataset: DatasetIn = Field(default_factory=DatasetIn)
    test_fraction: float = Field(0.5, ge=0.0, le=0.9, allow_inf_nan=False,
                                 description="held-out share; the errors are measured on it")
    label_noise: float = _lab("label_noise")
    n_train: int | None = Field(None, ge=2, description="train on the first n_train points of "
                                "the training split; null: all of them")
    hidden: list[Annotated[int, Field(ge=1, le=MAX_FEATURES)]] = Field(
        [16], min_length=1, max_length=MAX_HIDDEN_LAYERS)
    activation: str = Field("relu", description="one of " + ", ".join(ACTIVATIONS))
    fit: Literal["gd", "min_norm"] = Field(
        "gd", description="gd: the optimizer trains every layer; min_norm: random features, "
        "the output layer by min-norm least squares (double descent)")
    run: RunSpec = Field(default_factory=lambda: RunSpec(optimizer="adam", lr=0.01),
                         description="gd: the optimizer, lr, hyperparameters, batch_size")
    steps: int = Field(500, ge=1, description="gd: training steps")
    l1: float = _lab("l1")
    l2: float = _lab("l2")
    dropout: float = _lab("dropout")
    seed: Seed = 0

    @field_validator("activation")
    @classmethod
    def _known_activation(cls, v: str) -> str:
        return _choose(v, ACTIVATIONS, "activation")

    @model_validator(mode="after")
    def _checks(self) -> SweepBase:
        if self.fit == "gd" and max(self.hidden) > MAX_GD_WIDTH:
            raise ValueError(f"hidden: at most {MAX_GD_WIDTH} units a layer for gd")
        if self.label_noise and DATASETS[self.dataset.id].task != "classification":
            raise ValueError("label_noise: flips class labels; this dataset is a regression")
        n_test(self.n_points, self.test_fraction)
        return self

    @property
    def n_points(self) -> int:
        return DATASETS[self.dataset.id].n_points(self.dataset.n, self.dataset.n_classes)

    def spec(self) -> TrainSpec:
        run, ds = self.run, self.dataset
        hyper = check_values(run.hyperparameters, OPTIMIZERS[run.optimizer].hyperparameters,
                             run.optimizer)
        return TrainSpec(
            dataset=ds.id, n=ds.n, noise=ds.noise, n_classes=ds.n_classes, data_seed=ds.seed,
            test_fraction=self.test_fraction, label_noise=self.label_noise, n_train=self.n_train,
            hidden=tuple(self.hidden), activation=self.activation, fit=self.fit,
            optimizer=run.optimizer, lr=run.lr, hyperparameters=tuple(sorted(hyper.items())),
            steps=self.steps, batch_size=run.batch_size, l1=self.l1, l2=self.l2,
            dropout=self.dropout, seed=self.seed)


class StartSweep(BaseModel):
    """{"type": "sweep", "base": {...}, "setting": "width", "values": [...], "repeats": 1}:
    answered by `sweep_started`, a `sweep_progress` per training and `sweep_done`."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["sweep"]
    base: SweepBase = Field(default_factory=SweepBase)
    setting: str = Field("width", description="one of " + ", ".join(SETTINGS))
    values: list[Finite] = Field(..., min_length=1, max_length=MAX_VALUES)
    repeats: int = Field(1, ge=1, le=MAX_REPEATS, description="trainings per value (seeds "
                         "seed, seed + 1, ...); the median is reported")

    @field_validator("setting")
    @classmethod
    def _known_setting(cls, v: str) -> str:
        return _choose(v, SETTINGS, "setting")

    @model_validator(mode="after")
    def _values(self) -> StartSweep:
        base, setting = self.base, self.setting
        if len(self.values) * self.repeats > MAX_TRAININGS:
            raise ValueError(f"values: at most {MAX_TRAININGS} trainings (values x repeats)")
        if base.fit == "min_norm" and setting in ("steps", "lr"):
            raise ValueError(f"setting: min_norm has no {setting} (it is solved, not trained)")
        n_train_max = base.n_points - n_test(base.n_points, base.test_fraction)
        if base.n_train is not None and base.n_train > n_train_max:
            raise ValueError(f"base.n_train: the training split has {n_train_max} points")
        bounds = {"width": (1, MAX_GD_WIDTH if base.fit == "gd" else MAX_FEATURES),
                  "steps": (1, None), "lr": (1e-8, MAX_LR), "label_noise": (0.0, 0.5),
                  "n_train": (2, n_train_max)}
        lo, hi = bounds[setting]
        for v in self.values:
            if setting in ("width", "steps", "n_train") and v != int(v):
                raise ValueError(f"values: {setting} takes whole numbers, got {v}")
            if v < lo or (hi is not None and v > hi):
                raise ValueError(f"values: {setting} from {lo:g} to {hi:g}, got {v:g}"
                                 if hi is not None else f"values: {setting} at least {lo:g}")
        if setting == "label_noise" and DATASETS[base.dataset.id].task != "classification":
            raise ValueError("setting: label_noise flips class labels; this set is a regression")
        return self

    def sweep(self) -> Sweep:
        return Sweep(self.base.spec(), self.setting, tuple(self.values), self.repeats)

    def check_limits(self, settings: Settings) -> None:
        """Steps within the server's limit, and the whole sweep within about a minute."""
        sweep = self.sweep()
        work = 0.0
        for spec in sweep.specs():
            if spec.fit != "gd":
                continue
            if spec.steps > settings.max_network_steps:
                raise ValueError(f"steps: at most {settings.max_network_steps} steps a training")
            data = DATASETS[spec.dataset]
            outputs = spec.n_classes or data.default_classes or 1
            sizes = (data.n_inputs(spec.n_classes), *spec.hidden, outputs)
            params = sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:], strict=True))
            points = min(spec.batch_size or self.base.n_points, self.base.n_points)
            work += spec.steps * points * params
        if work > MAX_SWEEP_STEP_WORK:
            raise ValueError(f"values: the sweep would cost {work:.2g} multiply-adds (limit "
                             f"{MAX_SWEEP_STEP_WORK:.0g}): fewer steps, values or repeats")


class CancelSweep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["sweep_cancel"]


def sweep_message(sweep: Sweep) -> dict[str, Any]:
    """A core `Sweep` (a preset) as the `sweep` message that asks for it."""
    s = sweep.base
    return {
        "type": "sweep", "setting": sweep.setting, "values": list(sweep.values),
        "repeats": sweep.repeats,
        "base": {
            "dataset": {"id": s.dataset, "n": s.n, "noise": s.noise, "seed": s.data_seed,
                        "n_classes": s.n_classes},
            "test_fraction": s.test_fraction, "label_noise": s.label_noise,
            "n_train": s.n_train, "hidden": list(s.hidden), "activation": s.activation,
            "fit": s.fit, "run": {"optimizer": s.optimizer, "lr": s.lr,
                                  "batch_size": s.batch_size, **dict(s.hyperparameters)},
            "steps": s.steps, "l1": s.l1, "l2": s.l2, "dropout": s.dropout, "seed": s.seed,
        },
    }


def outcome_json(outcome: Any) -> dict[str, Any] | None:
    return None if outcome is None else asdict(outcome)

