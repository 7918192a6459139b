"""The optimizer catalog: every registry id in exactly one picker family, and every key a surface
optimizer's state reports has a meaning (so the "inside the step" panel never shows a bare name)."""

from __future__ import annotations

import pytest

from app.core.optimizers import OPTIMIZERS
from app.core.optimizers.catalog import FAMILIES, STATE_KEYS
from app.core.runs import RunConfig, SurfaceRun
from app.core.runs.surface import StepColumns
from app.core.surfaces import SURFACES


def test_every_optimizer_is_in_exactly_one_family() -> None:
    placed = [i for ids in FAMILIES.values() for i in ids]
    assert sorted(placed) == sorted(OPTIMIZERS)


ON_SURFACES = [k for k, c in OPTIMIZERS.items() if "surface" in c.run_kinds]


@pytest.mark.parametrize("optimizer", ON_SURFACES)
def test_every_state_key_has_a_meaning(optimizer: str) -> None:
    run = SurfaceRun(SURFACES["rosenbrock"], (-1.5, 2.0), RunConfig(optimizer=optimizer))
    run.advance(3, StepColumns())
    keys = run.optimizer.state_snapshot()
    unknown = [k for k in keys if f"{optimizer}.{k}" not in STATE_KEYS and k not in STATE_KEYS]
    assert not unknown


def test_markers_are_points_and_charts_are_numbers() -> None:
    for optimizer, key in [("asgd", "ax"), ("schedulefree_sgd", "x"), ("schedulefree_sgd", "z"),
                           ("sam_sgd", "ascent"), ("prodigy", "d")]:
        run = SurfaceRun(SURFACES["rosenbrock"], (-1.5, 2.0), RunConfig(optimizer=optimizer))
        run.advance(2, StepColumns())
        value = run.optimizer.state_snapshot()[key]
        info = STATE_KEYS.get(f"{optimizer}.{key}") or STATE_KEYS[key]
        if info.draw == "marker":
            assert isinstance(value, list) and len(value) == 2
        else:
            assert info.draw == "chart" and isinstance(value, float)
