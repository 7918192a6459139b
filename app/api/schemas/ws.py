"""Client messages of the websocket protocol (docs/protocol.md). Each has a `type`."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)

from app.api.schemas.common import Finite
from app.api.schemas.curvature import (
    SpectrumRequest,
    resolve_sharpness_every,
    sharpness_every_field,
)
from app.api.schemas.mlp import (
    MAX_NEURON_GRID,
    NetworkIn,
    Seed,
    TrainingData,
    WeightRefIn,
    check_network_limits,
    check_neuron_maps,
    check_weight_refs,
)
from app.api.schemas.runs import RunSpec, only_for, supported_on
from app.api.schemas.sweeps import CancelSweep, StartSweep
from app.api.schemas.tagged import message_type, tagged_union
from app.api.schemas.trajectories import TrajectoryRequest
from app.config import Settings

PROTOCOL_VERSION = 2
# Steps per second per run; 0 runs as fast as the server computes and the client reads.
Speed = Annotated[Finite, Field(ge=0, le=100_000)]
COLUMNS = Field(False, description="send each frame's steps as columns, one list per field "
                "({step: [...], loss: [...], ...}), instead of one object per step")
PAUSED = Field(False, description="hold the new runs at step 0 (state `paused`) until `resume` "
               "or `step`, instead of starting them running")


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartSurface(TrajectoryRequest):
    """Start runs on a surface: the fields of a POST /api/trajectories body, plus speed."""

    type: Literal["start"]
    speed: Speed = 60.0
    columns: bool = COLUMNS
    paused: bool = PAUSED


class StartNetwork(TrainingData):
    """Train a network live: a dataset (or the user's own points), an architecture, a seed and
    optimizer runs that all start from the same initial weights, plus speed."""

    type: Literal["start"]
    columns: bool = COLUMNS
    paused: bool = PAUSED
    network: NetworkIn = Field(default_factory=NetworkIn)
    seed: Seed = Field(0, description="seeds the initial weights, minibatches and the plane")
    steps: int = Field(500, ge=1, description="steps per run (at most the server's "
                       "max_network_steps)")
    runs: list[RunSpec] = Field(default_factory=lambda: [RunSpec(optimizer="sgd", lr=0.1),
                                                         RunSpec(optimizer="adam", lr=0.01)],
                                min_length=1)
    speed: Speed = 30.0
    plane: Literal["random", "weights"] = Field(
        "random", description="the plane the live path is drawn on, through the initial weights")
    weights: list[WeightRefIn] | None = Field(None, min_length=2, max_length=2)
    weights_every: int | None = Field(
        None, ge=1, le=10_000, description="send weights and gradients every k steps; "
        "null: every step for small networks, less often for large ones")
    boundary: int = Field(41, ge=5, le=101, description="decision-boundary grid points per side")
    sharpness_every: int | None = sharpness_every_field()
    neurons: int = Field(0, ge=0, le=MAX_NEURON_GRID, description="unit maps: every hidden "
                         "unit's activation on a grid this many points a side (0: none)")

    @model_validator(mode="after")
    def _checks(self) -> StartNetwork:
        only_for(self.runs, "noise", "surface")
        supported_on(self.runs, "network")
        check_weight_refs(self.weights, self.sizes, self.plane == "weights", "plane")
        check_neuron_maps(self.neurons, self.network.hidden, self.n_inputs)
        return self

    def check_limits(self, settings: Settings) -> None:
        check_network_limits(self.steps, self.runs, settings)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.n_inputs, *self.network.hidden, self.n_outputs)

    def resolved_weights_every(self, n_params: int) -> int:
        return self.weights_every or max(1, math.ceil(n_params / 50))

    def resolved_sharpness_every(self, weights_every: int) -> int | None:
        return resolve_sharpness_every(self, weights_every)


class Pause(_Message):
    type: Literal["pause"]


class Resume(_Message):
    type: Literal["resume"]


class StepN(_Message):
    """Take n more steps, then pause."""

    type: Literal["step"]
    n: int = Field(1, ge=1, le=10_000)


class SetParams(BaseModel):
    """Change one run's (or every run's) learning rate or any hyperparameter, from the next step:
    {"type": "set", "run": 0, "lr": 0.1}."""

    model_config = ConfigDict(extra="allow")
    type: Literal["set"]
    run: int | Literal["all"] = Field(..., description="a run id from `started`, or 'all'")

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class SetSpeed(_Message):
    type: Literal["speed"]
    speed: Speed


class Reset(_Message):
    """Back to the start point, fresh optimizer state; live changes are kept. Pauses.
    Network runs keep their shared initial weights unless `new_weights` asks for new ones."""

    type: Literal["reset"]
    new_weights: bool = False


class Stop(_Message):
    type: Literal["stop"]


class AddRun(_Message):
    """One more run in the running session: it starts where the others started (the same start
    point, or the same initial weights), is caught up to their step at once, then steps with
    them. Answered by `added`."""

    type: Literal["add_run"]
    run: RunSpec

    def check_kind(self, kind: str) -> None:
        """What only the session knows: which kind of run it steps (ValueError naming the
        field)."""
        other = {"surface": ("batch_size", "network"), "network": ("noise", "surface")}[kind]
        only_for([self.run], *other, name="run")
        supported_on([self.run], kind, name="run")


class RemoveRun(_Message):
    """Remove a run; the runs after it move down one id. Answered by `removed`."""

    type: Literal["remove_run"]
    run: int = Field(..., ge=0, description="a run id")


def _kind(value: Any) -> str | None:
    """The message's tag: its type, with a start told apart by what it starts."""
    kind = message_type(value)
    if kind == "start" and ("dataset" in value or "network" in value or "points" in value):
        return "start_network"
    return kind


ClientMessage = tagged_union({
    "start": StartSurface, "start_network": StartNetwork,
    "pause": Pause, "resume": Resume,
    "step": StepN, "set": SetParams,
    "speed": SetSpeed, "reset": Reset,
    "stop": Stop, "spectrum": SpectrumRequest,
    "add_run": AddRun, "remove_run": RemoveRun,
    "sweep": StartSweep, "sweep_cancel": CancelSweep,
}, _kind)
client_message = TypeAdapter(ClientMessage)
MESSAGE_TYPES = ("start", "pause", "resume", "step", "set", "speed", "reset", "stop", "spectrum",
                 "sweep", "sweep_cancel", "add_run", "remove_run")
