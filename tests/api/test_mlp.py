"""The network endpoints: happy paths, 422s that name the field, and strictly valid JSON."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api.routes import mlp
from app.main import create_app
from tests.conftest import settings_for_tests


@pytest.fixture(scope="module")
def api() -> TestClient:
    with TestClient(create_app(settings_for_tests())) as c:
        yield c


def strict_json(text: str) -> Any:
    """json.loads that refuses NaN and Infinity, as a browser's JSON.parse does."""

    def refuse(name: str) -> None:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def field_of(response) -> list[str]:
    """Every location part and message of a 422, flattened, to look for the field's name."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    if isinstance(detail, str):
        return [detail]
    return [str(p) for e in detail for p in e["loc"]] + [e["msg"] for e in detail]


SMALL = {"dataset": {"id": "moons", "n": 80}, "network": {"hidden": [6]}, "steps": 30, "grid": 9}


def test_options_list_the_registries(api) -> None:
    body = api.get("/api/mlp/options").json()
    assert {d["id"] for d in body["datasets"]} >= {"moons", "circles", "spirals", "xor", "blobs",
                                                   "sine"}
    assert {a["id"] for a in body["activations"]} == {"relu", "leaky_relu", "tanh", "sigmoid",
                                                      "linear"}
    assert body["directions"] == ["weights", "random", "pca"]
    assert body["limits"]["steps"] == 5000


def test_backprop_classic(api) -> None:
    r = api.post("/api/mlp/backprop", json={"example": "classic"})
    assert r.status_code == 200
    body = strict_json(r.text)
    assert body["backward"][0]["layer"] == 3
    assert [round(v, 12) for v in body["backward"][0]["dz"]] == [0.5, -0.5, 0.0]
    assert [b["layer"] for b in body["backward"]] == [3, 2, 1]
    for key in ("loss", "forward", "backward", "updated"):
        assert key in body
    assert set(body["forward"][0]) >= {"z", "a"}
    assert set(body["backward"][0]) >= {"layer", "dz", "dW", "db", "da_prev", "formula"}
    assert set(body["updated"][0]) >= {"W", "b"}
    assert body["backward"][1]["formula"]["dz"] == "dL/dz2 = dL/da2 * 1[z2 > 0]"
    assert body["loss_after"] < body["loss"]
    assert body["chain"] is None and body["layers"][2]["activation"] == "softmax"


def test_backprop_custom_network_with_chain(api) -> None:
    req = {
        "layers": [
            {"W": [[1, -1], [0, 2]], "b": [0, 1], "activation": "tanh"},
            {"W": [[1, 1], [-1, 1]], "b": [0, 0], "activation": "softmax"},
        ],
        "loss": "cross_entropy", "x": [1, 2], "y": [1, 0], "lr": 0.5,
        "chain": {"layer": 1, "row": 1, "col": 0},
    }
    r = api.post("/api/mlp/backprop", json=req)
    assert r.status_code == 200, r.text
    body = strict_json(r.text)
    dW1 = body["backward"][1]["dW"]
    assert body["updated"][0]["W"][1][0] == pytest.approx(0 - 0.5 * dW1[1][0])
    assert body["chain"]["value"] == pytest.approx(dW1[1][0])
    assert len(body["chain"]["links"]) == 3


def test_backprop_mse(api) -> None:
    req = {"layers": [{"W": [[2.0]], "b": [0.5]}], "loss": "mse", "x": [1.0], "y": [3.0]}
    body = api.post("/api/mlp/backprop", json=req).json()
    assert body["loss"] == pytest.approx(0.25)
    assert body["backward"][0]["dz"] == [pytest.approx(-1.0)]
    assert body["updated"][0]["W"] == [[pytest.approx(2.0 + 0.1)]]


@pytest.mark.parametrize(
    ("req", "field"),
    [
        ({"layers": [{"W": [["NaN"]], "b": [0]}], "loss": "mse", "x": [1], "y": [1]}, "W"),
        ({"layers": [{"W": [[1]], "b": [0]}], "loss": "mse", "x": ["Infinity"], "y": [1]}, "x"),
        ({"example": "classic", "lr": "-Infinity"}, "lr"),
        ({"example": "classic", "lr": 100}, "lr"),
        ({"example": "classic", "x": [1]}, "example"),
        ({"example": "classic", "loss": "mse"}, "example"),
        ({"example": "fancy"}, "example"),
        ({"layers": [{"W": [[1, 2]], "b": [0]}], "loss": "mse", "x": [1], "y": [1]}, "layers"),
        ({"layers": [{"W": [[1]], "b": [0]}], "loss": "mse", "x": [1], "y": [1, 2]}, "y"),
        ({"layers": [{"W": [[1]], "b": [0]}, {"W": [[1]], "b": [0]}], "loss": "mse",
          "x": [1], "y": [1]}, "layers"),
        ({"layers": [{"W": [[1], [1]], "b": [0, 0]}], "loss": "cross_entropy", "x": [1],
          "y": [2, 0]}, "y"),
        ({"layers": [{"W": [[1]], "b": [0]}], "loss": "hinge", "x": [1], "y": [1]}, "loss"),
        ({"layers": [{"W": [[1]], "b": [0]}], "loss": "mse", "x": [1]}, "y"),
        ({"example": "classic", "chain": {"layer": 1, "row": 7, "col": 0}}, "chain"),
    ],
)
def test_backprop_422_names_the_field(api, req, field) -> None:
    r = api.post("/api/mlp/backprop", json=req)
    assert any(field in part for part in field_of(r)), r.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"layers": [{"W": [[1]], "b": [0]}], "loss": "mse", "x": [1], "y": [1e400]}', "y"),
        ('{"layers": [{"W": [[NaN]], "b": [0]}], "loss": "mse", "x": [1], "y": [1]}', "W"),
        ('{"example": "classic", "lr": Infinity}', "lr"),
    ],
)
def test_bare_non_finite_json_literals_are_refused(api, body: str, field: str) -> None:
    """Python's json module reads NaN, Infinity and 1e400 as floats: pydantic must refuse them."""
    r = api.post("/api/mlp/backprop", content=body, headers={"content-type": "application/json"})
    assert any(field in part for part in field_of(r)), r.text
    strict_json(r.text)


