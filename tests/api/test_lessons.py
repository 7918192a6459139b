"""The stability lab's presets: served as start messages, and the edge of stability reproduced
through the real /ws (what the page will draw)."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.datasets import make_dataset
from app.core.hessian import hessian
from app.core.lessons import CATAPULT
from app.core.mlp import MLP
from app.core.runs import make_problem
from tests.api.wsutil import Reader


def lessons(client) -> dict[str, dict]:
    return {lesson["id"]: lesson for lesson in client.get("/api/lessons").json()["lessons"]}


def test_every_lesson_is_a_valid_start_with_its_words(client) -> None:
    got = lessons(client)
    assert list(got) == ["edge_of_stability", "catapult"]
    for lesson in got.values():
        assert lesson["see"] and lesson["question"].endswith("?")
        assert [r["lr"] for r in lesson["start"]["runs"]] == lesson["lrs"]
        assert lesson["start"]["sharpness_every"] >= 1
    catapult = got["catapult"]
    assert catapult["lrs"] == pytest.approx([c / catapult["lambda_0"]
                                             for c in catapult["multiples"]])


def test_catapult_measures_lambda_0_for_any_network_start(client) -> None:
    body = {"dataset": {"id": "sine", "n": 30}, "network": {"hidden": [5, 5]}, "seed": 4,
            "multiples": [1.5, 3]}
    got = client.post("/api/lessons/catapult", json=body).json()
    data = make_dataset("sine", n=30)
    model = MLP.build([1, 5, 5, 1], "tanh", "mse")
    p = make_problem(model, data.x, data.y, 4, plane=None)
    exact = np.linalg.eigvalsh(hessian(model, p.theta0, p.x, p.y))[-1]
    assert got["lambda_0"] == pytest.approx(exact, rel=1e-4)
    assert got["lrs"] == pytest.approx([1.5 / exact, 3 / exact], rel=1e-4)
    assert got["start"]["network"]["hidden"] == [5, 5] and got["start"]["seed"] == 4
    assert got["n_params"] == model.n_params
    assert client.post("/api/lessons/catapult", json={"multiples": [0]}).status_code == 422
    assert client.post("/api/lessons/catapult", json={"multiples": []}).status_code == 422


def play(client, start: dict) -> Reader:
    with client.websocket_connect("/ws") as ws:
        reader = Reader(ws)
        reader.next()
        reader.send(start | {"speed": 0})
        reader.until("done", limit=1_000_000)
        return reader


def test_edge_of_stability_through_the_websocket(client) -> None:
    """On the run with the largest stable lr, the sharpness rises to within 10% of 2/lr and
    stays within 20% of it for the rest of the run, while the loss ends lower than it started.
    (3 runs x 1,500 steps at full speed: about 5 s.)"""
    lesson = lessons(client)["edge_of_stability"]
    reader = play(client, lesson["start"])
    done = {r["id"]: r["status"] for r in reader.messages[-1]["runs"]}
    stable = [i for i, lr in enumerate(lesson["lrs"]) if done[i] == "done"]
    run = max(stable, key=lambda i: lesson["lrs"][i])
    lr = lesson["lrs"][run]
    steps = reader.steps(run)
    measured = [s for s in steps if "sharpness" in s]
    assert len(measured) > 100
    ratio = np.array([s["sharpness"] * lr / 2 for s in measured])  # 1: on the 2/lr line
    assert all(s["sharpness_threshold"] == pytest.approx(2 / lr) for s in measured)
    near = np.flatnonzero(np.abs(ratio - 1) <= 0.10)
    assert near.size, f"the sharpness never came within 10% of 2/lr: {ratio.max():.2f} at most"
    assert ratio[0] < 0.8  # it rises to the line: it does not start there
    assert np.all(np.abs(ratio[near[0]:] - 1) <= 0.20), ratio[near[0]:]
    assert steps[-1]["loss"] < steps[0]["loss"]
    # the smallest lr sharpens too, but stays below its own (higher) line: the level the
    # sharpness stops at is set by the lr, not by the network
    low = min(stable, key=lambda i: lesson["lrs"][i])
    mine = [s["sharpness"] * lesson["lrs"][low] / 2 for s in reader.steps(low) if "sharpness" in s]
    assert mine[-1] > mine[0] and max(mine) < 0.8


def test_catapult_preset_spikes_lands_flatter_and_diverges(client) -> None:
    lesson = lessons(client)["catapult"]
    reader = play(client, lesson["start"])
    status = [r["status"] for r in reader.messages[-1]["runs"]]
    assert status == ["done", "done", "diverged"]
    smooth, catapult = reader.steps(0), reader.steps(1)
    assert max(s["loss"] for s in smooth) == pytest.approx(smooth[0]["loss"])  # never rises
    assert max(s["loss"] for s in catapult) > 3 * catapult[0]["loss"]  # the spike
    assert catapult[-1]["loss"] < catapult[0]["loss"]  # ... and it lands
    lr = lesson["lrs"][1]
    first, after = [s["sharpness"] * lr / 2 for s in catapult if "sharpness" in s][:2]
    assert first > 1 > after  # thrown out of the sharp start into a flatter region
    assert lesson["multiples"] == list(CATAPULT.multiples)
