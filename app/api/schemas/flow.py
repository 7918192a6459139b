"""The request of `POST /api/flow`: a surface and a start as for `POST /api/trajectories`, and
the runs to compare with the flow (none: the flow alone)."""

from __future__ import annotations

from pydantic import Field, model_validator

from app.api.schemas.common import Finite
from app.api.schemas.runs import RunSpec
from app.api.schemas.trajectories import TrajectoryRequest

MAX_SAMPLES = 2_000
MAX_FLOW_TIME = 1e6
# Run points measured against the flow's path (runs x steps): each is compared with every
# segment of a 500-vertex polyline, about 0.3 s for this many.
MAX_RUN_POINTS = 40_000


class FlowRequest(TrajectoryRequest):
    """The gradient flow from a start, and how far each run departs from it."""

    runs: list[RunSpec] = Field(default_factory=list, description="runs to compare (as for "
                                "POST /api/trajectories); none: the flow alone")
    samples: int = Field(200, ge=2, le=MAX_SAMPLES, description="points of the flow's path, "
                         "evenly spaced along its length")
    t_end: Finite | None = Field(
        None, gt=0, le=MAX_FLOW_TIME, description="how long to follow the flow; null: as long "
        "as the longest run's flow time (the sum of its lrs; 1 / (1 - momentum) times that "
        "for SGD with momentum), at least 1")

    @model_validator(mode="after")
    def _budget(self) -> FlowRequest:
        if len(self.runs) * self.steps > MAX_RUN_POINTS:
            raise ValueError(f"steps: runs x steps must be at most {MAX_RUN_POINTS} to be "
                             f"compared with the flow (got {len(self.runs)} x {self.steps})")
        return self
