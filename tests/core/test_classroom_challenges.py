"""Scoring by re-running (app/classroom/challenges.py)."""

from __future__ import annotations

import math

import pytest

from app.classroom.challenges import Goal, merge, rank, rerun, score, subsample
from app.core.runs import RunConfig, RunSet, SurfaceRun
from app.core.surfaces import get_surface

CHALLENGE = {"fixed": {"surface": "rosenbrock", "start": [-1.5, 2], "run": {"optimizer": "sgd"}},
             "budget": {"steps": 300}}


def test_fixed_fields_override_and_the_budget_caps() -> None:
    run = {"surface": "bowl", "start": [0, 0], "steps": 5000,
           "runs": [{"optimizer": "adam", "lr": 0.1}]}
    merged = merge(run, CHALLENGE)
    assert merged["surface"] == "rosenbrock" and merged["start"] == [-1.5, 2]
    assert merged["runs"] == [{"optimizer": "sgd", "lr": 0.1}]
    assert merged["steps"] == 300
    assert merge({"runs": [{"optimizer": "adam"}], "steps": 20}, CHALLENGE)["steps"] == 20
    assert merge({"runs": [{"optimizer": "adam"}]}, CHALLENGE)["steps"] == 300  # omitted
    with_params = merge({}, {"fixed": {"surface": "ravine", "params": {"condition": 5}},
                             "budget": {"steps": 10}})
    assert with_params["surface"] == {"id": "ravine", "condition": 5}
    assert run["steps"] == 5000  # the student's request is not changed


def _run(optimizer: str, lr: float, steps: int, surface: str = "bowl") -> RunSet:
    s = get_surface(surface)
    return RunSet([SurfaceRun(s, s.default_start, RunConfig(optimizer, lr))], steps)


def test_reach_scores_the_step_the_target_is_met() -> None:
    goal = Goal.of({"kind": "reach", "metric": "loss", "target": 1e-3})
    outcome, cols = rerun(_run("sgd", 0.1, 300), goal)
    assert outcome.ok and outcome.score == outcome.steps
    first = next(s for s, f in zip(cols.step, cols.loss, strict=True) if f <= 1e-3)
    assert outcome.steps == first < 300
    slow, _ = rerun(_run("sgd", 1e-4, 50), goal)
    assert not slow.ok and slow.score is None and "did not reach loss ≤ 0.001" in slow.reason


def test_a_diverged_run_is_not_ok_and_says_why() -> None:
    for kind in ("reach", "largest_lr", "best"):
        goal = Goal.of({"kind": kind, "target": 1e-3})
        outcome, _ = rerun(_run("sgd", 5.0, 200), goal)
        assert outcome.status == "diverged" and not outcome.ok and outcome.reason
        assert outcome.final is None or math.isfinite(outcome.final)


def test_largest_lr_scores_the_lr_of_a_converging_run() -> None:
    goal = Goal.of({"kind": "largest_lr", "target": 1e-3})
    outcome, _ = rerun(_run("sgd", 0.3, 200), goal)
    assert outcome.ok and outcome.score == 0.3 and outcome.lr == 0.3
    short, _ = rerun(_run("sgd", 0.001, 5), goal)
    assert not short.ok and "did not converge" in short.reason


def test_best_takes_the_direction() -> None:
    assert score(Goal.of({"kind": "best", "metric": "accuracy"}), [0, 1], [0.5, 0.9],
                 "done", None, 0.1, "sgd").score == 0.9
    assert Goal.of({"kind": "best", "metric": "accuracy"}).ranking() == "desc"
    assert Goal.of({"kind": "best", "metric": "loss"}).ranking() == "asc"
    # None where a minibatch step was not evaluated: the last evaluated value counts
    assert score(Goal.of({"kind": "best"}), [0, 1, 2], [3.0, 1.0, None], "done", None, 0.1,
                 "sgd").final == 1.0


def test_rank_best_first_then_the_rest() -> None:
    subs = [{"id": 1, "ok": True, "score": 30.0}, {"id": 2, "ok": False, "score": None},
            {"id": 3, "ok": True, "score": 10.0}, {"id": 4, "ok": True, "score": 10.0}]
    reach = Goal.of({"kind": "reach", "target": 1})
    assert [s["id"] for s in rank(subs, reach)] == [3, 4, 1, 2]
    largest = Goal.of({"kind": "largest_lr", "target": 1})
    assert [s["id"] for s in rank(subs, largest)] == [1, 3, 4, 2]


@pytest.mark.parametrize("n", [0, 1, 5, 200, 201, 5000])
def test_subsample_keeps_the_ends(n: int) -> None:
    points = list(range(n))
    out = subsample(points)
    assert len(out) == min(n, 200) and out == sorted(out)
    if n:
        assert out[0] == 0 and out[-1] == n - 1


def test_every_kth_step_keeps_the_last() -> None:
    goal = Goal.of({"kind": "best"})
    outcome, cols = rerun(_run("sgd", 0.1, 95), goal, every=10)
    assert cols.step[-1] == 95 and len(cols.step) == 11
    assert outcome.steps == 95 and outcome.final == cols.loss[-1]
