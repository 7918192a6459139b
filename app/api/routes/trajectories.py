"""One-shot optimizer runs: the whole trajectory of each run in one response."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.jsonsafe import SafeJSONResponse
from app.api.schemas.trajectories import TrajectoryRequest
from app.core.runs import Trajectory, run_trajectories

router = APIRouter(prefix="/api", tags=["trajectories"])


def trajectory_json(t: Trajectory) -> dict[str, Any]:
    return {
        "optimizer": t.config.optimizer,
        "status": t.status,
        "diverged_at": t.diverged_at,
        "reason": t.reason,
        "params": t.params,
        "grads": t.grads,
        "losses": t.losses,
        "lrs": t.lrs,
        "lambda_max": t.lambda_max,
    }


@router.post("/trajectories", response_class=SafeJSONResponse)
def trajectories(request: TrajectoryRequest) -> SafeJSONResponse:
    """Run every configuration in lockstep from one start. A diverged run stops with its status
    `diverged` and the step it happened at; non-finite numbers are null, never NaN."""
    results = run_trajectories(
        request.resolved_surface,
        request.resolved_start,
        request.steps,
        [r.to_config() for r in request.runs],
    )
    return SafeJSONResponse(
        {"start": list(request.resolved_start), "runs": [trajectory_json(t) for t in results]}
    )
