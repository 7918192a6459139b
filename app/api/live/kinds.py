"""The two kinds of live run, and the one serializer from run events to wire messages.

A `LiveRuns` holds the core's `RunSet` and knows how its kind looks on the wire: what `started`
says, how a batch of steps and a run appear in a frame. Surface runs cost microseconds a step and
run on the event loop; network runs cost a fraction of a millisecond and run in a worker thread.

A batch of steps is kept as columns, one list per field. On the wire a run's steps are one
object per step, or, when the client's `start` asks for `columns` (the pages do), those columns
as they are: a few lists of numbers instead of hundreds of small objects, a network's weights
and gradients packed (`packed`; docs/protocol.md).
"""

from __future__ import annotations

import base64
import time
from typing import Any, ClassVar

import numpy as np

from app.api.jsonsafe import json_safe
from app.api.live.curvature import (
    PRECONDITIONED_COLUMNS,
    SHARPNESS_COLUMNS,
    has_preconditioned,
    sharpness_columns,
)
from app.api.live.pacing import Cadence
from app.api.routes.surfaces import describe
from app.api.schemas.runs import RunSpec
from app.api.schemas.ws import StartNetwork, StartSurface
from app.core.mlp import MLP
from app.core.neurons import unit_maps
from app.core.runs import (
    Added,
    Diverged,
    Event,
    Finished,
    NetColumns,
    NetworkRun,
    Problem,
    Removed,
    RunSet,
    StepColumns,
    Steps,
    SurfaceRun,
    Updated,
    make_problem,
)

BOUNDARY_INTERVAL = 0.1  # seconds between two decision boundaries of one run, at least
BOUNDARY_MARGIN = 0.15  # the boundary grid extends the data's range by this fraction
NEURONS_INTERVAL = 0.5  # seconds between two sets of unit maps of one run (they weigh more)
# Both also take at most a share of the time (pacing.Cadence): fewer on a busy machine.
SPARSE_COLUMNS = {"weights", "grads", *SHARPNESS_COLUMNS, *PRECONDITIONED_COLUMNS}


