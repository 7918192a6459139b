"""Live network runs: they equal the one-shot training, take live changes, report divergence."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace

import numpy as np
import pytest

from app.core.datasets import make_dataset
from app.core.landscape import train
from app.core.mlp import MLP
from app.core.runs import NetColumns, NetworkRun, RunConfig, make_problem


def row(cols: NetColumns, i: int = -1) -> SimpleNamespace:
    return SimpleNamespace(**{f.name: getattr(cols, f.name)[i] for f in fields(cols)})


def step(run: NetworkRun) -> SimpleNamespace:
    out = run.columns()
    run.advance(1, out)
    return row(out)


def current(run: NetworkRun) -> SimpleNamespace:
    return row(run.head())


def moons_problem(seed: int = 0, plane: str = "random"):
    data = make_dataset("moons", 120, None, 0)
    model = MLP.build((2, 8, 8, 2), "tanh", "cross_entropy")
    return make_problem(model, data.x, data.y, seed, plane=plane)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_a_live_run_equals_the_one_shot_training(batch_size) -> None:
    problem = moons_problem()
    config = RunConfig("adam", lr=0.02, batch_size=batch_size, seed=5)
    run = NetworkRun(problem, config)
    live = [current(run)] + [step(run) for _ in range(60)]
    (result,) = train(problem.model, problem.theta0, problem.x, problem.y, 60, [config])
    np.testing.assert_array_equal(live[-1].theta, result.thetas[-1])
    assert [s.loss for s in live] == pytest.approx(list(result.losses), rel=1e-12)


def test_runs_share_the_initial_weights_and_report_what_the_view_draws() -> None:
    problem = moons_problem()
    sgd, adam = NetworkRun(problem, RunConfig("sgd", lr=0.5)), NetworkRun(
        problem, RunConfig("adam", lr=0.02))
    np.testing.assert_array_equal(current(sgd).theta, current(adam).theta)
    for _ in range(200):
        s = step(adam)
    assert s.accuracy is not None and s.accuracy > 0.8
    assert s.loss < adam.problem.model.loss_value(problem.theta0, problem.x, problem.y)
    assert len(s.grad_norms) == 3 and all(g >= 0 for g in s.grad_norms)
    # The plane coordinates are the projection onto the problem's plane.
    expected = problem.plane.project(s.theta[None, :])[0]
    assert s.plane == pytest.approx(tuple(expected))
    assert current(sgd).plane == pytest.approx((0.0, 0.0), abs=1e-12)  # the plane's centre


def test_weights_plane_axes_are_weight_values() -> None:
    problem = moons_problem(plane="weights")
    run = NetworkRun(problem, RunConfig("sgd", lr=0.5))
    s = step(run)
    k1 = problem.model.param_index(1, 0, 0)
    k2 = problem.model.param_index(1, 0, 1)
    assert s.plane == pytest.approx((s.theta[k1], s.theta[k2]))


def test_live_lr_change_applies_from_the_next_step() -> None:
    problem = moons_problem()
    run = NetworkRun(problem, RunConfig("sgd", lr=0.1))
    before = step(run)
    run.set("lr", 0.3)
    after = step(run)
    assert before.lr == 0.1 and after.lr == 0.3
    np.testing.assert_allclose(after.theta, before.theta - 0.3 * before.grad, rtol=1e-14)


def test_divergence_is_reported() -> None:
    data = make_dataset("sine", 100, None, 0)
    model = MLP.build((1, 16, 1), "relu", "mse")
    problem = make_problem(model, data.x, data.y, 0)
    run = NetworkRun(problem, RunConfig("sgd", lr=10.0))
    for _ in range(200):
        step(run)
        if run.status != "running":
            break
    assert run.status == "diverged" and run.diverged_at is not None
    assert "learning rate" in (run.reason or "")


def test_reset_keeps_or_replaces_the_weights() -> None:
    problem = moons_problem()
    run = NetworkRun(problem, RunConfig("adam", lr=0.02))
    first = [step(run).theta for _ in range(5)]
    run.reset()
    np.testing.assert_array_equal([step(run).theta for _ in range(5)][-1], first[-1])
    run.reset(moons_problem(seed=1))
    assert not np.array_equal(current(run).theta, problem.theta0)


def test_predict_grid_shapes() -> None:
    run = NetworkRun(moons_problem(), RunConfig("adam"))
    z = run.predict_grid(np.linspace(-1, 2, 7), np.linspace(-1, 1, 5))
    assert z.shape == (5, 7) and np.all((z >= 0) & (z <= 1))


def test_test_loss_penalty_and_the_best_test_step() -> None:
    from app.core.regularization import Penalty
    from app.core.runs.holdout import evaluate

    data = make_dataset("moons", 80, 0.3, 0)
    model = MLP.build((2, 16, 2), "tanh", "cross_entropy")
    penalty = Penalty(l1=0.001, l2=0.01)
    problem = make_problem(model, data.x[:40], data.y[:40], 0,
                           test=(data.x[40:], data.y[40:]), penalty=penalty)
    run = NetworkRun(problem, RunConfig("adam", lr=0.05))
    out = run.columns()
    run.advance(150, out)
    t = problem.test
    for k in (0, 70, -1):
        loss, acc = evaluate(model, out.theta[k], t.x, t.y, t.labels)
        assert out.test_loss[k] == loss and out.test_accuracy[k] == acc
        # `loss` is the data loss, `penalty` its own term
        assert out.loss[k] == pytest.approx(model.loss_value(out.theta[k], problem.x, problem.y))
        assert out.penalty[k] == pytest.approx(penalty.value(model, out.theta[k]))
    best = run.best_test.json()
    k = int(np.argmin(out.test_loss))
    assert best == {"step": out.step[k], "loss": out.test_loss[k],
                    "accuracy": out.test_accuracy[k]}
    run.reset()
    assert run.best_test.json()["step"] == 0


def test_minibatch_runs_evaluate_the_test_set_at_the_loss_pace() -> None:
    data = make_dataset("moons", 60, None, 0)
    model = MLP.build((2, 4, 2), "tanh", "cross_entropy")
    problem = make_problem(model, data.x[:40], data.y[:40], 0, test=(data.x[40:], data.y[40:]))
    run = NetworkRun(problem, RunConfig("sgd", lr=0.1, batch_size=8), loss_every=5)
    out = run.columns()
    run.advance(12, out)
    shown = [s for s, v in zip(out.step, out.test_loss, strict=True) if v is not None]
    assert shown == [5, 10]


@pytest.mark.parametrize("batch_size", [None, 16])
def test_steps_lending_their_passes_to_the_probe_take_the_same_path(batch_size) -> None:
    """Steps measured for sharpness use the plain passes (the probe keeps them), the others the
    workspace's: the trajectory is the same bit for bit either way, and an idle run keeps no
    workspace."""
    problem = moons_problem()
    config = RunConfig("adam", lr=0.02, batch_size=batch_size, seed=5)
    plain = NetworkRun(problem, config)
    probed = NetworkRun(problem, config, sharpness_every=3)
    a, b = plain.columns(), probed.columns()
    plain.advance(12, a)
    for _ in range(4):
        probed.advance(3, b)
    assert plain._work is None and probed._work is None
    np.testing.assert_array_equal(np.array(a.theta), np.array(b.theta))
    assert a.loss == b.loss and a.grad_norms == b.grad_norms
