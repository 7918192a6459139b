"""Client messages of the websocket protocol (docs/protocol.md). Each has a `type`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from app.api.schemas.common import Finite
from app.api.schemas.trajectories import TrajectoryRequest

PROTOCOL_VERSION = 1
# Steps per second per run; 0 runs as fast as the server computes and the client reads.
Speed = Annotated[Finite, Field(ge=0, le=100_000)]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartSurface(TrajectoryRequest):
    """Start runs on a surface: the fields of a POST /api/trajectories body, plus speed."""

    type: Literal["start"]
    speed: Speed = 60.0


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
    """Back to the start point, fresh optimizer state; live changes are kept. Pauses."""

    type: Literal["reset"]


class Stop(_Message):
    type: Literal["stop"]


ClientMessage = Annotated[
    StartSurface | Pause | Resume | StepN | SetParams | SetSpeed | Reset | Stop,
    Field(discriminator="type"),
]
client_message = TypeAdapter(ClientMessage)
MESSAGE_TYPES = ("start", "pause", "resume", "step", "set", "speed", "reset", "stop")
