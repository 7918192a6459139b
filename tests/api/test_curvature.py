"""Curvature over the wire: sharpness columns in network frames, the spectrum on request, and
the landscape's sharpness; every frame parsed strictly (no NaN, no Infinity)."""

from __future__ import annotations

import numpy as np
import pytest

from app.api.schemas.mlp import LandscapeRequest
from app.core.datasets import make_dataset
from app.core.hessian import hessian
from app.core.mlp import MLP
from tests.api.wsutil import Reader

START = {"type": "start", "dataset": {"id": "moons", "n": 80, "seed": 1},
         "network": {"hidden": [6, 6], "activation": "tanh"}, "seed": 3, "steps": 30,
         "speed": 0, "columns": True,
         "runs": [{"optimizer": "sgd", "lr": 0.5}, {"optimizer": "adam", "lr": 0.02}]}


def oracle(theta_layers: list[dict]) -> tuple[MLP, np.ndarray, np.ndarray, np.ndarray]:
    """The network of START with the wire's weights, and its data."""
    data = make_dataset("moons", n=80, seed=1)
    model = MLP.build([2, 6, 6, 2], "tanh")
    theta = model.flatten([(np.array(layer["W"]), np.array(layer["b"]))
                           for layer in theta_layers])
    return model, theta, data.x, model.targets(data.y)


def top(layers: list[dict]) -> float:
    model, theta, x, y = oracle(layers)
    return float(np.linalg.eigvalsh(hessian(model, theta, x, y))[-1])


def test_sharpness_steps_carry_weights_and_match_the_hessian(conn: Reader) -> None:
    # one object per step: as columns (the page's) a frame keeps its latest weights only
    conn.send(START | {"sharpness_every": 7, "columns": False})
    started = conn.until("started")
    assert started["config"]["sharpness_every"] == 7
    assert [r["preconditioned_sharpness"] for r in started["runs"]] == [False, True]
    conn.until("done")
    for run, lr in ((0, 0.5), (1, 0.02)):
        steps = conn.steps(run)
        measured = [s for s in steps if "sharpness" in s]
        assert [s["step"] for s in measured] == [0, 7, 14, 21, 28]
        for s in measured:
            assert "weights" in s  # a step with its sharpness carries its weights
            assert s["sharpness"] == pytest.approx(top(s["weights"]), rel=1e-4)
            assert s["sharpness_threshold"] == pytest.approx(2 / lr)
        if run == 1:  # Adam: the preconditioned pair from step 1 on
            assert "preconditioned_sharpness" not in measured[0]
            assert all(s["preconditioned_sharpness"] > 0 for s in measured[1:])
            assert all(s["preconditioned_threshold"] == pytest.approx(38 / lr)
                       for s in measured[1:])
        else:
            assert all("preconditioned_sharpness" not in s for s in steps)


@pytest.mark.parametrize("off", [None, 0])
def test_null_or_zero_turns_it_off(conn: Reader, off) -> None:
    conn.send(START | {"sharpness_every": off})
    assert conn.until("started")["config"]["sharpness_every"] is None
    conn.until("done")
    frames = [m for m in conn.messages if m["type"] == "frame"]
    assert all("sharpness" not in r["steps"] for m in frames for r in m["runs"])


def test_the_default_measures_at_steps_that_carry_weights(conn: Reader) -> None:
    conn.send(START | {"columns": False})
    config = conn.until("started")["config"]
    every, weights_every = config["sharpness_every"], config["weights_every"]
    assert every >= 10 and every % weights_every == 0
    conn.until("done")
    steps = conn.steps(0)
    assert [s["step"] for s in steps if "sharpness" in s] == list(range(0, 31, every))
    assert [s["step"] for s in steps if "weights" in s] == list(range(0, 31, weights_every))


@pytest.mark.parametrize(("value", "words"), [(-1, "greater than or equal to 0"),
                                              (10_001, "less than or equal to 10000"),
                                              ("often", "valid integer")])
def test_a_bad_interval_is_refused_naming_the_field(conn: Reader, value, words) -> None:
    conn.send(START | {"sharpness_every": value})
    error = conn.next()
    assert error["type"] == "error" and error["field"] == "sharpness_every"
    assert words in error["message"]


def test_a_diverging_run_never_sends_nan(conn: Reader) -> None:
    """Sharpness measured every step up to the divergence: every frame parses strictly."""
    conn.send(START | {"dataset": {"id": "sine", "n": 40}, "network": {"hidden": [8, 8]},
                       "sharpness_every": 1, "steps": 60,
                       "runs": [{"optimizer": "sgd", "lr": 2.0}, {"optimizer": "adam",
                                                                  "lr": 5.0}]})
    done = conn.until("done")
    assert done["runs"][0]["status"] == "diverged"
    steps = conn.steps(0)
    assert "sharpness" not in steps[-1] and steps[-2]["sharpness"] > 1  # diverged: null


