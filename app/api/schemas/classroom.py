"""The classroom's messages and bodies (docs/classroom.md): a challenge's spec, a join, a
submission, and what a page sends on `/ws/class`. A submitted run is validated by the schemas
every run request uses (`TrajectoryRequest`, the websocket's `StartNetwork`), never by a copy."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from app.api.schemas.common import Finite
from app.api.schemas.tagged import tagged_union
from app.api.schemas.trajectories import TrajectoryRequest
from app.api.schemas.ws import StartNetwork
from app.classroom.challenges import GOAL_KINDS, METRICS, merge
from app.config import Settings

# A path of this site ("/", "/network"): never another origin ("//host") for followers to open.
PATH_PATTERN = r"^/([A-Za-z0-9_.~-][A-Za-z0-9/_.~-]{0,199})?$"
MAX_HASH = 16_000
ELEMENT_ID = r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$"
# What a page may send as a run but a one-shot run does not take (the live `start`'s extras).
LIVE_ONLY = ("type", "speed", "columns")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoalSpec(_Strict):
    kind: Literal[GOAL_KINDS] = Field(..., description="reach: fewest steps to the target; "  # type: ignore[valid-type]
                                      "largest_lr: the largest lr that still ends at the target; "
                                      "best: the best metric at the end of the budget")
    metric: str = Field("loss", description="loss on a surface; loss, accuracy, test_loss or "
                        "test_accuracy on a network")
    target: Finite | None = Field(None, description="reach, largest_lr: the metric to get to")
    direction: Literal["min", "max"] | None = Field(
        None, description="best: which way wins (default: max for accuracies, else min)")

    @model_validator(mode="after")
    def _target(self) -> GoalSpec:
        if self.kind in ("reach", "largest_lr") and self.target is None:
            raise ValueError(f"target: a {self.kind} goal needs a target")
        return self


class BudgetSpec(_Strict):
    steps: int = Field(..., ge=1, description="steps per run, at most")


class ChallengeSpec(_Strict):
    """A challenge the teacher poses from the current view (docs/classroom.md, Challenges)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "Reach f < 1e-3 on Rosenbrock within 300 steps, any optimizer",
        "kind": "surface", "fixed": {"surface": "rosenbrock", "start": [-1.5, 2]},
        "budget": {"steps": 300}, "goal": {"kind": "reach", "metric": "loss", "target": 1e-3}}]})

    title: str = Field(..., min_length=1, max_length=200)
    kind: Literal["surface", "network"]
    fixed: dict[str, Any] = Field(default_factory=dict, description="fields of the run's request "
                                  "every submission gets; `run`: fields of its one run")
    budget: BudgetSpec
    goal: GoalSpec

    @model_validator(mode="after")
    def _metric(self) -> ChallengeSpec:
        if self.goal.metric not in METRICS[self.kind]:
            raise ValueError(f"goal.metric: a {self.kind} challenge scores "
                             f"{', '.join(METRICS[self.kind])}")
        if self.fixed.get("run") is not None and not isinstance(self.fixed["run"], dict):
            raise ValueError("fixed.run: the fields of the one run, as an object")
        return self

    def check(self, settings: Settings) -> None:
        """Rules beyond the fields (the server's limits, a fixed surface that exists): a
        ValueError naming the field. The fixed fields are validated as a run with them would be."""
        limit = settings.max_steps if self.kind == "surface" else settings.max_network_steps
        if self.budget.steps > limit:
            raise ValueError(f"budget.steps: at most {limit} steps per {self.kind} run")
        try:
            request = submitted_run(self.kind, merge({"runs": [{"optimizer": "sgd"}]},
                                                     self.model_dump()), settings)
        except RunRefused as err:
            # run.surface.id -> fixed.surface.id; run.runs.0.lr -> fixed.run.lr
            field = err.field.removeprefix("run.")
            field = "run." + field.removeprefix("runs.0.") if field.startswith("runs.0.") else field
            raise ValueError(f"fixed.{field}: {err.message}") from None
        if self.goal.metric.startswith("test_") and not getattr(request, "test_fraction", 0):
            raise ValueError(f"goal.metric: {self.goal.metric} needs a test set: fix a "
                             "test_fraction above 0")


