"""Curvature on the wire: a network run's sharpness columns, and the `spectrum` answer.

The numbers come from the core (app/core/runs/sharpness.py, app/core/curvature.py); here is only
their wire form. A spectrum is computed in a worker thread (`asyncio.to_thread`) from a copy of
the run's weights taken under the run set's lock: the runs go on stepping meanwhile.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.api.schemas.curvature import SpectrumRequest
from app.core.curvature import histogram, spectrum
from app.core.hessian import HessianOperator
from app.core.runs import NetworkRun
from app.core.runs.sharpness import PRECONDITIONED, SharpnessReading

SHARPNESS_COLUMNS = ("sharpness", "sharpness_threshold")
# Lanczos products one spectrum may take, as points x weights x products: a product costs
# about 6 ns per point and weight (250 ms on the biggest network the server accepts, 2,000
# points and ~21,000 weights, on a loaded machine), so about 3 s at most. There it gets 12
# products, the 5 smallest and 5 largest Ritz values, and `converged` may be false.
SPECTRUM_WORK = 5e8
MIN_SPECTRUM_PRODUCTS, MAX_SPECTRUM_PRODUCTS = 12, 300
PRECONDITIONED_COLUMNS = ("preconditioned_sharpness", "preconditioned_threshold")


def has_preconditioned(run: NetworkRun) -> bool:
    """Whether the run's sharpness steps also carry the preconditioned pair (Adam family)."""
    return run.probe is not None and run.optimizer.id in PRECONDITIONED


def sharpness_columns(readings: list[SharpnessReading | None]) -> dict[str, list[float | None]]:
    """The sharpness columns of a batch, when a step of it was measured (else none): one entry
    per step, null at the steps between two measurements; the preconditioned pair too for an
    Adam-family run."""
    if all(r is None for r in readings):
        return {}
    cols: dict[str, list[float | None]] = {
        "sharpness": [None if r is None else r.sharpness for r in readings],
        "sharpness_threshold": [None if r is None else r.threshold for r in readings]}
    if any(r is not None and r.adaptive for r in readings):
        cols["preconditioned_sharpness"] = [None if r is None else r.preconditioned
                                            for r in readings]
        cols["preconditioned_threshold"] = [None if r is None else r.preconditioned_threshold
                                            for r in readings]
    return cols


class SpectrumError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def spectrum_message(runset: Any, msg: SpectrumRequest) -> dict[str, Any]:
    """The `spectrum` answer for one network run at its current weights; SpectrumError for a
    run that is not there or has no usable weights. Runs in a worker thread."""
    runs = runset.runs
    if not 0 <= msg.run < len(runs):
        raise SpectrumError(f"run: no run {msg.run}; runs are 0 to {len(runs) - 1}", "run")
    run: NetworkRun = runs[msg.run]
    with runset.lock:  # a consistent (theta, step, lr): the producer steps under this lock
        theta = np.array(run.current_theta, dtype=np.float64)
        step, lr, status = run.step_count, run.lr, run.status
    if not np.all(np.isfinite(theta)):
        raise SpectrumError(f"run: run {msg.run} diverged at step {run.diverged_at}: its "
                            "weights are not finite", "run")
    p = run.problem
    with np.errstate(all="ignore"):
        size = len(p.x) * p.model.n_params
        products = int(min(MAX_SPECTRUM_PRODUCTS, max(MIN_SPECTRUM_PRODUCTS,
                                                      SPECTRUM_WORK // size)))
        k = min(msg.k, (products - 2) // 2)  # both ends stay distinct Ritz values
        spec = spectrum(HessianOperator(p.model, theta, p.x, p.y), k=k, max_iter=products)
        values = spec.values
        if not np.all(np.isfinite(values)):
            raise SpectrumError(f"run: the Hessian of run {msg.run} at step {step} is not "
                                "finite", "run")
        counts, edges = histogram(values, msg.bins)
    return {"type": "spectrum", "run": msg.run, "step": step, "status": status, "lr": lr,
            "n_params": spec.n_params, "complete": spec.complete, "converged": spec.converged,
            "k": None if spec.complete else k,
            "products": spec.products, "eigenvalues": values,
            "histogram": {"counts": counts, "edges": edges},
            "sharpness": float(values[-1]), "sharpness_threshold": 2.0 / lr if lr > 0 else None,
            "negative": int(np.sum(values < 0))}
