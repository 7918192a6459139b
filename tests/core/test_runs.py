"""Runs in lockstep: the recorded arrays, divergence, live changes, and the 2/lambda_max edge."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from app.core.optimizers import make_optimizer
from app.core.runs import RunConfig, RunSet, StepColumns, SurfaceRun, lambda_max_at, record
from app.core.surfaces import SURFACES, Surface, make_ravine


@dataclass
class Trajectory:
    status: str
    diverged_at: int | None
    reason: str | None
    params: list
    grads: list
    losses: list
    lrs: list
    lambda_max: list


def run_trajectories(surface: Surface, start, steps: int, configs) -> list[Trajectory]:
    """What POST /api/trajectories computes: the run set's runs, recorded to their end."""
    runset = RunSet([SurfaceRun(surface, start, c) for c in configs], steps)
    rec = record(runset)
    return [Trajectory(run.status, run.diverged_at, run.reason, cols.params, cols.grad,
                       cols.loss, lrs, [lambda_max_at(surface, x, y) for x, y in cols.params])
            for run, cols, lrs in zip(runset.runs, rec.kept, rec.lrs, strict=True)]


def step(run: SurfaceRun):
    run.advance(1, None)
    return run.current


def test_arrays_are_aligned_on_points() -> None:
    surface = SURFACES["rosenbrock"]
    (t,) = run_trajectories(surface, (-1.5, 2.0), 50, [RunConfig("adam", lr=0.01)])
    assert t.status == "done" and t.diverged_at is None
    assert len(t.params) == len(t.grads) == len(t.losses) == len(t.lambda_max) == 51
    assert len(t.lrs) == 50
    assert t.params[0] == (-1.5, 2.0)
    for (x, y), loss, grad in zip(t.params, t.losses, t.grads, strict=True):
        f, gx, gy = surface.value_and_grad(x, y)
        assert loss == pytest.approx(f, rel=1e-12)
        assert grad == pytest.approx((gx, gy), rel=1e-12)


def test_trajectory_equals_the_optimizer_driven_by_hand() -> None:
    surface = SURFACES["himmelblau"]
    (t,) = run_trajectories(surface, (0.5, -1.0), 30, [RunConfig("rmsprop", lr=0.05)])
    opt = make_optimizer("rmsprop", lr=0.05)
    p = (0.5, -1.0)
    for k in range(30):
        _, gx, gy = surface.value_and_grad(*p)
        p = tuple(opt.step(p, (gx, gy)))
        assert t.params[k + 1] == pytest.approx(p, rel=1e-15, abs=1e-15)


def test_runs_in_lockstep_are_independent() -> None:
    surface = SURFACES["rosenbrock"]
    configs = [RunConfig("sgd", lr=1e-3), RunConfig("adam", lr=0.05)]
    both = run_trajectories(surface, (-1.5, 2.0), 40, configs)
    for cfg, t in zip(configs, both, strict=True):
        (alone,) = run_trajectories(surface, (-1.5, 2.0), 40, [cfg])
        assert t.params == alone.params


@pytest.mark.parametrize("factor, status", [(0.95, "done"), (1.05, "diverged")])
def test_the_two_over_lambda_max_edge_on_a_quadratic(factor: float, status: str) -> None:
    """Plain GD on a quadratic converges for lr * lambda_max < 2 and diverges above."""
    surface = make_ravine(condition=10.0)
    start = surface.default_start
    edge = 2.0 / surface.lambda_max(*start)
    (t,) = run_trajectories(surface, start, 2_000, [RunConfig("sgd", lr=factor * edge)])
    assert t.status == status
    if status == "done":
        assert t.losses[-1] < 1e-6 * t.losses[0]
    else:
        assert t.diverged_at is not None and 1 <= t.diverged_at <= 2_000
        assert len(t.params) == t.diverged_at + 1
        assert "learning rate" in (t.reason or "")


def test_a_diverging_run_stops_and_the_others_go_on() -> None:
    surface = SURFACES["bowl"]
    configs = [RunConfig("sgd", lr=9.0), RunConfig("sgd", lr=0.1)]
    bad, good = run_trajectories(surface, surface.default_start, 300, configs)
    assert bad.status == "diverged" and bad.diverged_at is not None and bad.diverged_at < 300
    assert good.status == "done" and len(good.params) == 301


def test_live_lr_change_applies_from_the_next_step() -> None:
    surface = SURFACES["bowl"]
    run = SurfaceRun(surface, (2.0, 1.0), RunConfig("sgd", lr=0.01))
    first = [step(run) for _ in range(5)]
    run.set("lr", 0.2)
    after = step(run)
    assert [s.lr for s in first] == [0.01] * 5
    assert after.lr == 0.2
    x, y = first[-1].params
    _, gx, gy = surface.value_and_grad(x, y)
    assert after.params == pytest.approx((x - 0.2 * gx, y - 0.2 * gy), rel=1e-15)


