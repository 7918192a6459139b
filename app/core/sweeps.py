"""Sweeps: a family of trainings that differ in one setting, each trained to its end, and the final
train and test error against that setting (double descent is one such curve).

Every training is a `TrainSpec`: a frozen, picklable description from which a worker process
rebuilds everything (data, split, network, weights), so a sweep is reproducible by its seeds and
runs in a process pool sized to the machine. Two ways to fit:

- "gd": the run engine trains every layer (the optimizer, steps, penalties and dropout of a live
  network run: `NetworkRun`, to its last step).
- "min_norm": random features. The hidden layers keep their seeded initial weights (biases drawn
  from N(0, 1), so that the units' kinks spread over the data) and the output
  layer is fitted by least squares with the smallest norm (pinv), on one-hot targets for classes:
  the point gradient descent on the output layer converges to from zero weights. It costs
  milliseconds and shows double descent cleanly (Belkin et al. 2019; Nakkiran et al. 2019): the
  test error peaks where the output layer has as many weights per output as there are training
  points (the interpolation threshold) and falls again beyond.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from app.core.datasets import make_dataset
from app.core.memory import keep_freed_memory
from app.core.mlp import MLP
from app.core.regularization import Penalty
from app.core.runs import NetworkRun, RunConfig, make_problem
from app.core.splits import split

Array = NDArray[np.float64]

# What a sweep may vary, and what each value means.
SETTINGS: dict[str, str] = {
    "width": "hidden units per layer (every hidden layer)",
    "steps": "training steps (gd only)",
    "lr": "learning rate (gd only)",
    "label_noise": "fraction of training labels flipped",
    "n_train": "training points used (the first n of the training split)",
}
FITS = ("gd", "min_norm")
# Worker processes read these before NumPy loads: one BLAS thread each, or the pool's processes
# fight over the cores (a 2-core machine ran 20x slower with BLAS threads per process).
_SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class TrainSpec:
    """One training, every choice explicit (a worker process gets only this)."""

    dataset: str = "moons"
    n: int = 200  # points before the split (modular addition: ignored)
    noise: float | None = None  # input noise; None: the dataset's default
    n_classes: int | None = None
    data_seed: int = 0  # the data, the split and the label flips
    test_fraction: float = 0.5
    label_noise: float = 0.0
    n_train: int | None = None  # train on the first n_train training points; None: all
    hidden: tuple[int, ...] = (16,)
    activation: str = "relu"
    fit: str = "gd"  # "gd" or "min_norm" (module docstring)
    optimizer: str = "adam"
    lr: float | None = 0.01
    hyperparameters: tuple[tuple[str, float], ...] = ()  # the optimizer's, as (name, value)
    steps: int = 500
    batch_size: int | None = None
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    seed: int = 0  # initial weights (the random features), minibatches, dropout masks


@dataclass(frozen=True)
class Outcome:
    """One training's end: losses (the network's loss; MSE on one-hot targets for min_norm) and
    errors (misclassified fraction; for regression the MSE)."""

    train_loss: float
    test_loss: float | None  # None without test points
    train_error: float
    test_error: float | None
    n_params: int
    n_train: int
    status: str  # "done" or "diverged"
    seconds: float  # wall time of the training
    cpu_seconds: float  # CPU time of its process meanwhile (below `seconds`: cores were busy)


def vary(base: TrainSpec, setting: str, value: float) -> TrainSpec:
    """`base` with one setting changed."""
    if setting == "width":
        return replace(base, hidden=(int(value),) * max(1, len(base.hidden)))
    if setting in ("steps", "n_train"):
        return replace(base, **{setting: int(value)})
    if setting in ("lr", "label_noise"):
        return replace(base, **{setting: float(value)})
    raise ValueError(f"setting: choose one of {', '.join(SETTINGS)}, not {setting!r}")


def _data(spec: TrainSpec) -> tuple[Array, NDArray, Array, NDArray, int | None]:
    """(x_train, labels_train, x_test, labels_test, n_classes) as the spec asks."""
    data = make_dataset(spec.dataset, spec.n, spec.noise, spec.data_seed, spec.n_classes)
    parts = split(data.x, data.y, spec.test_fraction, spec.data_seed, spec.label_noise,
                  data.n_classes)
    x, labels = parts.x_train, parts.labels_train
    if spec.n_train is not None:
        x, labels = x[:spec.n_train], labels[:spec.n_train]
    return x, labels, parts.x_test, parts.labels_test, data.n_classes


def _errors(model: MLP, out: Array, labels: NDArray, targets: Array,
            mse: bool) -> tuple[float, float]:
    """(loss, error) of outputs `out` (N, K): logits for the network's own loss, or plain
    least-squares outputs (mse)."""
    if mse:
        loss = float(np.mean((out - targets) ** 2))
    else:
        loss = float(model.loss_fn.value(out, targets))
    if model.loss_fn.task == "classification":
        return loss, float(np.mean(np.argmax(out, axis=1) != labels))
    return loss, float(np.mean((out - targets) ** 2))


def train_one(spec: TrainSpec) -> Outcome:
    """Train one network as `spec` says and measure it on its training and test points."""
    t0, c0 = time.perf_counter(), time.process_time()
    x, labels, x_test, labels_test, k = _data(spec)
    loss = "cross_entropy" if k else "mse"
    model = MLP.build((x.shape[1], *spec.hidden, k or 1), spec.activation, loss)
    targets = model.targets(labels)
    status = "done"
    with np.errstate(all="ignore"):
        if spec.fit == "min_norm":
            rng = np.random.default_rng(spec.seed)
            theta = model.init(rng)
            for _, b in model.unflatten(theta)[:-1]:  # random biases: kinks all over the data
                b[:] = rng.normal(0.0, 1.0, b.shape)  # (zero biases: every ReLU through 0)
            features = model.forward(theta, x).acts[-2]  # (N, width): the last hidden layer
            coef = np.linalg.pinv(features) @ targets  # (width, K): min-norm least squares
            params = model.unflatten(theta)
            params[-1][0][:] = coef.T
            params[-1][1][:] = 0.0
        elif spec.fit == "gd":
            problem = make_problem(model, x, labels, spec.seed, plane=None,
                                   penalty=Penalty(spec.l1, spec.l2), dropout=spec.dropout)
            config = RunConfig(spec.optimizer, lr=spec.lr,
                               hyperparameters=dict(spec.hyperparameters),
                               batch_size=spec.batch_size, seed=spec.seed)
            run = NetworkRun(problem, config, loss_every=max(1, spec.steps))
            run.advance(spec.steps, None)
            theta, status = run.current_theta, run.status
            status = "diverged" if status == "diverged" else "done"
        else:
            raise ValueError(f"fit: choose one of {', '.join(FITS)}")
        mse = spec.fit == "min_norm"
        out = model.forward(theta, x).zs[-1]
        train_loss, train_error = _errors(model, out, labels, targets, mse)
        test_loss = test_error = None
        if len(labels_test):
            out_t = model.forward(theta, x_test).zs[-1]
            test_loss, test_error = _errors(model, out_t, labels_test,
                                            model.targets(labels_test), mse)
    return Outcome(train_loss, test_loss, train_error, test_error, model.n_params, len(labels),
                   status, time.perf_counter() - t0, time.process_time() - c0)


@dataclass(frozen=True)
class Sweep:
    """`base` trained once per value of `setting` (and `repeats` times per value, with seeds
    seed, seed + 1, ...: the median is reported, which steadies min_norm's spiky peak)."""

    base: TrainSpec
    setting: str
    values: tuple[float, ...]
    repeats: int = 1

    def specs(self) -> list[TrainSpec]:
        """Value-major: specs[i * repeats + r] is value i, repeat r."""
        return [replace(vary(self.base, self.setting, v), seed=self.base.seed + r)
                for v in self.values for r in range(self.repeats)]


@dataclass
class Row:
    """One value's median outcome over its repeats."""

    value: float
    train_loss: float
    test_loss: float | None
    train_error: float
    test_error: float | None
    n_params: int
    n_train: int
    diverged: int  # repeats that diverged


@dataclass
class SweepResult:
    setting: str
    rows: list[Row | None]  # per value; None: not finished (cancelled)
    cancelled: bool
    seconds: float
    outcomes: list[Outcome | None] = field(default_factory=list)  # per spec, as `specs()`


def _median(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.median(kept)) if kept else None


def summarize(sweep: Sweep, outcomes: list[Outcome | None], i: int) -> Row | None:
    """Value i's row, once all its repeats are in."""
    mine = outcomes[i * sweep.repeats:(i + 1) * sweep.repeats]
    if any(o is None for o in mine):
        return None
    done = [o for o in mine if o is not None]
    train_loss, train_error = (_median([getattr(o, name) for o in done])
                               for name in ("train_loss", "train_error"))
    return Row(sweep.values[i], float("nan") if train_loss is None else train_loss,
               _median([o.test_loss for o in done]),
               float("nan") if train_error is None else train_error,
               _median([o.test_error for o in done]), done[0].n_params, done[0].n_train,
               sum(o.status == "diverged" for o in done))


@contextlib.contextmanager
def _single_threaded_children() -> Iterator[None]:
    """Set the BLAS thread variables while worker processes start (they inherit them), then put
    the parent's environment back."""
    saved = {k: os.environ.get(k) for k in _SINGLE_THREAD}
    os.environ.update(_SINGLE_THREAD)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _KeptPool:
    """The sweeps' worker processes, started once and kept between sweeps: spawning interpreters
    that import NumPy and the app costs ~0.3 s, a quarter of a one-second sweep. spawn, not fork:
    fresh interpreters read the BLAS thread variables before NumPy loads (and a server's threads
    do not survive a fork). A cancelled sweep ends the processes (its trainings under way would
    hold the cores for seconds), unless another sweep is using them: then only its pending
    trainings are dropped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: cf.ProcessPoolExecutor | None = None
        self._workers = 0
        self._users = 0

    def acquire(self, workers: int) -> cf.ProcessPoolExecutor:
        with self._lock:
            broken = self._pool is not None and getattr(self._pool, "_broken", False)
            if self._pool is None or broken or (self._workers != workers and not self._users):
                if self._pool is not None:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                # Each worker keeps freed memory as the server does (app/core/memory.py).
                self._pool = cf.ProcessPoolExecutor(
                    workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=keep_freed_memory)
                self._workers = workers
            self._users += 1
            return self._pool

    def release(self, pool: cf.ProcessPoolExecutor, stop: bool) -> None:
        with self._lock:
            self._users -= 1
            if not stop or self._users or pool is not self._pool:
                return
            # (Python 3.14's terminate_workers(); before it, the pool's own table)
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


    def close(self) -> None:
        """At exit: end the workers while the interpreter still works (an executor left to the
        garbage collector at shutdown prints an ignored exception)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


_KEPT = _KeptPool()
atexit.register(_KEPT.close)

Progress = Callable[[int, int, Outcome], None]  # (spec index, done so far, its outcome)


def run_sweep(sweep: Sweep, workers: int | None = None, cancel: threading.Event | None = None,
              progress: Progress | None = None) -> SweepResult:
    """Every training of the sweep, in a pool of `workers` processes (default: one per core;
    1 runs them here, one after another; the processes are kept for the next sweep). `cancel`
    set: pending trainings are dropped and the running ones stopped (their worker processes
    ended, when no other sweep uses them); the result says `cancelled`."""
    t0 = time.perf_counter()
    specs = sweep.specs()
    outcomes: list[Outcome | None] = [None] * len(specs)
    workers = max(1, min(workers or os.cpu_count() or 1, len(specs)))
    cancelled = False
    if workers == 1:
        for k, spec in enumerate(specs):
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            outcomes[k] = train_one(spec)
            if progress is not None:
                progress(k, k + 1, outcomes[k])
    else:
        pool = _KEPT.acquire(workers)
        futures: dict[cf.Future[Outcome], int] = {}
        try:
            with _single_threaded_children():  # workers start on demand, at a submit
                futures = {pool.submit(train_one, s): k for k, s in enumerate(specs)}
            pending, done_count = set(futures), 0
            while pending:
                finished, pending = cf.wait(pending, timeout=0.1,
                                            return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    k = futures[fut]
                    outcomes[k] = fut.result()
                    done_count += 1
                    if progress is not None:
                        progress(k, done_count, outcomes[k])
                if cancel is not None and cancel.is_set() and pending:
                    cancelled = True
                    break
        finally:
            for fut in futures:
                fut.cancel()  # the ones not started (the pool is kept: they must not run)
            _KEPT.release(pool, stop=cancelled)
    rows = [summarize(sweep, outcomes, i) for i in range(len(sweep.values))]
    return SweepResult(sweep.setting, rows, cancelled, time.perf_counter() - t0, outcomes)
