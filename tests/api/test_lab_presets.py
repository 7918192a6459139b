"""The lab's presets are valid messages, and show what they promise (the fast part here; the whole
grokking curve in bench/grokking.py, figures in docs/teaching.md)."""

from __future__ import annotations

import numpy as np
import pytest

from app.api.live.kinds import NetworkLive
from app.api.schemas.ws import StartNetwork
from app.core.lab_presets import GROKKING, OVERFITTING


def train(preset: dict, steps: int):
    live, config = NetworkLive.from_message(StartNetwork.model_validate(preset))
    run = live.runs[0]
    out = run.columns()
    out.append(run.head())  # step 0: out.*[s] is step s
    run.advance(steps, out)
    return live, config, run, out


def test_grokking_memorises_first_and_has_no_boundary() -> None:
    live, config, run, out = train(GROKKING, 300)
    p = GROKKING["dataset"]["n_classes"]
    assert config["sizes"] == [2 * p, 128, p] and config["boundary"] is None
    assert len(config["data"]["x"]) == p * p and len(config["data"]["x"][0]) == 2  # (a, b)
    assert sum(config["data"]["test"]) == round(0.2 * p * p)
    acc, test = np.array(out.accuracy), np.array(out.test_accuracy)
    first = int(np.argmax(acc == 1.0))
    assert acc[first] == 1.0 and first < 300  # the training set is memorised...
    assert test[first] < 0.15 and test[-1] < 0.3  # ...long before the test set is learned
    assert "boundary" not in live.run_json(0, out, final=True)


@pytest.mark.slow  # the whole jump: 20-40 s here; the preset's claim, so it always runs
def test_grokking_test_accuracy_jumps_after_memorisation() -> None:
    _, _, _, out = train(GROKKING, GROKKING["steps"])
    assert out.test_accuracy[-1] > 0.9 and out.test_accuracy[500] < 0.2


def test_overfitting_preset_has_an_early_best_test_step() -> None:
    _, _, run, out = train(OVERFITTING, 600)
    best = run.best_test.json()
    assert best["step"] < 200 and out.test_loss[-1] > 2 * best["loss"]
    assert out.loss[-1] < 0.5 * out.loss[best["step"]]  # the training loss kept falling


def test_the_presets_endpoint_serves_valid_messages(client) -> None:
    from app.api.schemas.sweeps import StartSweep

    body = client.get("/api/mlp/presets").json()
    assert set(body) == {"grokking", "overfitting", "double_descent"}
    assert all(p["description"] for p in body.values())
    StartNetwork.model_validate(body["grokking"]["message"])
    sweep = StartSweep.model_validate(body["double_descent"]["message"]).sweep()
    from app.core.lab_presets import DOUBLE_DESCENT

    assert sweep == DOUBLE_DESCENT  # the message round-trips to the core's preset
