"""Gradient flow as a reference path: the continuous-time path d theta/dt = -grad L that small
steps of gradient descent follow, and how far each run departs from it (app/core/flow_compare.py
says how each distance is measured)."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, Request

from app.api.errors import limit_error
from app.api.jsonsafe import SafeJSONResponse
from app.api.schemas.flow import FlowRequest
from app.core.flow_compare import (
    distance_to_path,
    flow_times,
    path_polyline,
    surface_reference,
    time_matched,
)
from app.core.runs import RunSet, SurfaceRun, record

router = APIRouter(prefix="/api", tags=["flow"])


def _clock(run: SurfaceRun, lrs: list[float]) -> np.ndarray | None:
    """A run's flow times: SGD's, and heavy-ball's once its velocity has built up (a
    momentum run moves (1 - dampening) / (1 - momentum) lr per unit of gradient); None for the
    adaptive methods, which follow another flow (flow_compare's `time_matched`)."""
    opt = run.optimizer
    if opt.id == "sgd":
        return flow_times(lrs)
    if opt.id in ("momentum", "nesterov") and opt.momentum < 1:
        return flow_times(lrs, (1.0 - opt.dampening) / (1.0 - opt.momentum))
    return None


@router.post("/flow", response_class=SafeJSONResponse)
def flow(body: FlowRequest, request: Request) -> SafeJSONResponse:
    """The flow's path from the start (evenly spaced along its length, with the time at each
    point), and for each run the distance of its point k to the path and, for SGD, to the flow
    at the time step k stands for."""
    try:
        body.check_limits(request.app.state.settings)
    except ValueError as err:
        raise limit_error(err) from None
    surface, start = body.resolved_surface, body.resolved_start
    runset = RunSet([SurfaceRun(surface, start, spec.to_config()) for spec in body.runs],
                    body.steps)
    rec = record(runset) if body.runs else None
    runs = runset.runs
    clocks = [_clock(run, lrs) for run, lrs in zip(runs, rec.lrs if rec else [], strict=True)]
    ends = [float(c[-1]) for c in clocks if c is not None and len(c) > 1]
    ends += [float(sum(lrs)) for lrs in (rec.lrs if rec else [])]
    t_end = body.t_end or max([1.0, *(t for t in ends if np.isfinite(t))])
    extra = np.concatenate([c[c <= t_end] for c in clocks if c is not None] or [np.zeros(0)])
    reference = surface_reference(surface, start, t_end, extra)
    polyline = path_polyline(reference)
    # the drawn path, and the flow time at each of its points (time along the arc length)
    drawn = path_polyline(reference, body.samples)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(reference.points, axis=0),
                                                          axis=1))])
    drawn_arc = np.linspace(0.0, arc[-1], body.samples)
    drawn_times = np.interp(drawn_arc, arc, reference.times)
    out_runs: list[dict[str, Any]] = []
    for k, run in enumerate(runs):
        assert rec is not None
        points = np.asarray(rec.kept[k].params, dtype=np.float64)
        clock = clocks[k]
        matched = None
        if clock is not None:
            matched = time_matched(points, clock[: len(points)], reference)
        distance = distance_to_path(points, polyline)
        out_runs.append({
            "optimizer": run.config.optimizer, "status": run.status,
            "diverged_at": run.diverged_at, "steps": rec.kept[k].step,
            "distance": distance, "max_distance": float(np.nanmax(distance, initial=0.0)),
            "flow_time": clock[: len(points)] if clock is not None else None,
            "distance_at_time": matched,
        })
    return SafeJSONResponse({
        "start": list(start),
        "flow": {"points": drawn, "times": drawn_times, "t_end": t_end,
                 "reached": float(reference.times[-1]) if len(reference.times) else 0.0,
                 "complete": reference.complete, "n_grads": reference.n_grads},
        "runs": out_runs,
    })
