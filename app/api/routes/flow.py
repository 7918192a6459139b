"""Gradient flow as a reference path: the continuous-time path d theta/dt = -grad L that small
steps of gradient descent follow, and how far each run departs from it (app/core/flow_compare.py
says how each distance is measured)."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi import APIRouter, Request

from app.api.errors import ERROR_RESPONSES, field_error
from app.api.jsonsafe import SafeJSONResponse
from app.api.schemas.flow import FlowRequest, NetworkFlowRequest
from app.core.flow_compare import (
    distance_to_path,
    evenly_along,
    flow_times,
    network_reference,
    path_polyline,
    surface_reference,
    time_matched,
)
from app.core.landscape import kept_every
from app.core.mlp import MLP
from app.core.runs import NetworkRun, RunSet, SurfaceRun, make_problem, record

router = APIRouter(prefix="/api", tags=["flow"], responses=ERROR_RESPONSES)


def _clock(run: SurfaceRun | NetworkRun, lrs: list[float]) -> np.ndarray | None:
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
        raise field_error(err) from None
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
    drawn, drawn_times = evenly_along(reference, body.samples)
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


@router.post("/flow/network", response_class=SafeJSONResponse)
def network_flow(body: NetworkFlowRequest, request: Request) -> SafeJSONResponse:
    """The flow of a network's full-batch loss from the initial weights a network `start`
    draws, on the live view's plane, with the loss along it; for each SGD (or momentum) run,
    the distance of its kept steps to the flow at their flow times."""
    try:
        body.check_limits(request.app.state.settings)
    except ValueError as err:
        raise field_error(err) from None
    if body.t_end is None and not body.runs:
        raise field_error("t_end: give t_end, or runs to take it from")
    x, labels = body.data()
    sizes = (x.shape[1], *body.network.hidden, body.n_outputs)
    model = MLP.build(sizes, body.network.activation, body.loss)
    refs = tuple(w.ref() for w in body.weights) if body.weights else None
    problem = make_problem(model, x, labels, body.seed, body.network.init, body.plane, refs)
    every = kept_every(body.steps)
    runset = RunSet([NetworkRun(problem, spec.to_config(body.seed), loss_every=every)
                     for spec in body.runs], body.steps)
    rec = record(runset, every) if body.runs else None
    lrs = rec.lrs if rec else []
    clocks = [_clock(run, r) for run, r in zip(runset.runs, lrs, strict=True)]
    ends = [float(c[-1]) for c in clocks if c is not None] + [float(sum(r)) for r in lrs]
    t_end = body.t_end or max([t for t in ends if np.isfinite(t) and t > 0] or [1.0])
    kept = [np.asarray(cols.step) for cols in (rec.kept if rec else [])]
    extra = np.concatenate([c[k] for c, k in zip(clocks, kept, strict=True) if c is not None]
                           or [np.zeros(0)])
    with np.errstate(all="ignore"):
        reference = network_reference(model, problem.theta0, problem.x, problem.y, t_end, extra)
        points, times = evenly_along(reference, body.samples)
        loss = [model.loss_value(theta, problem.x, problem.y) for theta in points]
    plane = problem.plane
    assert plane is not None
    out_runs = []
    for k, run in enumerate(runset.runs):
        assert rec is not None
        clock = clocks[k]
        thetas = np.array(rec.kept[k].theta).reshape(len(kept[k]), model.n_params)
        matched = None if clock is None else time_matched(thetas, clock[kept[k]], reference)
        out_runs.append({
            "optimizer": run.config.optimizer, "status": run.status,
            "diverged_at": run.diverged_at, "steps": kept[k],
            "flow_time": None if clock is None else clock[kept[k]],
            "distance_at_time": matched,
            "max_distance": None if matched is None else float(np.nanmax(matched, initial=0.0)),
        })
    return SafeJSONResponse({
        "flow": {"plane": plane.project(points) + np.asarray(plane.origin), "times": times,
                 "loss": loss, "t_end": t_end,
                 "reached": float(reference.times[-1]) if len(reference.times) else 0.0,
                 "complete": reference.complete, "n_grads": reference.n_grads},
        "plane": {"mode": plane.mode, "labels": list(plane.labels),
                  "origin": list(plane.origin), "seed": body.seed},
        "n_params": model.n_params,
        "runs": out_runs,
    })
