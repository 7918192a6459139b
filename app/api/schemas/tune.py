"""`POST /api/tune`: the best lr of every run of a body, for a surface run set (the body of
`POST /api/trajectories`) or a network (the landscape's data, network, seed, steps and runs),
plus the search's range and size. The search is app/core/tuning.py; its cost is counted in
run-steps and bounded here, with errors that name the field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.api.schemas.common import Seed
from app.api.schemas.mlp import (
    MAX_TRAIN_WORK,
    NetworkIn,
    TrainingData,
    check_network_limits,
)
from app.api.schemas.runs import RunSpec, only_for, supported_on
from app.api.schemas.trajectories import TrajectoryRequest
from app.config import Settings
from app.core.datasets import DATASETS
from app.core.optimizers import OPTIMIZERS
from app.core.tuning import LR_MAX, LR_MIN, POINTS, REFINE, evaluations

# Surface runs: at most this many run-steps per request, an optimizer that asks its oracle
# (L-BFGS, SAM, Newton) counted ORACLE_COST times (its steps cost 10-100x a plain one).
MAX_TUNE_RUN_STEPS = 600_000  # about a second of plain steps
ORACLE_COST = 20
MAX_TUNE_WORK = MAX_TRAIN_WORK  # networks: tries x runs x steps x batch x parameters


class TuneOptions(BaseModel):
    """Where and how finely to search (the defaults suit every optimizer here)."""

    # the range every optimizer's lr accepts (app/core/optimizers/base.py, _lr)
    lr_min: float = Field(LR_MIN, ge=1e-6, le=10.0, allow_inf_nan=False,
                          description="the smallest lr of the coarse grid (at least 1e-6)")
    lr_max: float = Field(LR_MAX, ge=1e-6, le=10.0, allow_inf_nan=False,
                          description="the largest lr of the coarse grid (at most 10)")
    points: int = Field(POINTS, ge=3, le=41, description="lrs on the coarse log grid")
    refine: int = Field(REFINE, ge=0, le=6, description="refinement rounds (4 lrs each)")

    @model_validator(mode="after")
    def _range(self) -> TuneOptions:
        if self.lr_min >= self.lr_max:
            raise ValueError(f"lr_min: must be below lr_max ({self.lr_max:g})")
        return self

    @property
    def tries(self) -> int:
        return evaluations(self.points, self.refine)


class SurfaceTune(TrajectoryRequest):
    """The runs of a surface run set, each tuned over its own steps from the same start."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["surface"] = "surface"
    tune: TuneOptions = Field(default_factory=TuneOptions)

    def check_limits(self, settings: Settings) -> None:
        super().check_limits(settings)
        cost = sum(ORACLE_COST if OPTIMIZERS[r.optimizer].needs_oracle else 1
                   for r in self.runs) * self.steps * self.tune.tries
        if cost > MAX_TUNE_RUN_STEPS:
            raise ValueError(
                f"steps: tuning would take {cost:,} run-steps (limit {MAX_TUNE_RUN_STEPS:,}; "
                f"L-BFGS, SAM and Newton count {ORACLE_COST}x): use fewer steps, runs or "
                "tune.points")


class NetworkTune(TrainingData):
    """The runs of a network (shared data and initial weights), each tuned over its steps."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["network"] = "network"
    network: NetworkIn = Field(default_factory=NetworkIn)
    seed: Seed = Field(0, description="seeds the initial weights and minibatches")
    steps: int = Field(200, ge=1, description="steps per run (at most max_network_steps)")
    runs: list[RunSpec] = Field(default_factory=lambda: [RunSpec(optimizer="adam")],
                                min_length=1)
    tune: TuneOptions = Field(default_factory=TuneOptions)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (DATASETS[self.dataset.id].inputs, *self.network.hidden, self.n_outputs)

    @model_validator(mode="after")
    def _runs(self) -> NetworkTune:
        only_for(self.runs, "noise", "surface")
        supported_on(self.runs, "network")
        return self

    def check_limits(self, settings: Settings) -> None:
        check_network_limits(self.steps, self.runs, settings)
        sizes, n = self.sizes, self.n_samples
        params = sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:], strict=True))
        work = (sum(min(r.batch_size or n, n) for r in self.runs) * self.steps * params
                * self.tune.tries)
        if work > MAX_TUNE_WORK:
            raise ValueError(
                f"steps: tuning would cost {work:.2g} multiply-adds ({self.tune.tries} tries per "
                f"run; limit {MAX_TUNE_WORK:.0g}): use fewer steps, runs or tune.points, "
                "or a smaller network or dataset")