@pytest.mark.parametrize("mode", ["weights", "random", "pca"])
def test_landscape_happy_path(api, mode: str) -> None:
    req = {**SMALL, "directions": mode,
           "runs": [{"optimizer": "adam", "lr": 0.02}, {"optimizer": "sgd", "lr": 0.5,
                                                        "batch_size": 16}]}
    r = api.post("/api/mlp/landscape", json=req)
    assert r.status_code == 200, r.text
    body = strict_json(r.text)
    assert body["directions"] == mode
    assert len(body["x"]["values"]) == 9 and len(body["z"]) == 9 and len(body["z"][0]) == 9
    assert body["centre"]["grid_loss"] == pytest.approx(body["centre"]["loss"], rel=1e-5)
    assert body["z"][4][4] == body["centre"]["grid_loss"]
    assert (body["explained_variance"] is not None) == (mode == "pca")
    for run in body["runs"]:
        assert run["status"] == "done"
        n = len(run["steps"])
        assert len(run["path"]["x"]) == len(run["loss"]) == len(run["slice_loss"]) == n
        assert run["final_loss"] == run["loss"][-1]
    first = body["runs"][0]
    assert first["path"]["x"][-1] == pytest.approx(body["centre"]["x"])
    assert first["path"]["y"][-1] == pytest.approx(body["centre"]["y"])
    assert body["runs"][0]["loss"][0] == body["runs"][1]["loss"][0] == body["initial_loss"]


def test_landscape_weights_mode_axes_are_weight_values(api) -> None:
    req = {**SMALL, "directions": "weights",
           "weights": [{"layer": 2, "row": 1, "col": 3}, {"layer": 1, "row": 0, "col": None}]}
    body = api.post("/api/mlp/landscape", json=req).json()
    assert body["x"]["label"] == "W2[1,3]" and body["y"]["label"] == "b1[0]"
    assert body["x"]["values"][4] == body["centre"]["x"]


def test_diverging_run_gives_valid_json_with_nulls(api) -> None:
    req = {"dataset": {"id": "sine", "n": 60}, "network": {"hidden": [8]}, "steps": 100,
           "grid": 7, "directions": "random",
           "runs": [{"optimizer": "sgd", "lr": 10}, {"optimizer": "adam", "lr": 0.01}]}
    r = api.post("/api/mlp/landscape", json=req)
    assert r.status_code == 200
    body = strict_json(r.text)  # raises on NaN / Infinity
    diverged = body["runs"][0]
    assert diverged["status"] == "diverged" and diverged["diverged_at"] is not None
    assert diverged["final_loss"] is None
    assert body["runs"][1]["status"] == "done"