class RunRefused(ValueError):
    """A submitted run refused; `field` is where ("run.runs.0.lr"), `message` why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def submitted_run(kind: str, request: dict[str, Any], settings: Settings
                  ) -> TrajectoryRequest | StartNetwork:
    """A merged run request validated as `POST /api/trajectories` (surface) or the websocket's
    network `start` validates it, with the server's limits; one run only. RunRefused naming the
    field otherwise."""
    from app.api.errors import clean_errors, dotted

    body = {k: v for k, v in request.items() if k not in LIVE_ONLY}
    try:
        if kind == "surface":
            parsed: TrajectoryRequest | StartNetwork = TrajectoryRequest.model_validate(body)
        else:
            parsed = StartNetwork.model_validate({"type": "start", **body})
        if len(parsed.runs) != 1:
            raise ValueError("runs: a submission is one run")
        parsed.check_limits(settings)
    except ValidationError as err:
        first = clean_errors(err.errors())[0]
        field = dotted(["run", *first["loc"]])
        # "lr: must be ..." -> "must be ...": the field is said once, in front
        message = re.sub(r"^[A-Za-z_][A-Za-z0-9_.]*: ", "", first["msg"])
        raise RunRefused(field, message) from None
    except ValueError as err:
        field, _, message = str(err).partition(": ")
        raise RunRefused(f"run.{field}", message) from None
    return parsed


class JoinBody(_Strict):
    nickname: str = Field(..., min_length=1, max_length=200, description="1-24 characters once "
                          "cleaned (docs/classroom.md); unique in the class, whatever the case")


class SubmitBody(_Strict):
    challenge: int = Field(..., ge=1, description="the challenge's id")
    run: dict[str, Any] = Field(..., description="what POST /api/trajectories (surface) or the "
                                "websocket's network start takes, with one run in `runs`")


class PoseBody(_Strict):
    challenge: ChallengeSpec


# -- /ws/class ---------------------------------------------------------------------------------
class Hello(_Strict):
    type: Literal["hello"]
    class_: str = Field(..., alias="class", min_length=1, max_length=40)
    teacher_token: str | None = Field(None, max_length=200)
    student_token: str | None = Field(None, max_length=200)


class Follow(_Strict):
    type: Literal["follow"]
    on: bool


class Lead(_Strict):
    type: Literal["lead"]
    on: bool


class View(_Strict):
    type: Literal["view"]
    path: str = Field(..., pattern=PATH_PATTERN)
    hash: str = Field("", max_length=MAX_HASH, pattern=r"^(#.*)?$")


class Action(_Strict):
    type: Literal["action"]
    target: str = Field(..., pattern=ELEMENT_ID)
    kind: Literal["click", "input", "change"]
    value: Annotated[str, Field(max_length=200)] | Finite | bool | None = None


class Pose(_Strict):
    type: Literal["pose"]
    challenge: ChallengeSpec


class Close(_Strict):
    type: Literal["close"]


class Names(_Strict):
    type: Literal["names"]
    hidden: bool


class Spotlight(_Strict):
    type: Literal["spotlight"]
    submission: int | None


class Clear(_Strict):
    type: Literal["clear"]


ClassMessage = tagged_union({
    "hello": Hello, "follow": Follow, "lead": Lead, "view": View, "action": Action, "pose": Pose,
    "close": Close, "names": Names, "spotlight": Spotlight, "clear": Clear,
})
class_message = TypeAdapter(ClassMessage)
MESSAGE_TYPES = ("hello", "follow", "lead", "view", "action", "pose", "close", "names",
                 "spotlight", "clear")
TEACHER_ONLY = {"lead": "lead the class", "view": "lead the class's view",
                "action": "drive the followers' controls", "pose": "pose a challenge",
                "close": "close a challenge", "names": "hide or show names",
                "spotlight": "spotlight a run", "clear": "clear the submissions"}
