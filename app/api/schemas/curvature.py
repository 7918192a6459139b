"""The curvature fields of the network requests: `sharpness_every` (the websocket's network
`start` and `POST /api/mlp/landscape`) and the websocket's `spectrum` request."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.runs.sharpness import DEFAULT_SHARPNESS_EVERY, PRECONDITIONED, interval

MAX_SHARPNESS_EVERY = 10_000
MAX_SPECTRUM_BINS = 200
MAX_SPECTRUM_K = 50


def sharpness_every_field() -> object:
    return Field(
        None, ge=0, le=MAX_SHARPNESS_EVERY,
        description="measure the sharpness (the top Hessian eigenvalue of the full-batch "
        "training loss) every k steps; null or 0: never; omitted: the smallest multiple of the "
        f"steps that carry the weights that is at least {DEFAULT_SHARPNESS_EVERY}")


def resolve_sharpness_every(model: Any, carried_every: int) -> int | None:
    """The interval a request asks for: omitted -> the default (runs/sharpness.interval);
    null or 0 -> None (off)."""
    if "sharpness_every" not in model.model_fields_set:
        return interval(None, carried_every)
    return model.sharpness_every or None


# A measurement costs about one operator build and 2-5 Hessian-vector products (a cold start:
# 10-16), each about a gradient (docs/performance.md); twice that for the Adam family.
GRADIENTS_PER_MEASUREMENT = 6


def sharpness_work(runs: list[Any], steps: int, every: int | None, n: int, params: int) -> float:
    """Multiply-adds of measuring the sharpness every `every` steps (MAX_TRAIN_WORK's units)."""
    if not every:
        return 0.0
    per_run = (steps // every + 1) * GRADIENTS_PER_MEASUREMENT * n * params
    return sum(per_run * (2 if r.optimizer in PRECONDITIONED else 1) for r in runs)


class SpectrumRequest(BaseModel):
    """The Hessian's eigenvalues at a network run's current weights, as a histogram:
    {"type": "spectrum", "run": 0, "bins": 40}."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["spectrum"]
    run: int = Field(..., ge=0, description="a run id from `started`")
    bins: int = Field(40, ge=1, le=MAX_SPECTRUM_BINS, description="histogram bins")
    k: int = Field(20, ge=1, le=MAX_SPECTRUM_K, description="beyond 600 parameters: how many "
                   "of the smallest and of the largest eigenvalues")