def test_huge_weights_give_nulls_not_nan(api) -> None:
    req = {"layers": [{"W": [[1e300, 1e300]], "b": [1e300]}], "loss": "mse", "x": [1e10, 1e10],
           "y": [0]}
    r = api.post("/api/mlp/backprop", json=req)
    assert r.status_code == 200
    assert strict_json(r.text)["loss"] is None


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"steps": 5001}, "steps"),
        ({"steps": "NaN"}, "steps"),
        ({"grid": 4}, "grid"),
        ({"grid": 153}, "grid"),
        ({"grid": 10}, "grid"),
        ({"dataset": {"id": "mnist"}}, "id"),
        ({"dataset": {"n": 2001}}, "n"),
        ({"dataset": {"noise": "NaN"}}, "noise"),
        ({"dataset": {"noise": "Infinity"}}, "noise"),
        ({"dataset": {"id": "moons", "n_classes": 3}}, "n_classes"),
        ({"network": {"hidden": [8] * 7}}, "hidden"),
        ({"network": {"hidden": [129]}}, "hidden"),
        ({"network": {"activation": "swish"}}, "activation"),
        ({"network": {"init": "zeros"}}, "init"),
        ({"runs": []}, "runs"),
        ({"runs": [{"optimizer": "shampoo"}]}, "optimizer"),
        ({"runs": [{"optimizer": "newton"}]}, "optimizer"),  # a surface's Hessian only
        ({"runs": [{"optimizer": "sgd", "lr": "Infinity"}]}, "lr"),
        ({"runs": [{"optimizer": "sgd", "lr": 0}]}, "lr"),
        ({"runs": [{"optimizer": "adam", "hyperparameters": {"beta1": "NaN"}}]}, "beta1"),
        ({"runs": [{"optimizer": "adam", "momentum": 0.9}]}, "momentum"),
        ({"runs": [{"schedule": {"kind": "step", "params": {"gamma": 7}}}]}, "gamma"),
        ({"runs": [{"batch_size": 0}]}, "batch_size"),
        ({"runs": [{"optimizer": "adam"}] * 9}, "runs"),
        ({"directions": "hessian"}, "directions"),
        ({"directions": "weights", "weights": [{"layer": 1, "row": 0, "col": 0}] * 2},
         "weights"),
        ({"directions": "weights", "weights": [{"layer": 5, "row": 0, "col": 0},
                                               {"layer": 1, "row": 0, "col": 0}]}, "weights"),
        ({"directions": "random", "weights": [{"layer": 1, "row": 0, "col": 0},
                                              {"layer": 1, "row": 0, "col": 1}]}, "weights"),
        ({"span": [1.0, "NaN"]}, "span"),
        ({"span": [1.0, -1.0]}, "span"),
        ({"centre": "middle"}, "centre"),
        ({"seed": -1}, "seed"),
        ({"surprise": 1}, "surprise"),
        ({"runs": [{"optimizer": "adam"}] * 8, "steps": 5000}, "steps"),
        ({"dataset": {"n": 2000}, "network": {"hidden": [64] * 6}, "grid": 151}, "grid"),
    ],
)
def test_landscape_422_names_the_field(api, patch, field) -> None:
    r = api.post("/api/mlp/landscape", json={**SMALL, **patch})
    assert any(field in part for part in field_of(r)), r.text


def test_openapi_documents_the_landscape_with_an_example(api) -> None:
    schema = api.get("/openapi.json").json()
    assert "/api/mlp/landscape" in schema["paths"] and "/api/mlp/backprop" in schema["paths"]
    request = schema["components"]["schemas"]["LandscapeRequest"]
    assert request["examples"][0]["directions"] == "pca"
    assert "LandscapeResponse" in schema["components"]["schemas"]


def test_example_request_works(api) -> None:
    example = mlp.LandscapeRequest.model_config["json_schema_extra"]["examples"][0]
    r = api.post("/api/mlp/landscape", json=example)
    assert r.status_code == 200
    strict_json(r.text)



