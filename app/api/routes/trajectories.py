"""One-shot optimizer runs: the whole trajectory of each run in one response."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from app.api.errors import ERROR_RESPONSES, field_error
from app.api.jsonsafe import SafeJSONResponse
from app.api.schemas.trajectories import TrajectoryRequest
from app.core.cancellation import StopCheck
from app.core.runs import RunSet, StepColumns, SurfaceRun, lambda_max_at, record

router = APIRouter(prefix="/api", tags=["trajectories"], responses=ERROR_RESPONSES)


def trajectory_json(run: SurfaceRun, cols: StepColumns, lrs: list[float]) -> dict[str, Any]:
    # trials[k]: the points the optimizer evaluated during step k (L-BFGS's line search, SAM's
    # ascent point), only for optimizers that ask for them
    trials = {"trials": cols.trials} if cols.trials else {}
    return trials | {
        "optimizer": run.config.optimizer,
        "status": run.status,
        "diverged_at": run.diverged_at,
        "reason": run.reason,
        "params": cols.params,
        "grads": cols.grad,
        "losses": cols.loss,
        "lrs": lrs,  # lrs[k - 1]: the learning rate of step k
        "lambda_max": [lambda_max_at(run.surface, x, y) for x, y in cols.params],
    }


@router.post("/trajectories", response_class=SafeJSONResponse,
             responses={503: {"description": "busy: retry after Retry-After seconds"}})
async def trajectories(body: TrajectoryRequest, request: Request) -> SafeJSONResponse:
    """Run every configuration in lockstep from one start (the run engine a live session uses).
    A diverged run stops with its status `diverged` and the step it happened at; non-finite
    numbers are null, never NaN. Computed in the admission controller's pool (503 when it is
    full), stopped if the client leaves."""
    try:
        body.check_limits(request.app.state.settings)
    except ValueError as err:
        raise field_error(err) from None
    return await request.app.state.admission.run(
        request, "trajectory requests", lambda should_stop: _trajectories(body, should_stop))


def _trajectories(body: TrajectoryRequest, should_stop: StopCheck) -> SafeJSONResponse:
    surface, start = body.resolved_surface, body.resolved_start
    runset = RunSet([SurfaceRun(surface, start, spec.to_config()) for spec in body.runs],
                    body.steps)
    rec = record(runset, should_stop=should_stop)
    return SafeJSONResponse({
        "start": list(start),
        "runs": [trajectory_json(run, cols, lrs)
                 for run, cols, lrs in zip(runset.runs, rec.kept, rec.lrs, strict=True)],
    })
