"""The one run engine: a surface run and a network run implement one stepper protocol
(`base.Stepper`); a `RunSet` steps them in lockstep and yields typed events; `record` runs a
set to its end for the one-shot endpoints. See docs/architecture.md."""

from app.core.runs.base import Columns, RunBase, Stepper
from app.core.runs.config import RunConfig
from app.core.runs.learning_rate import LearningRate
from app.core.runs.network import NetColumns, NetworkRun, Problem, make_problem
from app.core.runs.record import record
from app.core.runs.runset import (
    Added,
    Diverged,
    Event,
    Finished,
    Removed,
    RunSet,
    Steps,
    Updated,
)
from app.core.runs.surface import Step, StepColumns, SurfaceRun, lambda_max_at

__all__ = [
    "Added", "Columns", "Diverged", "Event", "Finished", "LearningRate", "NetColumns",
    "NetworkRun", "Problem", "Removed", "RunBase", "RunConfig", "RunSet", "Step", "StepColumns",
    "Stepper", "Steps", "SurfaceRun", "Updated", "lambda_max_at", "make_problem", "record",
]