def test_options_serve_the_generalisation_settings(api) -> None:
    lab = api.get("/api/mlp/options").json()["generalization"]
    assert set(lab) == {"test_fraction", "label_noise", "l1", "l2", "dropout"}
    assert all(spec["help"] and spec["max"] > spec["min"] for spec in lab.values())
    options = api.get("/api/mlp/options").json()
    assert "width" in options["sweeps"]["settings"] and options["sweeps"]["limits"]["trainings"]
    assert options["neurons"]["max_grid"] >= 21
    modular = next(d for d in options["datasets"] if d["id"] == "modular")
    assert modular["inputs"] == 46 and modular["class_range"] == [23, 97] and modular["one_hot"]


def test_landscape_reports_test_loss_penalty_and_best_step(api) -> None:
    req = {"dataset": {"id": "moons", "n": 60, "seed": 2}, "test_fraction": 0.25,
           "label_noise": 0.1, "network": {"hidden": [8], "l2": 0.01, "dropout": 0.2},
           "steps": 40, "runs": [{"optimizer": "adam", "lr": 0.05}], "grid": 5}
    r = api.post("/api/mlp/landscape", json=req)
    assert r.status_code == 200, r.text
    run = strict_json(r.text)["runs"][0]
    assert len(run["test_loss"]) == len(run["steps"]) == len(run["penalty"])
    assert all(v is not None and v > 0 for v in run["test_loss"] + run["penalty"])
    best = run["best_test"]
    assert best["loss"] == min(run["test_loss"])
    assert run["steps"][run["test_loss"].index(best["loss"])] == best["step"]
    plain = strict_json(api.post("/api/mlp/landscape", json={**req, "test_fraction": 0}).text)
    assert plain["runs"][0]["best_test"] is None
    assert all(v is None for v in plain["runs"][0]["test_loss"])


@pytest.mark.parametrize(("change", "field"), [
    ({"label_noise": 0.1, "dataset": {"id": "sine", "n": 50}}, "label_noise"),
    ({"test_fraction": 0.95}, "test_fraction"),
    ({"network": {"dropout": 1.0}}, "network.dropout"),
    ({"network": {"l2": -0.1}}, "network.l2"),
])
def test_generalisation_fields_are_validated(api, change, field) -> None:
    req = {"dataset": {"id": "moons", "n": 60}, "steps": 5, "grid": 5} | change
    r = api.post("/api/mlp/landscape", json=req)
    assert r.status_code == 422
    assert field in json.dumps(r.json()), r.text


def test_backprop_shows_the_penalty(api) -> None:
    body = api.post("/api/mlp/backprop", json={"example": "classic", "l2": 0.1}).json()
    assert body["penalty"] > 0 and body["penalty_formula"] == "(0.1/2)·ΣW²"
    assert all(b["dW_penalty"] is not None for b in body["backward"])


def test_export_gives_the_script_and_the_npz(api) -> None:
    from app.core.export import read_npz, torch_script
    from tests.golden.make_export_vectors import NETWORKS, network

    model, theta, x = network(*NETWORKS[0])
    layers = [{"W": W.tolist(), "b": b.tolist(), "activation": act}
              for (W, b), act in zip(model.unflatten(theta), [*model.activations, None],
                                      strict=True)]
    r = api.post("/api/mlp/export", json={"layers": layers, "loss": model.loss})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/x-python")
    assert r.text == torch_script(model, theta)
    assert 'filename="gradscape_2-5-4-3.py"' in r.headers["content-disposition"]
    r = api.post("/api/mlp/export", json={"layers": layers, "format": "npz"})
    again, theta2 = read_npz(r.content)
    assert again == model and np.array_equal(theta2, theta)
    bad = api.post("/api/mlp/export", json={"layers": [{"W": [[1, 2]], "b": [0, 1]}]})
    assert bad.status_code == 422 and "layers" in bad.text


def test_backprop_with_dropout_shows_the_masks(api) -> None:
    body = api.post("/api/mlp/backprop", json={"example": "classic", "dropout": 0.5,
                                               "dropout_seed": 3}).json()
    masks = [f["mask"] for f in body["forward"]]
    assert masks[-1] is None and all(set(m) <= {0.0, 2.0} for m in masks[:-1])
    again = api.post("/api/mlp/backprop", json={"example": "classic", "dropout": 0.5,
                                                "dropout_seed": 3}).json()
    assert again == body  # the seed fixes the mask
    plain = api.post("/api/mlp/backprop", json={"example": "classic"}).json()
    assert all(f["mask"] is None for f in plain["forward"])