def test_spectrum_on_request(conn: Reader) -> None:
    conn.send(START | {"weights_every": 1, "sharpness_every": 5})
    conn.until("done")
    conn.send({"type": "spectrum", "run": 1, "bins": 12})
    spec = conn.until("spectrum")
    last = conn.steps(1)[-1]
    assert spec["run"] == 1 and spec["step"] == last["step"] == 30
    model, theta, x, y = oracle(last["weights"])
    exact = np.linalg.eigvalsh(hessian(model, theta, x, y))
    assert spec["complete"] and spec["n_params"] == model.n_params == len(spec["eigenvalues"])
    np.testing.assert_allclose(spec["eigenvalues"], exact, rtol=1e-8, atol=1e-10)
    counts, edges = spec["histogram"]["counts"], spec["histogram"]["edges"]
    assert sum(counts) == model.n_params and len(edges) == len(counts) + 1
    assert 0.0 in edges and len(counts) in (12, 13)
    assert spec["negative"] == int(np.sum(exact < 0))
    assert spec["sharpness_threshold"] == pytest.approx(2 / 0.02)


def test_spectrum_errors(conn: Reader, client) -> None:
    conn.send({"type": "spectrum", "run": 0})
    assert conn.next()["code"] == "no_run"
    conn.send(START | {"speed": 5, "steps": 1000})
    conn.until("started")
    conn.send({"type": "spectrum", "run": 2})
    error = conn.until("error")
    assert error["field"] == "run" and "runs are 0 to 1" in error["message"]
    conn.send({"type": "spectrum", "run": 0, "bins": 0})
    assert conn.until("error")["field"] == "bins"
    conn.send({"type": "spectrum", "run": 0})  # while running: the runs go on
    assert conn.until("spectrum")["run"] == 0
    conn.send({"type": "start", "surface": "bowl", "steps": 3, "speed": 0,
               "runs": [{"optimizer": "sgd", "lr": 0.1}]})
    conn.until("done")
    conn.send({"type": "spectrum", "run": 0})
    error = conn.next()
    assert error["type"] == "error" and error["code"] == "no_run"
    assert "network" in error["message"]


LANDSCAPE = {"dataset": {"id": "moons", "n": 80, "seed": 1}, "network": {"hidden": [6, 6]},
             "seed": 3, "steps": 40, "grid": 7,
             "runs": [{"optimizer": "sgd", "lr": 0.5}, {"optimizer": "adamw", "lr": 0.02}]}


def test_landscape_sharpness_at_kept_steps(client) -> None:
    body = client.post("/api/mlp/landscape", json=LANDSCAPE | {"sharpness_every": 15}).json()
    assert body["sharpness_every"] == 15
    for run in body["runs"]:
        measured = [s for s, v in zip(run["steps"], run["sharpness"], strict=True) if v]
        assert measured == [0, 15, 30]
        assert len(run["sharpness_threshold"]) == len(run["steps"])
    adamw = body["runs"][1]
    assert adamw["preconditioned_sharpness"][15] > 0
    assert adamw["preconditioned_threshold"][15] == pytest.approx(38 / 0.02 * (1 - 0.02 * 0.01 / 2))
    assert body["runs"][0]["preconditioned_sharpness"] is None
    off = client.post("/api/mlp/landscape", json=LANDSCAPE | {"sharpness_every": None}).json()
    assert off["sharpness_every"] is None and off["runs"][0]["sharpness"] is None
    # long runs keep every k-th step: the interval is rounded up to a multiple of k
    long = client.post("/api/mlp/landscape", json=LANDSCAPE | {"steps": 1500,
                                                               "sharpness_every": 4}).json()
    assert long["sharpness_every"] == 6
    assert long["runs"][0]["steps"][:3] == [0, 3, 6]


def test_landscape_refuses_measuring_beyond_its_budget(client) -> None:
    body = LANDSCAPE | {"dataset": {"id": "moons", "n": 2000}, "network": {"hidden": [32, 32]},
                        "steps": 1000, "runs": [{"optimizer": "adam", "lr": 0.01}] * 2,
                        "sharpness_every": 1}
    response = client.post("/api/mlp/landscape", json=body)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["field"] == "body.sharpness_every" and "multiply-adds" in error["msg"]
    # without measuring, the same training is within the budget (validated, not run: seconds)
    LandscapeRequest.model_validate(body | {"sharpness_every": None})


def test_spectrum_beyond_600_weights_gives_both_ends(conn: Reader) -> None:
    conn.send(START | {"network": {"hidden": [24, 24]}, "steps": 4, "weights_every": 1,
                       "runs": [{"optimizer": "sgd", "lr": 0.5}]})
    conn.until("done")
    conn.send({"type": "spectrum", "run": 0, "k": 5})
    spec = conn.until("spectrum")
    assert not spec["complete"] and spec["converged"] and spec["k"] == 5
    data = make_dataset("moons", n=80, seed=1)
    model = MLP.build([2, 24, 24, 2], "tanh")
    layers = conn.steps(0)[-1]["weights"]
    theta = model.flatten([(np.array(w["W"]), np.array(w["b"])) for w in layers])
    exact = np.linalg.eigvalsh(hessian(model, theta, data.x, model.targets(data.y)))
    assert spec["n_params"] == model.n_params > 600
    got = np.array(spec["eigenvalues"])
    np.testing.assert_allclose(got[:5], exact[:5], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(got[5:], exact[-5:], rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(("steps", "every"), [(40, 10), (1000, 10), (1500, 15), (5000, 50)])
def test_the_landscapes_default_measures_at_most_100_times_a_run(steps: int, every: int) -> None:
    request = LandscapeRequest.model_validate(LANDSCAPE | {"steps": steps})
    assert request.resolved_sharpness_every == every
