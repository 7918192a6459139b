"""Training behind the landscape endpoint: the run engine's network runs, recorded."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.datasets import make_dataset
from app.core.landscape import MAX_PATH_POINTS, TrainResult
from app.core.landscape import train as train_all
from app.core.mlp import MLP
from app.core.runs import RunConfig


def train(model, theta0, x, y, steps, config, max_points=MAX_PATH_POINTS) -> TrainResult:
    (result,) = train_all(model, theta0, x, y, steps, [config], max_points)
    return result


@pytest.fixture(scope="module")
def moons():
    data = make_dataset("moons", 200, seed=0)
    model = MLP.build([2, 16, 16, 2], "tanh")
    return model, data.x, model.targets(data.y), model.init(np.random.default_rng(0))


def test_loss_decreases_on_moons_with_adam(moons) -> None:
    model, x, y, theta0 = moons
    r = train(model, theta0, x, y, 300, RunConfig("adam", lr=0.01))
    assert r.status == "done" and r.diverged_at is None
    assert r.losses[0] == pytest.approx(model.loss_value(theta0, x, y))
    assert r.losses[-1] < 0.1 < 0.5 < r.losses[0]
    accuracy = np.mean(model.predict(r.final, x).argmax(axis=1) == y.argmax(axis=1))
    assert accuracy > 0.95
    np.testing.assert_array_equal(r.thetas[0], theta0)


@pytest.mark.parametrize("batch_size", [None, 16])
def test_deterministic_for_a_seed(moons, batch_size: int | None) -> None:
    model, x, y, theta0 = moons
    config = RunConfig("sgd", lr=0.3, batch_size=batch_size, seed=7)
    a = train(model, theta0, x, y, 50, config)
    b = train(model, theta0, x, y, 50, config)
    np.testing.assert_array_equal(a.thetas, b.thetas)
    np.testing.assert_array_equal(a.losses, b.losses)


def test_minibatches_are_stochastic_and_seeded(moons) -> None:
    model, x, y, theta0 = moons
    full = train(model, theta0, x, y, 40, RunConfig("sgd", lr=0.3))
    seed1 = train(model, theta0, x, y, 40, RunConfig("sgd", lr=0.3, batch_size=16, seed=1))
    seed2 = train(model, theta0, x, y, 40, RunConfig("sgd", lr=0.3, batch_size=16, seed=2))
    assert not np.allclose(seed1.final, full.final)
    assert not np.allclose(seed1.final, seed2.final)
    # Full batch means one exact gradient step: theta1 = theta0 - lr grad.
    _, grad = model.loss_and_grad(theta0, x, y)
    np.testing.assert_allclose(full.thetas[1], theta0 - 0.3 * grad)


def test_an_epoch_visits_every_sample_once(moons) -> None:
    from app.core.runs.network import batches as make_batches

    batches = make_batches(10, 4, np.random.default_rng(0))
    epoch = np.concatenate([next(batches) for _ in range(3)])
    assert sorted(epoch.tolist()) == list(range(10))


def test_max_points_keeps_evenly_spaced_steps_and_the_last(moons) -> None:
    model, x, y, theta0 = moons
    r = train(model, theta0, x, y, 100, RunConfig("adam", lr=0.01, batch_size=32),
              max_points=11)
    assert r.steps.tolist() == list(range(0, 101, 10))
    assert r.thetas.shape == (11, model.n_params)
    # The recorded losses are full-batch losses, even with minibatches.
    assert r.losses[-1] == pytest.approx(model.loss_value(r.final, x, y))


def test_schedule_sets_the_learning_rate(moons) -> None:
    model, x, y, theta0 = moons
    config = RunConfig("sgd", lr=0.5, schedule="step", schedule_params={"step_size": 2,
                                                                          "gamma": 0.5})
    assert train(model, theta0, x, y, 5, config).lrs == [0.5, 0.5, 0.25, 0.25, 0.125]


def test_divergence_is_detected_not_propagated() -> None:
    data = make_dataset("sine", 100, seed=0)
    model = MLP.build([1, 16, 1], "tanh", "mse")
    theta0 = model.init(np.random.default_rng(0))
    r = train(model, theta0, data.x, model.targets(data.y), 200, RunConfig("sgd", lr=10.0))
    assert r.status == "diverged" and r.diverged_at is not None and r.diverged_at < 200
    assert np.all(np.isfinite(r.losses)) and np.all(np.isfinite(r.thetas))
    assert r.steps[-1] == r.diverged_at - 1  # the last usable point is kept


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                       "adadelta", "adam", "adamw", "nadam", "amsgrad"])
def test_every_optimizer_trains(moons, optimizer: str) -> None:
    model, x, y, theta0 = moons
    lr = {"sgd": 0.5, "adadelta": 1.0, "adagrad": 0.1}.get(optimizer, 0.01)
    r = train(model, theta0, x, y, 30, RunConfig(optimizer, lr=lr))
    assert r.status == "done" and r.losses[-1] < r.losses[0]
