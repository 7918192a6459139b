"""Request models for optimizer runs on a surface: `POST /api/trajectories` and the websocket's
`start` message share them, so both refuse the same inputs with the same messages."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from app.api.schemas.common import Finite, Point, Seed
from app.config import get_settings
from app.core.expression import ExpressionError, make_expression_surface
from app.core.optimizers import OPTIMIZERS
from app.core.runs import RunConfig
from app.core.schedules import SCHEDULES
from app.core.surfaces import SURFACES, Surface, get_surface

Bounds = Annotated[list[Point], Field(min_length=2, max_length=2)]


class SurfaceSpec(BaseModel):
    """A built-in surface by id (with its parameters), or a custom f(x, y) by expression."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, description="a built-in surface id; omit when giving expr")
    expr: str | None = Field(None, description="a custom f(x, y), e.g. 'x**2 + 10*sin(y)'")
    bounds: Bounds | None = Field(None, description="plot bounds [[xmin, xmax], [ymin, ymax]]")
    condition: Finite | None = Field(None, description="ravine only: condition number (>= 1)")
    angle: Finite | None = Field(None, description="ravine only: rotation in degrees")

    _surface: Surface | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _build(self) -> SurfaceSpec:
        if self.bounds is not None:
            (x0, x1), (y0, y1) = self.bounds
            if not (x0 < x1 and y0 < y1):
                raise ValueError("bounds: each range must be [min, max] with min < max")
        if self.expr is not None:
            if self.id not in (None, "custom"):
                raise ValueError("give either a surface id or expr, not both")
            try:
                kwargs: dict[str, Any] = {}
                if self.bounds is not None:
                    kwargs["bounds"] = tuple(tuple(b) for b in self.bounds)
                self._surface = make_expression_surface(self.expr, **kwargs)
            except ExpressionError as err:
                raise ValueError(f"expr: {err}") from None
            return self
        if self.id is None:
            raise ValueError("give a surface id or an expr")
        if self.id not in SURFACES:
            raise ValueError(f"unknown surface '{self.id}'; choose one of {', '.join(SURFACES)}")
        params = {k: v for k, v in (("condition", self.condition), ("angle", self.angle))
                  if v is not None}
        if params and self.id != "ravine":
            raise ValueError("condition and angle apply to the ravine only")
        try:
            self._surface = get_surface(self.id, **params)
        except ValueError as err:
            raise ValueError(str(err)) from None
        return self

    @property
    def surface(self) -> Surface:
        assert self._surface is not None
        return self._surface


class ScheduleSpec(BaseModel):
    """A learning-rate schedule: its kind and that kind's parameters."""

    model_config = ConfigDict(extra="allow")
    kind: str = Field("constant", description=f"one of: {', '.join(SCHEDULES)}")

    @model_validator(mode="after")
    def _known(self) -> ScheduleSpec:
        if self.kind not in SCHEDULES:
            known = ", ".join(SCHEDULES)
            raise ValueError(f"unknown schedule '{self.kind}'; choose one of {known}")
        _check_numbers(self.params, SCHEDULES[self.kind].hyperparameters, f"schedule '{self.kind}'")
        return self

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class RunSpec(BaseModel):
    """One optimizer run. Hyperparameters (torch's names, betas split into beta1 and beta2) sit at
    the top level next to `optimizer`; omitted ones take PyTorch's defaults."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"optimizer": "adam", "lr": 0.05, "beta1": 0.9}]},
    )

    optimizer: str = Field(..., description=f"one of: {', '.join(OPTIMIZERS)}")
    lr: Finite | None = Field(None, gt=0, description="learning rate; omitted: torch's default")
    schedule: ScheduleSpec | None = None
    noise: Finite = Field(0.0, ge=0, le=1e3, description="std of Gaussian noise on the gradient")
    seed: Seed = Field(0, description="seed of the gradient noise")
    color: str | None = Field(None, max_length=32, description="display colour (UI only)")

    @model_validator(mode="after")
    def _known(self) -> RunSpec:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer '{self.optimizer}'; choose one of {', '.join(OPTIMIZERS)}"
            )
        spec = OPTIMIZERS[self.optimizer].hyperparameters
        _check_numbers(self.hyperparameters, spec, f"optimizer '{self.optimizer}'")
        if self.lr is not None:
            _check_numbers({"lr": self.lr}, spec, f"optimizer '{self.optimizer}'")
        return self

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def to_config(self) -> RunConfig:
        schedule = self.schedule or ScheduleSpec()
        return RunConfig(
            optimizer=self.optimizer,
            lr=self.lr,
            hyperparameters={k: float(v) for k, v in self.hyperparameters.items()},
            schedule=schedule.kind,
            schedule_params={k: float(v) for k, v in schedule.params.items()},
            noise=self.noise,
            seed=self.seed,
        )


class TrajectoryRequest(BaseModel):
    """Several optimizer runs from one start point on one surface, in lockstep."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "surface": "rosenbrock",
                    "start": [-1.5, 2.0],
                    "steps": 200,
                    "runs": [{"optimizer": "sgd", "lr": 0.001}, {"optimizer": "adam", "lr": 0.05}],
                }
            ]
        },
    )

    surface: SurfaceSpec = Field(
        ..., description="a surface id as a string, or {id, condition?, angle?} or {expr, bounds?}"
    )
    start: Point | None = Field(None, description="[x, y]; omitted: the surface's default start")
    steps: int = Field(200, ge=1, description="steps per run")
    runs: list[RunSpec] = Field(..., min_length=1)

    _surface: Surface | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _resolve(self) -> TrajectoryRequest:
        settings = get_settings()
        if self.steps > settings.max_steps:
            raise ValueError(f"steps: at most {settings.max_steps} steps per run")
        if len(self.runs) > settings.max_runs:
            raise ValueError(f"runs: at most {settings.max_runs} runs at once")
        self._surface = self.surface.surface
        return self

    @field_validator("surface", mode="before")
    @classmethod
    def _surface_by_id(cls, value: Any) -> Any:
        return {"id": value} if isinstance(value, str) else value

    @property
    def resolved_surface(self) -> Surface:
        assert self._surface is not None
        return self._surface

    @property
    def resolved_start(self) -> tuple[float, float]:
        start = self.start if self.start is not None else self.resolved_surface.default_start
        return (float(start[0]), float(start[1]))


def _check_numbers(values: dict[str, Any], spec: dict[str, Any], owner: str) -> None:
    """Each value must be a known parameter of `owner`, a finite number within its range."""
    for name, value in values.items():
        if name not in spec:
            known = ", ".join(spec) or "none"
            raise ValueError(f"{name}: not a parameter of {owner} (known: {known})")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name}: must be a number")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name}: must be a finite number")
        lo, hi = spec[name].min, spec[name].max
        if not lo <= value <= hi:
            raise ValueError(f"{name}: must be between {lo:g} and {hi:g} for {owner}")
