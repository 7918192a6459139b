"""Learning-rate schedules against torch.optim.lr_scheduler golden values, plus validation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.core.schedules import SCHEDULES, make_schedule

GOLDEN = json.loads(
    (Path(__file__).resolve().parents[1] / "golden" / "optimizers.json").read_text()
)["schedules"]
RUNS = [(sid, run) for sid, entry in GOLDEN.items() for run in entry["runs"]]


def test_registry_order() -> None:
    assert list(SCHEDULES) == ["constant", "step", "exponential", "cosine"]
    assert set(GOLDEN) == set(SCHEDULES)


@pytest.mark.parametrize(("sid", "run"), RUNS, ids=[f"{s}-{r['params']}" for s, r in RUNS])
def test_matches_torch(sid: str, run: dict) -> None:
    schedule = make_schedule(sid, **run["params"])
    ours = [schedule.lr_at(run["base_lr"], t) for t in range(len(run["lr"]))]
    assert ours[0] == run["base_lr"]
    # torch steps recursively from the current lr; the closed form differs only by rounding
    np.testing.assert_allclose(ours, run["lr"], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("sid", list(SCHEDULES))
def test_defaults_and_metadata(sid: str) -> None:
    cls = SCHEDULES[sid]
    assert cls.id == sid and cls.name and cls.equation and cls.description.endswith(".")
    torch_defaults = GOLDEN[sid]["torch_defaults"]
    for name, value in torch_defaults.items():  # where torch has a default, it is ours too
        assert cls.hyperparameters[name].default == value, name
    for name, spec in cls.hyperparameters.items():
        assert spec.min <= spec.default <= spec.max and spec.help, name
    schedule = make_schedule(sid)
    assert schedule.lr_at(0.1, 0) == 0.1


def test_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match="step_size"):
        make_schedule("step", step_size=0)
    with pytest.raises(ValueError, match="step_size"):
        make_schedule("step", step_size=2.5)
    with pytest.raises(ValueError, match="gamma"):
        make_schedule("exponential", gamma=1.5)
    with pytest.raises(ValueError, match="T_max"):
        make_schedule("cosine", T_max=-3)
    with pytest.raises(ValueError, match="warmup"):
        make_schedule("cosine", warmup=5)
    with pytest.raises(ValueError, match="cosine"):
        make_schedule("linear")
    assert make_schedule("step", step_size=4.0).step_size == 4


def test_cosine_continues_past_t_max() -> None:
    schedule = make_schedule("cosine", T_max=10, eta_min=0.01)
    assert schedule.lr_at(1.0, 10) == pytest.approx(0.01)
    assert schedule.lr_at(1.0, 20) == pytest.approx(1.0)