def test_schedule_sets_the_lr_in_effect() -> None:
    cfg = RunConfig("sgd", lr=0.1, schedule="step", schedule_params={"step_size": 10, "gamma": 0.5})
    (t,) = run_trajectories(SURFACES["bowl"], (1.0, 1.0), 30, [cfg])
    assert t.lrs[:10] == [0.1] * 10
    assert t.lrs[10:20] == pytest.approx([0.05] * 10)
    assert t.lrs[20:] == pytest.approx([0.025] * 10)


def test_gradient_noise_is_seeded_and_changes_the_path() -> None:
    surface = SURFACES["bowl"]
    noisy = [RunConfig("sgd", lr=0.05, noise=0.5, seed=s) for s in (1, 1, 2)]
    a, b, c = run_trajectories(surface, (2.0, 2.0), 100, noisy)
    (clean,) = run_trajectories(surface, (2.0, 2.0), 100, [RunConfig("sgd", lr=0.05)])
    assert a.params == b.params
    assert a.params != c.params
    assert a.params != clean.params
    # The recorded gradient is the noisy one actually used.
    x, y = a.params[3]
    assert a.grads[3] != pytest.approx(surface.value_and_grad(x, y)[1:])


def test_reset_replays_the_same_path() -> None:
    run = SurfaceRun(SURFACES["beale"], (1.0, 1.5),
                     RunConfig("adam", lr=0.01, noise=0.1, seed=3))
    first = [step(run).params for _ in range(20)]
    run.reset()
    assert [step(run).params for _ in range(20)] == first


@pytest.mark.parametrize("surface_id", list(SURFACES))
def test_lambda_max_closed_form_matches_eigvalsh(surface_id: str) -> None:
    surface = SURFACES[surface_id]
    (x0, x1), (y0, y1) = surface.bounds
    rng = np.random.default_rng(0)
    for x, y in zip(rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50), strict=True):
        expected = np.linalg.eigvalsh(surface.hessian(x, y))[-1]
        assert surface.lambda_max(x, y) == pytest.approx(expected, rel=1e-10, abs=1e-10)


def test_non_finite_values_mean_diverged_not_a_crash() -> None:
    surface = SURFACES["rosenbrock"]
    (t,) = run_trajectories(surface, (-1.5, 2.0), 200, [RunConfig("sgd", lr=1.0)])
    assert t.status == "diverged"
    assert not all(math.isfinite(v) for v in t.params[-1] + (t.losses[-1],)) or t.reason


def test_a_schedule_may_decay_below_the_user_facing_lr_minimum() -> None:
    cfg = RunConfig("sgd", lr=1e-5, schedule="step", schedule_params={"step_size": 1,
                                                                       "gamma": 0.1})
    (t,) = run_trajectories(SURFACES["bowl"], (1.0, 1.0), 10, [cfg])
    assert t.status == "done" and t.lrs[-1] == pytest.approx(1e-14)


@pytest.mark.parametrize("config", [
    RunConfig("adam", lr=0.05, noise=0.3, seed=4),
    RunConfig("nadam", lr=0.01, schedule="step", schedule_params={"step_size": 7, "gamma": 0.5}),
])
def test_advance_in_batches_equals_stepping_one_by_one(config: RunConfig) -> None:
    """The live stream takes batches of steps as columns: cut anywhere, the path is the same."""
    surface = SURFACES["rosenbrock"]
    one = SurfaceRun(surface, (-1.5, 2.0), config)
    rows = [step(one) for _ in range(120)]
    batched = SurfaceRun(surface, (-1.5, 2.0), config)
    cols = StepColumns()
    assert [batched.advance(n, cols) for n in (1, 7, 0, 100, 12)] == [1, 7, 0, 100, 12]
    assert cols == StepColumns.of(rows)
    assert batched.current == one.current and batched.step_count == 120


def test_advance_stops_at_divergence_mid_batch() -> None:
    run = SurfaceRun(SURFACES["bowl"], (-1.2, 0.9), RunConfig("sgd", lr=2.1))
    cols = StepColumns()
    taken = run.advance(500, cols)
    assert run.status == "diverged" and taken == run.diverged_at == len(cols) < 500
    assert cols.step == list(range(1, taken + 1))
    assert run.advance(10, cols) == 0 and len(cols) == taken


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "lbfgs"])
def test_a_start_where_the_formula_is_undefined_says_so_not_the_learning_rate(optimizer) -> None:
    """log(x) at x < 0 has no value: the run stops at once, and the reason names the formula
    and the point, not a learning rate that had nothing to do with it."""
    from app.core.expression import make_expression_surface

    surface = make_expression_surface("log(x) + y**2")
    [t] = run_trajectories(surface, (-1.0, 0.5), 10, [RunConfig(optimizer, lr=0.01)])
    assert t.status == "diverged" and t.diverged_at == 1
    assert "undefined at the start point (-1, 0.5)" in (t.reason or ""), t.reason
    assert "learning rate" not in (t.reason or "")
    # Stepping into the undefined half from a defined point says where it got to.
    [u] = run_trajectories(surface, (0.05, 0.5), 10, [RunConfig("sgd", lr=1.0)])
    assert u.status == "diverged" and "undefined at (" in (u.reason or ""), u.reason
