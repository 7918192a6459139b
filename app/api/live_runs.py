"""The runs of one live session, and how they turn into protocol messages.

Two kinds share one session loop: optimizers on a surface (`SurfaceRuns`) and networks learning
a dataset (`NetworkRuns`). Each knows how to start, how a batch of steps and a run look on the
wire, and what the `started` message says about its configuration.

A batch of steps is kept as columns, one list per field. On the wire a run's steps are one
object per step, or, when the client's `start` asks for `columns` (the pages do), those columns
as they are: `{"step": [...], "loss": [...], ...}`, a few lists of numbers instead of hundreds of
small objects, cheaper to build, compress and parse (docs/protocol.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from app.api.jsonsafe import json_safe
from app.api.routes.surfaces import describe
from app.api.schemas.ws import StartNetwork, StartSurface
from app.core.mlp import MLP
from app.core.network_runs import NetStep, NetworkRun, Problem, make_problem
from app.core.runs import Run, StepColumns

BOUNDARY_INTERVAL = 0.1  # seconds between two decision boundaries of one run
BOUNDARY_MARGIN = 0.15  # the boundary grid extends the data's range by this fraction


@dataclass
class RunSet:
    """The runs of one `start`, with what is waiting to be applied between two steps."""

    runs: list[Any]  # Run or NetworkRun: both step, set, reset and report status
    steps: int  # steps per run asked for
    threaded: ClassVar[bool] = True  # batches run in a worker thread (NumPy releases the GIL)
    changes: deque = field(default_factory=deque)  # (run ids, values), applied by the producer
    lock: threading.Lock = field(default_factory=threading.Lock)
    seconds_per_step: float = 5e-6  # running estimate of one run-step's cost
    columns: bool = False  # steps on the wire as columns (else one object per step)
    colors: list[str | None] = field(default_factory=list)  # display colours, UI only

    @property
    def active(self) -> list[int]:
        return [i for i, r in enumerate(self.runs) if r.status == "running" and
                r.step_count < self.steps]

    def advance(self, n: int) -> tuple[list[list[Any]], list[dict[str, Any]]]:
        """Up to n lockstep steps of every active run (often in a worker thread). Returns the
        steps per run and the events (applied changes, divergences) in the order they happened."""
        out: list[list[Any]] = [[] for _ in self.runs]
        events: list[dict[str, Any]] = []
        t0, taken = time.perf_counter(), 0
        with self.lock:
            for _ in range(n):
                while self.changes:
                    events.append(self.apply(*self.changes.popleft()))
                active = self.active
                if not active:
                    break
                for i in active:
                    run = self.runs[i]
                    out[i].append(run.step())
                    taken += 1
                    if run.status == "diverged":
                        events.append({"type": "diverged", "run": i, "step": run.diverged_at,
                                       "reason": run.reason})
            while self.changes:
                events.append(self.apply(*self.changes.popleft()))
        if taken:
            per_step = (time.perf_counter() - t0) / taken
            self.seconds_per_step = 0.8 * self.seconds_per_step + 0.2 * per_step
        return out, events

    def apply(self, ids: list[int], values: dict[str, float]) -> dict[str, Any]:
        for i in ids:
            for name, value in values.items():
                self.runs[i].set(name, value)
        return {"type": "updated", "runs": ids, "values": values,
                "from_step": {str(i): self.runs[i].step_count + 1 for i in ids}}

    def reset(self, new_weights: bool = False) -> None:
        with self.lock:
            self.changes.clear()
            for run in self.runs:
                run.reset()

    # What each kind says on the wire.
    def head(self, i: int) -> Any:
        """A batch holding only run i's current point (its start after `start` or `reset`)."""
        return [self.runs[i].current]

    def steps_json(self, batch: Any) -> dict[str, list[Any]]:
        """A batch of one run's steps as columns."""
        raise NotImplementedError

    def run_json(self, i: int, batch: Any, final: bool = False) -> dict[str, Any]:
        run = self.runs[i]
        columns = self.steps_json(batch)
        return {"id": i, "status": run.status, "lr": run.lr,
                "steps": columns if self.columns else rows(columns)}

    def run_info(self, i: int) -> dict[str, Any]:
        run = self.runs[i]
        opt = run.optimizer
        return {"id": i, "optimizer": run.config.optimizer, "lr": run.base_lr,
                "color": self.colors[i] if i < len(self.colors) else None,
                "hyperparameters": {k: getattr(opt, k) for k in opt.hyperparameters},
                "schedule": {"kind": run.config.schedule, **run.config.schedule_params},
                "seed": run.config.seed}


def rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Columns as one object per step; a null in `weights` or `grads` (the steps between two
    every-k-th ones) leaves the field out, as in the object of such a step."""
    names = list(columns)
    out = [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    for name in SPARSE_COLUMNS.intersection(names):
        for step in out:
            if step[name] is None:
                del step[name]
    return out


SPARSE_COLUMNS = {"weights", "grads"}


class SurfaceRuns(RunSet):
    """Optimizers descending a 2D surface from one start point.

    A step costs microseconds of pure Python, which a worker thread would not run in parallel
    (the GIL) but would make wait for the GIL: batches are short and run on the event loop."""

    threaded = False

    def advance(self, n: int) -> tuple[list[StepColumns], list[dict[str, Any]]]:
        """Up to n steps of every active run, run by run. Changes apply before the batch: a batch
        runs on the event loop, so no command can arrive in the middle of one."""
        out = [StepColumns() for _ in self.runs]
        events: list[dict[str, Any]] = []
        t0 = time.perf_counter()
        with self.lock:
            while self.changes:
                events.append(self.apply(*self.changes.popleft()))
            for i in self.active:
                run = self.runs[i]
                run.advance(min(n, self.steps - run.step_count), out[i])
                if run.status == "diverged":
                    events.append({"type": "diverged", "run": i, "step": run.diverged_at,
                                   "reason": run.reason})
        taken = sum(map(len, out))
        if taken:
            per_step = (time.perf_counter() - t0) / taken
            self.seconds_per_step = 0.8 * self.seconds_per_step + 0.2 * per_step
        return out, events

    def head(self, i: int) -> StepColumns:
        return StepColumns.of([self.runs[i].current])

    @classmethod
    def from_message(cls, msg: StartSurface) -> tuple[SurfaceRuns, dict[str, Any]]:
        surface, start = msg.resolved_surface, msg.resolved_start
        rs = cls(runs=[Run(surface, start, spec.to_config()) for spec in msg.runs],
                 steps=msg.steps, colors=[spec.color for spec in msg.runs], columns=msg.columns)
        config = {"kind": "surface", "surface": describe(surface), "start": list(start),
                  "steps": msg.steps, "speed": msg.speed, "columns": msg.columns}
        return rs, config

    def run_info(self, i: int) -> dict[str, Any]:
        return super().run_info(i) | {"noise": self.runs[i].config.noise}

    def steps_json(self, batch: StepColumns) -> dict[str, list[Any]]:
        """The columns as they are: tuples serialize as arrays, and orjson writes a non-finite
        float as null, which is how a diverged run's last point travels (tests parse every
        message strictly)."""
        return {"step": batch.step, "params": batch.params, "grad": batch.grad,
                "loss": batch.loss, "lr": batch.lr}

    def run_json(self, i: int, batch: StepColumns, final: bool = False) -> dict[str, Any]:
        run = self.runs[i]
        return super().run_json(i, batch) | {
            "lambda_max": run.lambda_max(),
            "state": json_safe(run.optimizer.state_snapshot()),
        }


class NetworkRuns(RunSet):
    """Optimizers training one network from shared initial weights."""

    problem: Problem
    message: StartNetwork
    weights_every: int = 1
    boundary_x: np.ndarray
    boundary_y: np.ndarray
    resets: int = 0
    _last_boundary: dict[int, float]

    @classmethod
    def from_message(cls, msg: StartNetwork) -> tuple[NetworkRuns, dict[str, Any]]:
        x, labels = msg.data()
        model = MLP.build(msg.sizes, msg.network.activation, msg.loss)
        problem = cls._problem(msg, model, x, labels, msg.seed)
        runs = [NetworkRun(problem, spec.to_config(msg.seed)) for spec in msg.runs]
        rs = cls(runs=runs, steps=msg.steps, seconds_per_step=3e-4, columns=msg.columns)
        rs.problem, rs.message = problem, msg
        rs.weights_every = msg.resolved_weights_every(model.n_params)
        rs._last_boundary = {}
        regression = model.loss_fn.task == "regression"
        lo, hi = x.min(axis=0), x.max(axis=0)
        pad = (hi - lo) * BOUNDARY_MARGIN + 1e-9
        rs.boundary_x = np.linspace(lo[0] - pad[0], hi[0] + pad[0], msg.boundary)
        rs.boundary_y = (np.zeros(0) if regression else
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], msg.boundary))
        config = {
            "kind": "network", "steps": msg.steps, "speed": msg.speed, "seed": msg.seed,
            "columns": msg.columns,
            "task": model.loss_fn.task, "sizes": list(model.sizes), "n_params": model.n_params,
            "activation": msg.network.activation, "loss": msg.loss,
            "data": {"x": x, "labels": labels},
            "dataset": msg.dataset.model_dump(), "custom_points": msg.points is not None,
            "weights_every": rs.weights_every,
            "boundary": {"x": rs.boundary_x, "y": rs.boundary_y},
            "plane": rs.plane_json(),
        }
        return rs, json_safe(config)

    @staticmethod
    def _problem(msg: StartNetwork, model: MLP, x, labels, seed: int) -> Problem:
        weights = tuple(w.ref() for w in msg.weights) if msg.weights else None
        return make_problem(model, x, labels, seed, msg.network.init, msg.plane, weights)

    def plane_json(self) -> dict[str, Any]:
        plane = self.problem.plane
        return {"mode": plane.mode, "labels": list(plane.labels), "origin": list(plane.origin),
                "seed": self.message.seed + self.resets}

    def reset(self, new_weights: bool = False) -> None:
        with self.lock:
            self.changes.clear()
            problem = None
            if new_weights:
                self.resets += 1
                p = self.problem
                problem = self._problem(self.message, p.model, p.x, p.labels,
                                        self.message.seed + self.resets)
                self.problem = problem
            for run in self.runs:
                run.reset(problem)
            self._last_boundary.clear()

    def steps_json(self, batch: list[NetStep]) -> dict[str, list[Any]]:
        """Columns of scalars and per-layer lists; `weights` and `grads` only when a step of the
        batch carries them (every `weights_every`-th), null at the steps that do not."""
        cols: dict[str, list[Any]] = {
            "step": [s.step for s in batch], "loss": [s.loss for s in batch],
            "accuracy": [s.accuracy for s in batch], "lr": [s.lr for s in batch],
            "grad_norms": [s.grad_norms for s in batch], "plane": [s.plane for s in batch]}
        if any(s.step % self.weights_every == 0 for s in batch):
            unflatten = self.problem.model.unflatten
            cols["weights"], cols["grads"] = [], []
            for s in batch:
                keep = s.step % self.weights_every == 0
                cols["weights"].append([{"W": W, "b": b} for W, b in unflatten(s.theta)]
                                       if keep else None)
                cols["grads"].append([{"W": W, "b": b} for W, b in unflatten(s.grad)]
                                     if keep else None)
        return cols

    def run_json(self, i: int, batch: list[NetStep], final: bool = False) -> dict[str, Any]:
        out = super().run_json(i, batch)
        now = time.monotonic()
        if final or now - self._last_boundary.get(i, -1e9) >= BOUNDARY_INTERVAL:
            self._last_boundary[i] = now
            out["boundary"] = {"step": self.runs[i].step_count,
                               "z": self.runs[i].predict_grid(self.boundary_x, self.boundary_y)}
        return out

    def run_info(self, i: int) -> dict[str, Any]:
        return super().run_info(i) | {"batch_size": self.runs[i].config.batch_size}
