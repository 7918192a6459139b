"""The one run schema: an optimizer configuration, for surface and network runs, over HTTP and
the websocket alike.

Hyperparameters sit at the top level next to `optimizer`, under torch's keywords with tuples
split (`betas` as beta1, beta2): `{"optimizer": "rmsprop", "lr": 0.01, "centered": true}`. Each is
validated by its `Hyperparameter` (app/core/parameters.py): its kind (a boolean takes JSON
true/false), its range, and a message that names it. A schedule is `{"kind": ..., <its params>}`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.api.schemas.common import Finite, Seed
from app.core.optimizers import OPTIMIZERS, unsupported
from app.core.parameters import Hyperparameter, HyperparameterError
from app.core.runs import RunConfig
from app.core.schedules import SCHEDULES


def check_values(values: dict[str, Any], specs: dict[str, Hyperparameter], owner: str,
                 prefix: str = "") -> dict[str, Any]:
    """Each value validated by its spec; a ValueError starting with the field's name otherwise
    (the error handlers turn it into the error's location)."""
    out = {}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(specs) or "none"
            raise ValueError(f"{prefix}{name}: not a parameter of {owner} (known: {known})")
        try:
            out[name] = spec.validate(name, value)
        except HyperparameterError as err:
            message = str(err).removeprefix(f"{name} ")
            raise ValueError(f"{prefix}{name}: {message} ({owner})") from None
    return out


class ScheduleSpec(BaseModel):
    """A learning-rate schedule: its kind and that kind's parameters, side by side."""

    model_config = ConfigDict(extra="allow",
                              json_schema_extra={"examples": [{"kind": "step", "step_size": 50,
                                                               "gamma": 0.1}]})
    kind: str = Field("constant", description=f"one of: {', '.join(SCHEDULES)}")

    @model_validator(mode="after")
    def _known(self) -> ScheduleSpec:
        if self.kind not in SCHEDULES:
            raise ValueError(f"kind: unknown schedule '{self.kind}'; choose one of "
                             f"{', '.join(SCHEDULES)}")
        check_values(self.params, SCHEDULES[self.kind].hyperparameters, f"schedule '{self.kind}'")
        return self

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class RunSpec(BaseModel):
    """One optimizer run. Omitted hyperparameters take PyTorch's defaults."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"optimizer": "adam", "lr": 0.05, "beta1": 0.9}]},
    )

    optimizer: str = Field(..., description=f"one of: {', '.join(OPTIMIZERS)}")
    lr: Finite | None = Field(None, description="learning rate; omitted: torch's default")
    schedule: ScheduleSpec | None = None
    noise: Finite = Field(0.0, ge=0, le=1e3,
                          description="surface runs: std of Gaussian noise on the gradient")
    batch_size: int | None = Field(None, ge=1, description="network runs: minibatch size; "
                                   "null: full batch")
    seed: Seed | None = Field(None, description="seeds the gradient noise (surfaces) or the "
                              "minibatch order (networks); null: the request's seed, or 0")
    color: str | None = Field(None, max_length=32, description="display colour (UI only)")

    @model_validator(mode="after")
    def _known(self) -> RunSpec:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer: unknown optimizer '{self.optimizer}'; choose one of "
                             f"{', '.join(OPTIMIZERS)}")
        specs = OPTIMIZERS[self.optimizer].hyperparameters
        owner = f"optimizer '{self.optimizer}'"
        check_values(self.hyperparameters, specs, owner)
        if self.lr is not None:
            check_values({"lr": self.lr}, specs, owner)
        return self

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def to_config(self, seed: int = 0) -> RunConfig:
        """The core's config; `seed` is used where the run names none."""
        schedule = self.schedule or ScheduleSpec()
        specs = OPTIMIZERS[self.optimizer].hyperparameters
        return RunConfig(
            optimizer=self.optimizer,
            lr=self.lr,
            hyperparameters=check_values(self.hyperparameters, specs, self.optimizer),
            schedule=schedule.kind,
            schedule_params=check_values(schedule.params,
                                         SCHEDULES[schedule.kind].hyperparameters, schedule.kind),
            noise=self.noise,
            batch_size=self.batch_size,
            seed=self.seed if self.seed is not None else seed,
        )


def only_for(runs: list[RunSpec], field: str, kind: str, name: str = "runs.{k}") -> None:
    """Refuse a field that only the other kind of run uses (noise: surfaces; batch_size:
    networks), naming it, rather than ignoring it. `name`: where run k sits in the message."""
    for k, run in enumerate(runs):
        if field in run.model_fields_set and getattr(run, field) not in (None, 0, 0.0):
            raise ValueError(f"{name.format(k=k)}.{field}: applies to {kind} runs only")


def supported_on(runs: list[RunSpec], kind: str, name: str = "runs.{k}") -> None:
    """Refuse an optimizer that this kind of run cannot serve (Newton needs a surface's
    Hessian, Muon a network's weight matrices), naming the run's `optimizer` field."""
    for k, run in enumerate(runs):
        why = unsupported(run.optimizer, kind)
        if why is not None:
            raise ValueError(f"{name.format(k=k)}.optimizer: {why}")
