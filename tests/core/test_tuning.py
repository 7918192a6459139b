"""The lr search of fair races (app/core/tuning.py) on surfaces whose best lr is known."""

from __future__ import annotations

import math

import pytest

from app.core.runs import RunConfig, SurfaceRun
from app.core.surfaces import get_surface, make_ravine
from app.core.tuning import Probe, _best, evaluations, tune_lr


def tuner(surface, optimizer: str = "sgd", **config):
    return lambda lr: SurfaceRun(surface, surface.default_start,
                                 RunConfig(optimizer, lr=lr, **config))


def test_sgd_on_the_bowl_finds_one_over_lambda() -> None:
    """The bowl's curvature is 1 in every direction: lr 1 lands on the minimum in one step
    (contraction |1 - lr| per step), anything at or above 2 does not converge."""
    bowl = get_surface("bowl")
    result = tune_lr(tuner(bowl), steps=30)
    assert result.lr == pytest.approx(1.0, rel=0.05)
    assert result.lr < 2.0
    assert result.loss < 1e-20
    initial = bowl.value(*bowl.default_start)
    curve = result.curve
    assert [p.lr for p in curve] == sorted(p.lr for p in curve)
    # too small crawls: the smallest lr has barely moved, and larger ones do better up to 1
    assert curve[0].loss > 0.99 * initial
    below = [p.loss for p in curve if p.lr <= 0.5]
    assert below == sorted(below, reverse=True)
    # too large diverges: every lr from 2.2 up is off the plot (and stopped early: cheap)
    above = [p for p in curve if p.lr >= 2.2]
    assert above and all(p.status == "diverged" and math.isinf(p.loss) for p in above)
    assert all(p.steps < 30 for p in above)
    assert all(p.status == "done" for p in curve if p.lr < 1.9)
    assert 1.9 <= result.diverged_above <= 2.2 + 1e-9
    assert result.run_steps == sum(p.steps for p in curve)
    assert len(curve) <= evaluations()


@pytest.mark.parametrize("condition", [10.0, 50.0])
def test_sgd_on_a_ravine_finds_two_over_the_curvature_sum(condition: float) -> None:
    """Curvatures 1 and kappa: the slowest mode contracts by max(|1 - lr|, |1 - lr kappa|),
    smallest at lr = 2 / (1 + kappa), just below the edge of stability 2 / kappa."""
    ravine = make_ravine(condition)
    result = tune_lr(tuner(ravine), steps=200)
    assert result.lr == pytest.approx(2 / (1 + condition), rel=0.08)
    assert result.lr < 2 / condition < result.diverged_above * 1.0001


def test_a_noisy_run_is_tuned_on_the_same_noise() -> None:
    """Every lr sees the same seeded noise: tuning twice gives the same curve."""
    bowl = get_surface("bowl")
    first = tune_lr(tuner(bowl, noise=0.3, seed=4), steps=50, points=7, refine=1)
    again = tune_lr(tuner(bowl, noise=0.3, seed=4), steps=50, points=7, refine=1)
    assert first == again
    assert 0.02 < first.lr < 2.0  # noise favours a smaller lr than 1, never a diverging one


def test_ties_go_to_the_middle_and_all_diverged_to_the_smallest() -> None:
    tried = {lr: Probe(lr, 0.0, "done", 10) for lr in (0.1, 0.3, 1.0, 3.0, 10.0)}
    tried[0.1] = Probe(0.1, 1.0, "done", 10)
    assert _best(tried) == 1.0  # tied 0.3..10: 1.7 in log scale is the middle
    diverged = {lr: Probe(lr, math.inf, "diverged", 1) for lr in (0.5, 5.0)}
    assert _best(diverged) == 0.5


def test_bad_ranges_are_refused() -> None:
    with pytest.raises(ValueError, match="lr_min"):
        tune_lr(tuner(get_surface("bowl")), 5, lr_min=1.0, lr_max=0.1)