class LiveRuns:
    """The runs of one `start`, as the session streams them."""

    threaded: ClassVar[bool] = True  # batches may run in a worker thread (NumPy frees the GIL)
    seconds_per_step: ClassVar[float] = 5e-6  # first guess of one run-step's cost
    kind: ClassVar[str]

    def __init__(self, runset: RunSet, columns: bool, colors: list[str | None]) -> None:
        self.runset = runset
        self.columns = columns  # steps on the wire as columns (else one object per step)
        # display colours, UI only; by run, since ids shift when a run is removed
        self.colors = {id(run): c for run, c in zip(runset.runs, colors, strict=False)}

    @property
    def runs(self) -> list[Any]:
        return self.runset.runs

    def reset(self, new_weights: bool = False) -> None:
        self.runset.reset()

    def make_run(self, spec: RunSpec) -> Any:
        """A new run like the others (same start, same seed by default), not yet stepped;
        ValueError or HyperparameterError naming the field."""
        raise NotImplementedError

    def prepare_run(self, spec: RunSpec) -> tuple[Any, Any]:
        """A new run and its path to the others' step (call off the event loop: it may take a
        second); nothing shared changes."""
        run = self.make_run(spec)
        return run, self.runset.catch_up(run)

    def add_run(self, spec: RunSpec, run: Any, path: Any) -> int:
        """The prepared run joins at the next step boundary; returns its id."""
        self.colors[id(run)] = spec.color
        return self.runset.queue_add(run, path)

    def flush(self) -> list[dict[str, Any]]:
        """The queued changes applied now (nothing steps), as messages: each boundary's events
        serialized before the next is applied, while their run ids hold."""
        out: list[dict[str, Any]] = []
        while self.runset.pending:
            out.extend(self.messages(self.runset.flush()))
        return out

    # -- the wire ------------------------------------------------------------------------------
    def messages(self, events: list[Event]) -> list[dict[str, Any]]:
        """The one serializer: run events as protocol messages, in order (`updated` first, so a
        client knows the new values before it draws the steps that used them)."""
        out: list[dict[str, Any]] = []
        frames = []
        for e in events:
            if isinstance(e, Updated):
                out.append({"type": "updated", "runs": e.runs, "values": e.values,
                            "from_step": {str(i): s for i, s in e.from_step.items()}})
            elif isinstance(e, Added):
                # its run as `started` describes one, and its whole path so far
                out.append({"type": "added", "run": self.run_info(e.run),
                            "path": self.run_json(e.run, e.columns, final=True, latest=True)})
            elif isinstance(e, Removed):
                out.append({"type": "removed", "run": e.run})
            elif isinstance(e, Steps):
                runs = [self.run_json(i, cols, final=self.runs[i].status != "running",
                                      latest=self.columns)
                        for i, cols in enumerate(e.columns) if cols is not None]
                # t: when these steps were computed (epoch seconds), for measuring delivery lag
                frames.append({"type": "frame", "t": time.time(), "runs": runs})
        out.extend(frames)
        out.extend({"type": "diverged", "run": e.run, "step": e.step, "reason": e.reason}
                   for e in events if isinstance(e, Diverged))
        if any(isinstance(e, Finished) for e in events):
            out.append(self.done_json())
        return out

    def done_json(self) -> dict[str, Any]:
        return {"type": "done", "runs": [
            {"id": i, "status": r.status, "steps": r.step_count, "diverged_at": r.diverged_at}
            for i, r in enumerate(self.runs)]}

    def heads(self) -> list[dict[str, Any]]:
        """Every run at its current point (its start, after `start` or `reset`)."""
        return [self.run_json(i, run.head(), final=True) for i, run in enumerate(self.runs)]

    def steps_json(self, batch: Any, latest: bool = False) -> dict[str, list[Any]]:
        """The batch's steps as columns. latest: a network's weights and gradients at the last
        step of the batch that carries them only (see NetworkLive.steps_json)."""
        raise NotImplementedError

    def run_json(self, i: int, batch: Any, final: bool = False,
                 latest: bool = False) -> dict[str, Any]:
        run = self.runs[i]
        columns = self.steps_json(batch, latest)
        return {"id": i, "status": run.status, "lr": run.lr,
                "steps": columns if self.columns else rows(columns)}

    def run_info(self, i: int) -> dict[str, Any]:
        run = self.runs[i]
        opt = run.optimizer
        return {"id": i, "optimizer": run.config.optimizer, "lr": run.chosen_lr,
                "color": self.colors.get(id(run)),
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


def packed(a: Any) -> str:
    """A float64 array as base64 of its little-endian bytes, row by row: exact, about 11
    characters a number where JSON's shortest decimals take about 19, and nothing to parse. The
    weights are most of a network frame's bytes: as decimals, serializing and compressing them
    took about 30% of the event loop's time at full speed on the small net (bench/network.py),
    and the client's parsing grew with them."""
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f8").tobytes()).decode("ascii")


class SurfaceLive(LiveRuns):
    """Optimizers descending a 2D surface from one start point.

    A step costs microseconds of pure Python, which a worker thread would not run in parallel
    (the GIL) but would make wait for the GIL: batches are short and run on the event loop."""

    threaded = False
    kind = "surface"

    def __init__(self, runset: RunSet, columns: bool, colors: list[str | None],
                 surface: Any, start: Any) -> None:
        super().__init__(runset, columns, colors)
        self.surface, self.start = surface, start

    def make_run(self, spec: RunSpec) -> SurfaceRun:
        return SurfaceRun(self.surface, self.start, spec.to_config())

    @classmethod
    def from_message(cls, msg: StartSurface) -> tuple[SurfaceLive, dict[str, Any]]:
        surface, start = msg.resolved_surface, msg.resolved_start
        runset = RunSet([SurfaceRun(surface, start, spec.to_config()) for spec in msg.runs],
                        msg.steps)
        live = cls(runset, msg.columns, [spec.color for spec in msg.runs], surface, start)
        config = {"kind": "surface", "surface": describe(surface), "start": list(start),
                  "steps": msg.steps, "speed": msg.speed, "columns": msg.columns}
        return live, config

    def run_info(self, i: int) -> dict[str, Any]:
        return super().run_info(i) | {"noise": self.runs[i].config.noise}

    def steps_json(self, batch: StepColumns, latest: bool = False) -> dict[str, list[Any]]:
        """The columns as they are: tuples serialize as arrays, and orjson writes a non-finite
        float as null, which is how a diverged run's last point travels."""
        trials = {"trials": batch.trials} if batch.trials else {}  # oracle optimizers only
        return {"step": batch.step, "params": batch.params, "grad": batch.grad,
                "loss": batch.loss, "lr": batch.lr} | trials

    def run_json(self, i: int, batch: StepColumns, final: bool = False,
                 latest: bool = False) -> dict[str, Any]:
        run = self.runs[i]
        return super().run_json(i, batch, final, latest) | {
            "lambda_max": run.lambda_max(),
            "state": json_safe(run.optimizer.state_snapshot()),
        }


class NetworkLive(LiveRuns):
    """Optimizers training one network from shared initial weights."""

    seconds_per_step = 3e-4
    kind = "network"

    def __init__(self, runset: RunSet, msg: StartNetwork, problem: Problem) -> None:
        super().__init__(runset, msg.columns, [r.color for r in msg.runs])
        self.problem, self.message = problem, msg
        self.resets = 0
        self.weights_every = msg.resolved_weights_every(problem.model.n_params)
        self.sharpness_every = msg.resolved_sharpness_every(self.weights_every)
        self._boundaries: dict[int, Cadence] = {}
        x = problem.x if problem.test is None else np.vstack([problem.x, problem.test.x])
        regression = problem.model.loss_fn.task == "regression"
        # A decision boundary needs the plane (or the line, for regression): wider inputs
        # (modular addition's one-hot pairs) have none.
        self.has_boundary = x.shape[1] == 2 or (regression and x.shape[1] == 1)
        if not self.has_boundary:
            x = np.zeros((1, 2))
        lo, hi = x.min(axis=0), x.max(axis=0)
        pad = (hi - lo) * BOUNDARY_MARGIN + 1e-9
        self.boundary_x = np.linspace(lo[0] - pad[0], hi[0] + pad[0], msg.boundary)
        self.boundary_y = (np.zeros(0) if regression else
                           np.linspace(lo[1] - pad[1], hi[1] + pad[1], msg.boundary))
        # Unit maps: a coarser grid over the boundary's box (y None along a line).
        self._neuron_maps: dict[int, Cadence] = {}
        self.neuron_x = self.neuron_y = None
        if msg.neurons and self.has_boundary:
            self.neuron_x = np.linspace(self.boundary_x[0], self.boundary_x[-1], msg.neurons)
            if not regression:
                self.neuron_y = np.linspace(self.boundary_y[0], self.boundary_y[-1],
                                            msg.neurons)

    @classmethod
    def from_message(cls, msg: StartNetwork) -> tuple[NetworkLive, dict[str, Any]]:
        data = msg.split()
        model = MLP.build(msg.sizes, msg.network.activation, msg.loss)
        problem = cls._problem(msg, model, data.x_train, data.labels_train, msg.seed,
                               (data.x_test, data.labels_test))
        every = msg.resolved_sharpness_every(msg.resolved_weights_every(model.n_params))
        runset = RunSet([NetworkRun(problem, spec.to_config(msg.seed), sharpness_every=every)
                         for spec in msg.runs], msg.steps)
        live = cls(runset, msg, problem)
        config = {
            "kind": "network", "steps": msg.steps, "speed": msg.speed, "seed": msg.seed,
            "columns": msg.columns,
            "task": model.loss_fn.task, "sizes": list(model.sizes), "n_params": model.n_params,
            "activation": msg.network.activation, "loss": msg.loss,
            # Every point in its original order; `test` marks the held-out ones (drawn hollow),
            # `flipped` the training labels that label noise changed (labels are as trained).
            "data": {"x": msg.display(data.x), "labels": data.labels, "test": data.test,
                     "flipped": data.flipped},
            "test_fraction": msg.test_fraction, "label_noise": msg.label_noise,
            "regularization": {"l1": msg.network.l1, "l2": msg.network.l2,
                               "dropout": msg.network.dropout},
            "dataset": msg.dataset.model_dump(), "custom_points": msg.points is not None,
            "weights_every": live.weights_every, "sharpness_every": live.sharpness_every,
            "boundary": ({"x": live.boundary_x, "y": live.boundary_y} if live.has_boundary
                         else None),
            "plane": live.plane_json(),
            "neurons": (None if live.neuron_x is None else
                        {"x": live.neuron_x, "y": live.neuron_y}),
        }
        return live, json_safe(config)

    @staticmethod
    def _problem(msg: StartNetwork, model: MLP, x: Any, labels: Any, seed: int,
                 test: Any = None) -> Problem:
        weights = tuple(w.ref() for w in msg.weights) if msg.weights else None
        return make_problem(model, x, labels, seed, msg.network.init, msg.plane, weights,
                            test=test, penalty=msg.network.penalty,
                            dropout=msg.network.dropout)

    def make_run(self, spec: RunSpec) -> NetworkRun:
        return NetworkRun(self.problem, spec.to_config(self.message.seed),
                          sharpness_every=self.sharpness_every)

    def plane_json(self) -> dict[str, Any]:
        plane = self.problem.plane
        assert plane is not None
        return {"mode": plane.mode, "labels": list(plane.labels), "origin": list(plane.origin),
                "seed": self.message.seed + self.resets}

    def reset(self, new_weights: bool = False) -> None:
        with self.runset.lock:
            problem = None
            if new_weights:
                self.resets += 1
                p = self.problem
                test = None if p.test is None else (p.test.x, p.test.labels)
                problem = self._problem(self.message, p.model, p.x, p.labels,
                                        self.message.seed + self.resets, test)
                self.problem = problem
            self.runset.reset_runs(lambda run: run.reset(problem))
            for cadence in [*self._boundaries.values(), *self._neuron_maps.values()]:
                cadence.clear()

    def messages(self, events: list[Event]) -> list[dict[str, Any]]:
        if any(isinstance(e, Removed) for e in events):
            # by run id: the ids moved
            self._boundaries.clear()
            self._neuron_maps.clear()
        return super().messages(events)

    def steps_json(self, batch: NetColumns, latest: bool = False) -> dict[str, list[Any]]:
        """Columns of scalars and per-layer lists; `weights` and `grads` only when a step of the
        batch carries them (every `weights_every`-th), null at the steps that do not.

        latest: only the last of those steps keeps them (a sharpness step too). The
        page shows the newest weights only (network/run.js), so its frames (columns) and an added
        run's path carry no others: at full speed a frame of the small net holds ~30 such steps,
        most of its bytes and of the event loop's time per step; 3,000 steps of a 32-32-32 net's
        path were 7 MB."""
        cols: dict[str, list[Any]] = {
            "step": batch.step, "loss": batch.loss, "accuracy": batch.accuracy,
            "lr": batch.lr, "grad_norms": batch.grad_norms, "plane": batch.plane}
        cols.update(self.lab_columns(batch))
        every = self.weights_every
        # A step that carries its sharpness also carries its weights.
        carried = [s % every == 0 or r is not None for s, r in zip(batch.step, batch.sharpness,
                                                                   strict=True)]
        if latest and any(carried):
            last = len(carried) - 1 - carried[::-1].index(True)
            carried = [k == last for k in range(len(carried))]
        if any(carried):
            cols["weights"], cols["grads"] = [], []
            for keep, theta, grad in zip(carried, batch.theta, batch.grad, strict=True):
                cols["weights"].append(self.layers_json(theta) if keep else None)
                cols["grads"].append(self.layers_json(grad) if keep else None)
        cols.update(sharpness_columns(batch.sharpness))
        return cols

    def layers_json(self, theta: Any) -> list[dict[str, Any]]:
        """[{W (out, in), b}] per layer; as columns, each a `packed` string."""
        layers = self.problem.model.unflatten(theta)
        if self.columns and np.isfinite(theta).all():
            return [{"W": packed(W), "b": packed(b)} for W, b in layers]
        return [{"W": W, "b": b} for W, b in layers]  # orjson: NaN and infinities as null

    def run_json(self, i: int, batch: NetColumns, final: bool = False,
                 latest: bool = False) -> dict[str, Any]:
        out = super().run_json(i, batch, final, latest)
        if self.problem.test is not None:
            out["best_test"] = self.runs[i].best_test.json()
        if not self.has_boundary:
            return out
        run = self.runs[i]
        maps = self._neuron_maps.setdefault(i, Cadence(NEURONS_INTERVAL))
        if self.neuron_x is not None and (final or maps.due(time.perf_counter())):
            t0 = time.perf_counter()
            out["neurons"] = {"step": run.step_count, "layers": unit_maps(
                self.problem.model, run.current_theta, self.neuron_x, self.neuron_y)}
            maps.made(t0, time.perf_counter() - t0)
        boundaries = self._boundaries.setdefault(i, Cadence(BOUNDARY_INTERVAL))
        if final or boundaries.due(time.perf_counter()):
            t0 = time.perf_counter()
            out["boundary"] = {"step": run.step_count,
                               "z": run.predict_grid(self.boundary_x, self.boundary_y)}
            boundaries.made(t0, time.perf_counter() - t0)
        return out

    def run_info(self, i: int) -> dict[str, Any]:
        return super().run_info(i) | {"batch_size": self.runs[i].config.batch_size,
                                      "preconditioned_sharpness": has_preconditioned(self.runs[i])}

    def lab_columns(self, batch: NetColumns) -> dict[str, list[Any]]:
        """The generalisation lab's columns, only where they say something: test loss and
        accuracy with a test set, the penalty term with L1 or L2."""
        cols: dict[str, list[Any]] = {}
        if self.problem.test is not None:
            cols["test_loss"], cols["test_accuracy"] = batch.test_loss, batch.test_accuracy
            cols["weight_norm"] = batch.weight_norm
        if self.problem.penalty:
            cols["penalty"] = batch.penalty
        return cols

    def done_json(self) -> dict[str, Any]:
        """`done`, with each run's best test step (early stopping) when there is a test set."""
        done = super().done_json()
        if self.problem.test is not None:
            for info, run in zip(done["runs"], self.runs, strict=True):
                info["best_test"] = run.best_test.json()
        return done
