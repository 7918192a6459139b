"""Fair races: `POST /api/tune` searches each run's best learning rate (app/core/tuning.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from fastapi import APIRouter, Body, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.errors import ERROR_RESPONSES, field_error
from app.api.jsonsafe import SafeJSONResponse
from app.api.schemas.tune import NetworkTune, SurfaceTune
from app.core.cancellation import StopCheck, check
from app.core.mlp import MLP
from app.core.optimizers import OPTIMIZERS
from app.core.runs import NetworkRun, RunConfig, Stepper, SurfaceRun, make_problem
from app.core.tuning import Tuning, tune_lr

router = APIRouter(prefix="/api", tags=["tune"], responses=ERROR_RESPONSES)

EXAMPLE = {"surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 300,
           "runs": [{"optimizer": "sgd"}, {"optimizer": "adam"}]}


def parse(body: dict[str, Any]) -> SurfaceTune | NetworkTune:
    """A network body has `kind: "network"` (or, without kind, a dataset, network or points);
    anything else is a surface run set. Errors are the usual 422, located in the body."""
    kind = body.get("kind")
    if kind is not None and kind not in ("surface", "network"):
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "kind"),
                                       "msg": f"'surface' or 'network', not {kind!r}",
                                       "input": kind}])
    network = kind == "network" or (
        "kind" not in body and any(k in body for k in ("dataset", "network", "points")))
    model = NetworkTune if network else SurfaceTune
    try:
        return model.model_validate(body)
    except ValidationError as err:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in err.errors()]) from None


def tuning_json(spec_lr: float, optimizer: str, result: Tuning) -> dict[str, Any]:
    return {
        "optimizer": optimizer,
        "lr_given": spec_lr,  # the run's lr as sent (or the optimizer's default)
        "lr": result.lr,  # the best lr found: set it on the run
        "loss": result.loss,  # its loss after the budget
        "diverged_above": result.diverged_above,  # the smallest lr tried that diverged
        "curve": {"lr": [p.lr for p in result.curve],
                  "loss": [p.loss for p in result.curve],  # null where diverged
                  "status": [p.status for p in result.curve]},
        "run_steps": result.run_steps,
    }


@router.post("/tune", response_class=SafeJSONResponse,
             responses={503: {"description": "busy: retry after Retry-After seconds"}})
async def tune(request: Request,
               body: dict[str, Any] = Body(..., examples=[EXAMPLE])) -> SafeJSONResponse:  # noqa: B008
    """Tune every run of the body ("tune all"; send one run to tune one): for each, the lr
    with the lowest loss after `steps` steps from the same start, and the curve of final loss
    against lr. The body is that of `POST /api/trajectories` (a surface run set) or, with
    `kind: "network"`, the landscape's data, network, seed, steps and runs; `tune` sets the
    search (lr_min, lr_max, points, refine). Diverged runs score +inf (null in the curve)."""
    spec = parse(body)
    try:
        spec.check_limits(request.app.state.settings)
    except ValueError as err:
        raise field_error(err) from None
    return await request.app.state.admission.run(
        request, "tuning requests", lambda should_stop: _tune(spec, should_stop))


def _tune(spec: SurfaceTune | NetworkTune, should_stop: StopCheck) -> SafeJSONResponse:
    """The search, in the admission controller's pool; each tried lr checks `should_stop`."""
    t0 = time.perf_counter()
    opts = spec.tune
    results = []
    if isinstance(spec, SurfaceTune):
        surface, start = spec.resolved_surface, spec.resolved_start
        for run in spec.runs:
            config = run.to_config()
            result = tune_lr(_checked(should_stop,
                                      lambda lr, c=config: SurfaceRun(surface, start,
                                                                      _with_lr(c, lr))),
                             spec.steps, opts.lr_min, opts.lr_max, opts.points, opts.refine)
            results.append((config, result))
        extra: dict[str, Any] = {"start": list(start)}
    else:
        x, labels = spec.data()
        model = MLP.build(spec.sizes, spec.network.activation, spec.loss)
        problem = make_problem(model, x, labels, spec.seed, spec.network.init, plane=None)
        for run in spec.runs:
            config = run.to_config(spec.seed)
            # the whole dataset's loss is needed only after the last step
            result = tune_lr(_checked(should_stop,
                                      lambda lr, c=config: NetworkRun(problem, _with_lr(c, lr),
                                                                      loss_every=spec.steps)),
                             spec.steps, opts.lr_min, opts.lr_max, opts.points, opts.refine)
            results.append((config, result))
        extra = {"initial_loss": float(model.loss_value(problem.theta0, x, problem.y))}
    runs = [tuning_json(c.lr if c.lr is not None else float(OPTIMIZERS[c.optimizer]().lr),
                        c.optimizer, r) for c, r in results]
    return SafeJSONResponse({
        "kind": spec.kind, "steps": spec.steps, **extra, "runs": runs,
        "run_steps": int(np.sum([r["run_steps"] for r in runs])),
        "seconds": time.perf_counter() - t0,
    })


def _checked(should_stop: StopCheck, make_run: Callable[[float], Stepper]
             ) -> Callable[[float], Stepper]:
    """`make_run` that first checks whether the client still waits (Cancelled if not)."""
    def make(lr: float) -> Stepper:
        check(should_stop)
        return make_run(lr)
    return make


def _with_lr(config: RunConfig, lr: float) -> RunConfig:
    return replace(config, lr=lr)
