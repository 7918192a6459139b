"""A network run's sharpness readings against numpy.linalg.eigvalsh of the formed Hessian."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.curvature import adam_preconditioner
from app.core.datasets import make_dataset
from app.core.hessian import hessian
from app.core.mlp import MLP
from app.core.runs import NetworkRun, RunConfig, make_problem
from app.core.runs.sharpness import EMPTY, interval, preconditioned_threshold


def problem(seed: int = 0):
    data = make_dataset("moons", n=60, seed=seed)
    model = MLP.build([2, 6, 6, 2], "tanh")
    return make_problem(model, data.x, data.y, seed, plane=None)


def top_eig(p, theta: np.ndarray) -> float:
    return float(np.linalg.eigvalsh(hessian(p.model, theta, p.x, p.y))[-1])


def run_steps(p, config: RunConfig, steps: int, every: int | None):
    run = NetworkRun(p, config, sharpness_every=every)
    cols = run.columns()
    cols.append(run.head())
    run.advance(steps, cols)
    return run, cols


@pytest.mark.parametrize("batch_size", [None, 16])
def test_readings_every_k_steps_match_the_dense_hessian(batch_size: int | None) -> None:
    """Full batch (the step's own passes) and minibatch runs (the whole training set's Hessian,
    not the minibatch's) alike."""
    p = problem()
    lr = 0.3
    _, cols = run_steps(p, RunConfig("sgd", lr=lr, batch_size=batch_size), 25, 7)
    measured = [s for s, r in zip(cols.step, cols.sharpness, strict=True) if r is not None]
    assert measured == [0, 7, 14, 21]
    for theta, r in zip(cols.theta, cols.sharpness, strict=True):
        if r is None:
            continue
        assert r.sharpness == pytest.approx(top_eig(p, theta), rel=1e-4)
        assert r.threshold == pytest.approx(2 / lr)
        assert r.preconditioned is None and not r.adaptive


def test_off_by_default_and_reset_forgets_the_warm_start() -> None:
    p = problem()
    _, cols = run_steps(p, RunConfig("sgd", lr=0.3), 5, None)
    assert cols.sharpness == [None] * 6
    run, _ = run_steps(p, RunConfig("sgd", lr=0.3), 20, 5)
    assert run.probe is not None and run.probe.tracker.vector is not None
    run.reset()
    # the head of a reset run is at theta0 again: the problem's shared measurement, no product
    assert run.head().sharpness[0].sharpness == pytest.approx(top_eig(p, p.theta0), rel=1e-4)
    assert run.probe.tracker.n_products == 0
    np.testing.assert_array_equal(run.probe.tracker.vector, p.start_sharpness.eigs.vectors[-1])


def test_runs_of_one_problem_pay_the_cold_start_once() -> None:
    p = problem()
    first = NetworkRun(p, RunConfig("sgd", lr=0.3), sharpness_every=5)
    second = NetworkRun(p, RunConfig("adam", lr=0.01), sharpness_every=5)
    assert first.probe.tracker.n_products >= 5 and second.probe.tracker.n_products == 0
    assert first.head().sharpness[0].sharpness == second.head().sharpness[0].sharpness
    other = problem(seed=1)  # new weights: measured afresh
    third = NetworkRun(other, RunConfig("sgd", lr=0.3), sharpness_every=5)
    assert third.head().sharpness[0].sharpness == pytest.approx(top_eig(other, other.theta0),
                                                                rel=1e-4)
    # after the shared start each run goes on with its own warm start
    second.advance(5, None)
    assert second.probe.tracker.n_products > 0


@pytest.mark.parametrize(("optimizer", "hyper"), [
    ("adam", {}), ("amsgrad", {}), ("adam", {"weight_decay": 0.1}), ("adamw", {})])
def test_preconditioned_sharpness_of_the_adam_family(optimizer: str, hyper: dict) -> None:
    """lambda_max(P^-1 (H + wd I)) with P from the optimizer's own state, against eigvals of the
    dense matrix; 38/lr (AdamW: its decoupled decay's correction)."""
    p = problem()
    lr = 0.01
    run = NetworkRun(p, RunConfig(optimizer, lr=lr, hyperparameters=hyper), sharpness_every=4)
    cols = run.columns()
    run.advance(8, cols)  # the readings at steps 4 and 8; the last one is after the last step
    r = cols.sharpness[-1]
    assert r is not None and r.adaptive
    opt = run.optimizer
    snap = opt.state_snapshot()
    v = snap["v_max" if optimizer == "amsgrad" else "v"]
    pdiag = adam_preconditioner(v, opt.t, opt.beta1, opt.beta2, opt.eps)
    h = hessian(p.model, cols.theta[-1], p.x, p.y)
    wd = hyper.get("weight_decay", 0.0)
    d = 1 / np.sqrt(pdiag)
    s = d[:, None] * (h + wd * np.eye(len(h))) * d[None, :]
    assert r.preconditioned == pytest.approx(np.linalg.eigvalsh(s)[-1], rel=1e-4)
    assert r.sharpness == pytest.approx(np.linalg.eigvalsh(h)[-1], rel=1e-4)
    expected_line = 38 / lr if optimizer != "adamw" else 38 / lr * (1 - lr * opt.weight_decay / 2)
    assert r.preconditioned_threshold == pytest.approx(expected_line)
    assert preconditioned_threshold(opt, 0.0) is None


def test_the_head_of_an_adam_run_has_no_preconditioner_yet() -> None:
    run = NetworkRun(problem(), RunConfig("adam", lr=0.01), sharpness_every=1)
    head = run.head().sharpness[0]
    assert head is not None and head.adaptive and head.sharpness is not None
    assert head.preconditioned is None and head.preconditioned_threshold is None


def test_a_diverged_step_reports_nothing_and_the_threshold_of_lr_zero_is_none() -> None:
    data = make_dataset("sine", n=40)
    model = MLP.build([1, 8, 8, 1], "tanh", "mse")
    p = make_problem(model, data.x, data.y, 0, plane=None)
    run, cols = run_steps(p, RunConfig("sgd", lr=2.0), 50, 1)
    assert run.status == "diverged"
    assert cols.sharpness[-1] is EMPTY and cols.sharpness[-2].sharpness is not None
    run, cols = run_steps(p, RunConfig("sgd", lr=0.3, schedule="step",
                                       schedule_params={"step_size": 2, "gamma": 0.0}), 4, 1)
    assert cols.sharpness[0].threshold == pytest.approx(2 / 0.3)
    assert cols.sharpness[-1].threshold is None and cols.sharpness[-1].sharpness is not None


@pytest.mark.parametrize(("carried", "expected"), [(1, 10), (3, 12), (8, 16), (10, 10), (47, 47)])
def test_the_default_interval_is_a_multiple_of_the_weights_interval(carried, expected) -> None:
    assert interval(None, carried) == expected
    assert interval(5, carried) == 5


def test_a_full_batch_step_lends_its_passes_a_minibatch_step_does_not(monkeypatch) -> None:
    """One forward pass per full-batch step, measured or not: the probe reuses the step's."""
    p = problem()
    calls = []
    forward = MLP.forward

    def counting(self, theta, x, masks=None, y=None, work=None):
        calls.append(len(x))
        return forward(self, theta, x, masks, y, work)

    monkeypatch.setattr(MLP, "forward", counting)
    run = NetworkRun(p, RunConfig("sgd", lr=0.3), sharpness_every=1)
    run.advance(5, None)
    assert calls == [60] * 6  # the head and five steps, every one measured
    calls.clear()
    p = problem()  # a fresh problem: its initial weights not measured yet
    run = NetworkRun(p, RunConfig("sgd", lr=0.3, batch_size=20), sharpness_every=1)
    run.advance(2, None)
    # per step: the minibatch's, the whole set's loss, and the probe's own full-batch pass
    assert calls == [20, 60, 60] * 3
