"""POST /api/tune: every run of a surface run set or a network tuned, limits and 422s."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient

SURFACE = {"surface": "bowl", "steps": 30,
           "runs": [{"optimizer": "sgd", "lr": 0.01}, {"optimizer": "momentum"},
                    {"optimizer": "lbfgs", "line_search_fn": "strong_wolfe", "max_eval": 10}]}
NETWORK = {"kind": "network", "dataset": {"id": "moons", "n": 40, "seed": 0},
           "network": {"hidden": [4], "activation": "tanh"}, "steps": 40,
           "runs": [{"optimizer": "sgd"}, {"optimizer": "muon"}],
           "tune": {"points": 7, "refine": 1}}


def test_tune_all_surface_runs(client: TestClient) -> None:
    r = client.post("/api/tune", json=SURFACE)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["kind"] == "surface" and data["start"] == [-2.5, 2.0]
    sgd, momentum, lbfgs = data["runs"]
    assert [run["optimizer"] for run in data["runs"]] == ["sgd", "momentum", "lbfgs"]
    assert sgd["lr_given"] == 0.01 and sgd["lr"] == pytest.approx(1.0, rel=0.05)
    assert momentum["lr_given"] == 1e-3  # the optimizer's default
    for run in data["runs"]:
        curve = run["curve"]
        assert len(curve["lr"]) == len(curve["loss"]) == len(curve["status"])
        assert curve["lr"] == sorted(curve["lr"])
        best = curve["lr"].index(run["lr"])
        assert curve["loss"][best] == run["loss"]
        assert all(loss is None or loss >= run["loss"] for loss in curve["loss"])
        # diverged tries travel as null, never NaN or Infinity
        assert all((loss is None) == (s == "diverged")
                   for loss, s in zip(curve["loss"], curve["status"], strict=True))
    assert "diverged" in sgd["curve"]["status"] and sgd["diverged_above"] >= 2.0 - 0.2
    assert data["run_steps"] == sum(run["run_steps"] for run in data["runs"])
    assert data["seconds"] < 5


def test_tune_a_network(client: TestClient) -> None:
    r = client.post("/api/tune", json=NETWORK)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["kind"] == "network" and data["initial_loss"] > 0
    for run in data["runs"]:
        assert run["loss"] < data["initial_loss"]
        assert math.isfinite(run["lr"]) and len(run["curve"]["lr"]) <= 7 + 4
    # without `kind`, a dataset says network
    body = {k: v for k, v in NETWORK.items() if k != "kind"} | {"runs": [{"optimizer": "adam"}]}
    assert client.post("/api/tune", json=body).json()["kind"] == "network"


@pytest.mark.parametrize(("body", "field"), [
    (SURFACE | {"steps": 20_000}, "steps"),  # over the run-step budget
    (SURFACE | {"runs": [{"optimizer": "lbfgs"}], "steps": 2000}, "steps"),  # oracle cost
    (SURFACE | {"tune": {"lr_min": 1.0, "lr_max": 0.5}}, "tune.lr_min"),
    (SURFACE | {"tune": {"points": 1000}}, "tune.points"),
    (SURFACE | {"tune": {"lr_min": 1e-7}}, "tune.lr_min"),  # below every optimizer's range
    (SURFACE | {"runs": [{"optimizer": "muon"}]}, "runs.0.optimizer"),
    (SURFACE | {"runs": [{"optimizer": "sgd", "lr": -1}]}, "runs.0.lr"),
    (SURFACE | {"runs": [{"optimizer": "sgd"}] * 9}, "runs"),
    (SURFACE | {"surface": "nowhere"}, "surface"),
    (NETWORK | {"runs": [{"optimizer": "newton"}]}, "runs.0.optimizer"),
    (NETWORK | {"steps": 2000, "network": {"hidden": [64, 64]}}, "steps"),
    (NETWORK | {"grid": 5}, "grid"),  # a landscape field: not part of tuning
    (NETWORK | {"kind": "moon"}, "kind"),
])
def test_tune_refuses_naming_the_field(client: TestClient, body: dict, field: str) -> None:
    r = client.post("/api/tune", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"].removeprefix("body.").startswith(field), r.json()
