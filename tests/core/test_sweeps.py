"""Sweeps: one setting varied, trainings equal to a live run's, the double-descent preset's peak,
the process pool and cancelling."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

from app.core.lab_presets import DOUBLE_DESCENT
from app.core.sweeps import Sweep, TrainSpec, run_sweep, train_one, vary

SMALL = TrainSpec(dataset="moons", n=80, test_fraction=0.25, hidden=(4, 4), steps=30)


def test_vary_changes_one_setting() -> None:
    assert vary(SMALL, "width", 7).hidden == (7, 7)
    assert vary(SMALL, "steps", 12.0).steps == 12
    assert vary(SMALL, "label_noise", 0.1).label_noise == 0.1
    assert replace(vary(SMALL, "lr", 0.5), lr=SMALL.lr) == SMALL
    with pytest.raises(ValueError, match="setting"):
        vary(SMALL, "colour", 1)


def test_a_gd_training_is_the_live_run_engines() -> None:
    from app.core.datasets import make_dataset
    from app.core.mlp import MLP
    from app.core.runs import NetworkRun, RunConfig, make_problem
    from app.core.splits import split

    out = train_one(SMALL)
    data = make_dataset("moons", 80, None, 0)
    parts = split(data.x, data.y, 0.25, 0)
    model = MLP.build((2, 4, 4, 2), "relu", "cross_entropy")
    run = NetworkRun(make_problem(model, parts.x_train, parts.labels_train, 0, plane=None),
                     RunConfig("adam", lr=0.01))
    run.advance(30, None)
    theta = run.current_theta
    assert out.train_loss == pytest.approx(model.loss_value(
        theta, parts.x_train, model.targets(parts.labels_train)), rel=1e-12)
    pred = np.argmax(model.predict(theta, parts.x_test), axis=1)
    assert out.test_error == pytest.approx(np.mean(pred != parts.labels_test))
    assert out.n_train == 60 and out.n_params == model.n_params and out.status == "done"


def test_the_double_descent_preset_peaks_at_the_interpolation_threshold() -> None:
    n_train = DOUBLE_DESCENT.base.n_train
    assert n_train in DOUBLE_DESCENT.values
    # The preset's ends and its threshold (the whole preset: docs/teaching.md; a BLAS that
    # spreads tiny pinvs over busy cores makes every width cost more than it should).
    sweep = replace(DOUBLE_DESCENT, values=(min(DOUBLE_DESCENT.values), n_train,
                                            max(DOUBLE_DESCENT.values)))
    smallest, peak, largest = run_sweep(sweep, workers=1).rows
    # As many output weights per class as training points: the test error peaks there.
    assert peak.test_loss > 3 * smallest.test_loss and peak.test_loss > 3 * largest.test_loss
    assert peak.test_error > smallest.test_error and peak.test_error > largest.test_error
    # Far past the threshold the features interpolate the noisy training set; below, they
    # cannot.
    assert largest.train_error == 0.0 and smallest.train_error > 0.1


def test_a_pool_gives_the_same_results_and_reports_progress() -> None:
    sweep = Sweep(SMALL, "width", (2, 3, 4))
    seen: list[tuple[int, int]] = []
    pooled = run_sweep(sweep, workers=2, progress=lambda k, done, o: seen.append((k, done)))
    inline = run_sweep(sweep, workers=1)
    assert [o.train_loss for o in pooled.outcomes] == [o.train_loss for o in inline.outcomes]
    assert sorted(k for k, _ in seen) == [0, 1, 2] and [d for _, d in seen] == [1, 2, 3]
    assert not pooled.cancelled and all(r is not None for r in pooled.rows)


def test_the_pool_s_processes_are_kept_between_sweeps_and_ended_by_a_cancel() -> None:
    """Starting the workers costs ~0.3 s (bench/sweep.py): a second sweep finds them running; a
    cancelled sweep with nobody else on the pool ends them (they would hold the cores)."""
    from app.core.sweeps import _KEPT

    def pids() -> set[int]:
        pool = _KEPT._pool
        return set(getattr(pool, "_processes", {})) if pool is not None else set()

    sweep = Sweep(SMALL, "width", (2, 3, 4))
    run_sweep(sweep, workers=2)
    first = pids()
    run_sweep(sweep, workers=2)
    assert first and pids() == first
    cancel = threading.Event()
    result = run_sweep(Sweep(SMALL, "steps", tuple(range(200, 2200, 200))), workers=2,
                       cancel=cancel, progress=lambda k, done, o: cancel.set())
    assert result.cancelled and _KEPT._pool is None
    run_sweep(sweep, workers=2)
    assert pids() and not pids() & first  # new processes


def test_a_cancelled_sweep_stops_early() -> None:
    cancel = threading.Event()
    sweep = Sweep(SMALL, "steps", tuple(range(10, 60, 5)))
    result = run_sweep(sweep, workers=1, cancel=cancel,
                       progress=lambda k, done, o: cancel.set() if done == 2 else None)
    assert result.cancelled and sum(o is not None for o in result.outcomes) == 2
    assert result.rows[0] is not None and result.rows[-1] is None


def test_rows_are_medians_and_keep_an_exact_zero() -> None:
    from app.core.sweeps import Outcome, summarize

    sweep = Sweep(SMALL, "width", (2,), repeats=3)
    outs = [Outcome(loss, 0.5, 0.0, err, 10, 60, "done", 0.1, 0.1)
            for loss, err in ((0.0, 0.1), (0.0, 0.3), (1.0, 0.2))]
    row = summarize(sweep, outs, 0)
    assert row.train_loss == 0.0 and row.train_error == 0.0 and row.test_error == 0.2
    assert summarize(sweep, [*outs[:2], None], 0) is None
