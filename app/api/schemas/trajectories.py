"""Request models for optimizer runs on a surface: `POST /api/trajectories` and the websocket's
`start` message share them, so both refuse the same inputs with the same messages."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from app.api.schemas.common import Point
from app.api.schemas.runs import RunSpec, only_for, supported_on
from app.config import Settings
from app.core.expression import ExpressionError, make_expression_surface
from app.core.parameters import HyperparameterError
from app.core.surfaces import SURFACES, Surface, get_surface

Bounds = Annotated[list[Point], Field(min_length=2, max_length=2)]
# Characters x steps x runs of a custom formula in one request: a few seconds of evaluation.
MAX_FORMULA_WORK = 5e7


class SurfaceSpec(BaseModel):
    """A built-in surface by id, with its parameters beside it (each surface describes its own in
    `GET /api/surfaces`, e.g. the ravine's condition and angle), or a custom f(x, y)."""

    model_config = ConfigDict(extra="allow")

    id: str | None = Field(None, description="a built-in surface id; omit when giving expr")
    expr: str | None = Field(None, description="a custom f(x, y), e.g. 'x**2 + 10*sin(y)'")
    bounds: Bounds | None = Field(None, description="plot bounds [[xmin, xmax], [ymin, ymax]]")

    _surface: Surface | None = PrivateAttr(None)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @model_validator(mode="after")
    def _build(self) -> SurfaceSpec:
        if self.bounds is not None:
            (x0, x1), (y0, y1) = self.bounds
            if not (x0 < x1 and y0 < y1):
                raise ValueError("bounds: each range must be [min, max] with min < max")
        if self.expr is not None:
            if self.id not in (None, "custom"):
                raise ValueError("give either a surface id or expr, not both")
            if self.params:
                raise ValueError(f"{next(iter(self.params))}: a custom f(x, y) takes no "
                                 "parameters")
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
            raise ValueError(f"id: unknown surface '{self.id}'; choose one of "
                             f"{', '.join(SURFACES)}")
        try:
            self._surface = get_surface(self.id, **self.params)
        except HyperparameterError as err:
            message = str(err).removeprefix(f"{err.field}: ").removeprefix(f"{err.field} ")
            raise ValueError(f"{err.field}: {message}") from None
        return self

    @property
    def surface(self) -> Surface:
        assert self._surface is not None
        return self._surface


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
        ..., description="a surface id as a string, or {id, <its parameters>} or {expr, bounds?}"
    )
    start: Point | None = Field(None, description="[x, y]; omitted: the surface's default start")
    steps: int = Field(200, ge=1, description="steps per run (at most the server's max_steps)")
    runs: list[RunSpec] = Field(..., min_length=1)

    @model_validator(mode="after")
    def _surface_runs(self) -> TrajectoryRequest:
        only_for(self.runs, "batch_size", "network")
        supported_on(self.runs, "surface")
        return self

    def check_limits(self, settings: Settings) -> None:
        """The server's limits (the ones `welcome` advertises); ValueError naming the field."""
        if self.steps > settings.max_steps:
            raise ValueError(f"steps: at most {settings.max_steps} steps per run")
        if len(self.runs) > settings.max_runs:
            raise ValueError(f"runs: at most {settings.max_runs} runs at once")
        if self.surface.expr is not None:
            # A custom f(x, y) costs about its length at every step (evaluated as a tree).
            cost = len(self.surface.expr) * self.steps * len(self.runs)
            if cost > MAX_FORMULA_WORK:
                raise ValueError(
                    f"steps: a {len(self.surface.expr)}-character formula x {self.steps} steps x "
                    f"{len(self.runs)} runs is {cost:.2g} (limit {MAX_FORMULA_WORK:.0g}): use "
                    "fewer steps or runs, or a shorter formula")

    @field_validator("surface", mode="before")
    @classmethod
    def _surface_by_id(cls, value: Any) -> Any:
        return {"id": value} if isinstance(value, str) else value

    @property
    def resolved_surface(self) -> Surface:
        return self.surface.surface

    @property
    def resolved_start(self) -> tuple[float, float]:
        start = self.start if self.start is not None else self.resolved_surface.default_start
        return (float(start[0]), float(start[1]))
