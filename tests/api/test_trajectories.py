"""POST /api/trajectories and the surface and optimizer listings."""

from __future__ import annotations

import json

import pytest

from app.core.optimizers import OPTIMIZERS
from app.core.surfaces import SURFACES


def strict_json(text: str):
    """Parse as a browser would: NaN and Infinity are not JSON."""

    def refuse(token: str):
        raise ValueError(f"non-standard JSON constant {token}")

    return json.loads(text, parse_constant=refuse)


def test_list_surfaces(client) -> None:
    data = strict_json(client.get("/api/surfaces").text)
    assert [s["id"] for s in data] == list(SURFACES)
    for s in data:
        assert {"id", "name", "description", "formula_latex", "bounds", "minima",
                "default_start"} <= set(s)


def test_grid_orientation(client) -> None:
    data = strict_json(client.get("/api/surfaces/rosenbrock/grid?n=11").text)
    assert len(data["x"]) == len(data["y"]) == 11
    surface = SURFACES["rosenbrock"]
    i, j = 3, 7
    assert data["z"][i][j] == pytest.approx(
        float(surface.value(data["x"][j], data["y"][i])), rel=1e-12
    )


def test_custom_grid_and_its_error(client) -> None:
    ok = client.get("/api/surfaces/custom/grid", params={"n": 5, "expr": "x**2 + 10*sin(y)"})
    assert ok.status_code == 200
    bad = client.get("/api/surfaces/custom/grid", params={"n": 5, "expr": "x + foo(y)"})
    assert bad.status_code == 422
    body = bad.json()
    assert body["detail"][0]["field"] == "query.expr"
    assert "foo" in body["message"]


def test_custom_grid_with_poles_has_no_nan(client) -> None:
    r = client.get("/api/surfaces/custom/grid", params={"n": 9, "expr": "1/x + log(y)"})
    assert r.status_code == 200
    strict_json(r.text)  # infinities and NaN became null


@pytest.mark.parametrize("n", [1, 100_000])
def test_grid_size_limits(client, n: int) -> None:
    r = client.get(f"/api/surfaces/bowl/grid?n={n}")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "n"


def test_unknown_surface_grid(client) -> None:
    r = client.get("/api/surfaces/nope/grid")
    assert r.status_code == 422
    assert "unknown surface" in r.json()["message"]


def test_list_optimizers(client) -> None:
    data = client.get("/api/optimizers").json()
    assert [o["id"] for o in data] == list(OPTIMIZERS)
    adam = next(o for o in data if o["id"] == "adam")
    assert adam["hyperparameters"]["lr"]["default"] == 1e-3
    assert adam["hyperparameters"]["beta1"]["default"] == 0.9
    assert adam["hyperparameters"]["beta2"]["default"] == 0.999
    assert adam["family"] == "Adam and its kin"


def test_state_keys(client) -> None:
    keys = client.get("/api/optimizers/state-keys").json()
    assert keys["ax"] == {"label": "ax", "help": keys["ax"]["help"], "draw": "marker"}
    assert keys["d"]["draw"] == "chart"
    assert keys["asgd.mu"]["label"] != keys["mu"]["help"]  # one optimizer's own meaning


def test_trajectories_happy_path(client) -> None:
    body = {
        "surface": "rosenbrock",
        "start": [-1.5, 2.0],
        "steps": 100,
        "runs": [{"optimizer": "sgd", "lr": 1e-3}, {"optimizer": "adam", "lr": 0.05, "beta1": 0.8}],
    }
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    assert len(data["runs"]) == 2
    for run in data["runs"]:
        assert run["status"] == "done"
        assert len(run["params"]) == 101 and run["params"][0] == [-1.5, 2.0]
        assert len(run["lrs"]) == 100 and len(run["lambda_max"]) == 101
    assert data["runs"][1]["losses"][-1] < data["runs"][1]["losses"][0]


def test_trajectories_custom_surface_and_default_start(client) -> None:
    body = {"surface": {"expr": "(x-1)**2 + (y+2)**2"}, "steps": 200,
            "runs": [{"optimizer": "sgd", "lr": 0.1}]}
    data = strict_json(client.post("/api/trajectories", json=body).text)
    assert data["runs"][0]["params"][-1] == pytest.approx([1.0, -2.0], abs=1e-6)


def test_diverged_run_has_no_nan(client) -> None:
    body = {"surface": "rosenbrock", "steps": 500,
            "runs": [{"optimizer": "sgd", "lr": 5.0}, {"optimizer": "adam", "lr": 0.01}]}
    r = client.post("/api/trajectories", json=body)
    data = strict_json(r.text)
    bad, good = data["runs"]
    assert bad["status"] == "diverged" and isinstance(bad["diverged_at"], int)
    assert good["status"] == "done" and len(good["params"]) == 501


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"steps": 0}, "steps"),
        ({"steps": 10**9}, "steps"),
        ({"start": [0.0]}, "start"),
        ({"surface": "nope"}, "surface"),
        ({"surface": {"expr": "__import__('os')"}}, "surface"),
        ({"runs": []}, "runs"),
        ({"runs": [{"optimizer": "nope"}]}, "runs.0"),
        ({"runs": [{"optimizer": "adam", "lr": -1}]}, "runs.0.lr"),
        ({"runs": [{"optimizer": "adam", "lr": "NaN"}]}, "runs.0.lr"),
        ({"runs": [{"optimizer": "adam", "lr": "Infinity"}]}, "runs.0.lr"),
        ({"runs": [{"optimizer": "adam", "beta1": 1.5}]}, "runs.0.beta1"),
        ({"runs": [{"optimizer": "sgd", "beta1": 0.9}]}, "runs.0.beta1"),
        ({"runs": [{"optimizer": "sgd", "schedule": {"kind": "nope"}}]}, "runs.0.schedule"),
        ({"runs": [{"optimizer": "sgd"}] * 50}, "runs"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, patch: dict, field: str) -> None:
    body = {"surface": "bowl", "steps": 10, "runs": [{"optimizer": "sgd", "lr": 0.1}]} | patch
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 422, r.text
    data = r.json()
    fields = [d["field"] for d in data["detail"]]
    assert any(f == f"body.{field}" or f.startswith(f"body.{field}.") for f in fields), fields
    assert data["message"]


def test_surface_parameters_are_described_for_the_controls(client) -> None:
    ravine = next(s for s in client.get("/api/surfaces").json() if s["id"] == "ravine")
    assert set(ravine["parameters"]) == set(ravine["params"]) == {"condition", "angle"}
    spec = ravine["parameters"]["condition"]
    assert spec["min"] == 1 and spec["log"] and spec["help"]
    # The names the API describes are the names it takes.
    r = client.get("/api/surfaces/ravine/grid", params={"n": 5, "condition": 40, "angle": 15})
    assert r.json()["surface"]["params"] == {"condition": 40.0, "angle": 15.0}
    bad = client.get("/api/surfaces/ravine/grid", params={"n": 5, "condition": 0.5})
    assert bad.status_code == 422 and "condition" in bad.json()["message"]
