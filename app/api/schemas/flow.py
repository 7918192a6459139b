"""The request of `POST /api/flow`: a surface and a start as for `POST /api/trajectories`, and
the runs to compare with the flow (none: the flow alone)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from app.api.schemas.common import Finite
from app.api.schemas.mlp import (
    MAX_TRAIN_WORK,
    NetworkIn,
    Seed,
    TrainingData,
    WeightRefIn,
    check_network_limits,
    check_weight_refs,
)
from app.api.schemas.runs import RunSpec, only_for
from app.api.schemas.trajectories import TrajectoryRequest
from app.config import Settings
from app.core.datasets import DATASETS

MAX_SAMPLES = 2_000
MAX_FLOW_TIME = 1e6
# The shortest flow followed: its early times are sampled from t_end * 1e-6 (flow_compare.py),
# which must stay a normal float (5e-324 * 1e-6 is 0: a 500 before this bound).
MIN_FLOW_TIME = 1e-9
# Run points measured against the flow's path (runs x steps): each is compared with every
# segment of a 500-vertex polyline, about 0.3 s for this many.
MAX_RUN_POINTS = 40_000
# A network's flow: at most 2,000 accepted Dormand-Prince steps of 6 gradients each.
FLOW_GRADIENTS = 12_000


class FlowRequest(TrajectoryRequest):
    """The gradient flow from a start, and how far each run departs from it."""

    runs: list[RunSpec] = Field(default_factory=list, description="runs to compare (as for "
                                "POST /api/trajectories); none: the flow alone")
    samples: int = Field(200, ge=2, le=MAX_SAMPLES, description="points of the flow's path, "
                         "evenly spaced along its length")
    t_end: Finite | None = Field(
        None, ge=MIN_FLOW_TIME, le=MAX_FLOW_TIME,
        description="how long to follow the flow; null: as long "
        "as the longest run's flow time (the sum of its lrs; 1 / (1 - momentum) times that "
        "for SGD with momentum), at least 1")

    @model_validator(mode="after")
    def _budget(self) -> FlowRequest:
        if len(self.runs) * self.steps > MAX_RUN_POINTS:
            raise ValueError(f"steps: runs x steps must be at most {MAX_RUN_POINTS} to be "
                             f"compared with the flow (got {len(self.runs)} x {self.steps})")
        return self


class NetworkFlowRequest(TrainingData):
    """The flow of a network's full-batch training loss from the initial weights a network
    `start` draws (dataset, network, seed, plane), and how far each run departs from it."""

    network: NetworkIn = Field(default_factory=NetworkIn)
    seed: Seed = Field(0, description="seeds the initial weights and the random plane")
    steps: int = Field(200, ge=1, description="steps per run (at most the server's "
                       "max_network_steps)")
    runs: list[RunSpec] = Field(default_factory=list, max_length=8)
    plane: Literal["random", "weights"] = Field(
        "random", description="the live view's plane through the initial weights")
    weights: list[WeightRefIn] | None = Field(None, min_length=2, max_length=2)
    samples: int = Field(200, ge=2, le=MAX_SAMPLES, description="flow points returned")
    t_end: Finite | None = Field(None, ge=MIN_FLOW_TIME, le=MAX_FLOW_TIME, description="null: the "
                                 "longest run's flow time")

    @model_validator(mode="after")
    def _checks(self) -> NetworkFlowRequest:
        only_for(self.runs, "noise", "surface")
        for k, run in enumerate(self.runs):
            if run.batch_size is not None:
                raise ValueError(f"runs.{k}.batch_size: the flow is the full-batch loss's; "
                                 "compare full-batch runs")
        sizes = (DATASETS[self.dataset.id].inputs, *self.network.hidden, self.n_outputs)
        check_weight_refs(self.weights, sizes, self.plane == "weights", "plane")
        params = sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:], strict=True))
        work = FLOW_GRADIENTS * self.n_samples * params
        if work > MAX_TRAIN_WORK:
            raise ValueError(f"network: following the flow could cost {work:.2g} multiply-adds "
                             f"(limit {MAX_TRAIN_WORK:.0g}): use a smaller network or dataset")
        return self

    def check_limits(self, settings: Settings) -> None:
        check_network_limits(self.steps, self.runs, settings)
