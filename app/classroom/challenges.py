"""A challenge's submission: the run the student asked for, with the challenge's fixed fields over
it and its budget capping the steps, re-run here from its config and scored by the goal (the
student's own numbers are never read). docs/classroom.md, Challenges.

The web layer validates the merged request with the schemas every run request uses and builds the
run set; this module merges, runs it with the run engine (`record`) and scores.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.core.cancellation import StopCheck
from app.core.runs import RunSet, record

MAX_PATH_POINTS = 200  # a surface path in the gallery: every path of a class on one map
MAX_KEPT_NETWORK_STEPS = 500  # a network submission is scored on at most this many steps
GOAL_KINDS = ("reach", "largest_lr", "best")
METRICS = {"surface": ("loss",), "network": ("loss", "accuracy", "test_loss", "test_accuracy")}
# Which way a metric improves, for `best` when the teacher names no direction.
HIGHER_IS_BETTER = {"accuracy", "test_accuracy"}


@dataclass(frozen=True)
class Goal:
    kind: str  # one of GOAL_KINDS
    metric: str = "loss"
    target: float | None = None  # reach, largest_lr: the metric must get to (or end at) this
    direction: str = "min"  # best: "min" or "max"

    @classmethod
    def of(cls, spec: dict[str, Any]) -> Goal:
        return cls(spec["kind"], spec.get("metric", "loss"), spec.get("target"),
                   spec.get("direction") or ("max" if spec.get("metric") in HIGHER_IS_BETTER
                                             else "min"))

    def met(self, value: float) -> bool:
        """Whether a metric value meets the target (loss at most it, accuracy at least it)."""
        assert self.target is not None
        if self.metric in HIGHER_IS_BETTER:
            return value >= self.target
        return value <= self.target

    def words(self) -> str:
        sign = "≥" if self.metric in HIGHER_IS_BETTER else "≤"
        return f"{self.metric} {sign} {self.target:g}" if self.target is not None else self.metric

    def ranking(self) -> str:
        """How scores sort, best first: "asc" or "desc"."""
        if self.kind == "reach":
            return "asc"  # fewer steps wins
        if self.kind == "largest_lr":
            return "desc"
        return "desc" if self.direction == "max" else "asc"


def merge(run: dict[str, Any], challenge: dict[str, Any]) -> dict[str, Any]:
    """The request to re-run: the student's, the challenge's fixed fields over it (`fixed.run`
    over its one run), the steps capped by the budget (omitted: the budget)."""
    request = copy.deepcopy(run)
    fixed = copy.deepcopy(challenge.get("fixed") or {})
    fixed_run = fixed.pop("run", None) or {}
    params = fixed.pop("params", None)
    request.update(fixed)
    if params:  # the surface's parameters beside it: {"surface": {id, **params}}
        surface = request.get("surface")
        surface = {"id": surface} if isinstance(surface, str) else dict(surface or {})
        request["surface"] = surface | params
    runs = request.get("runs")
    if isinstance(runs, list) and runs and isinstance(runs[0], dict):
        request["runs"] = [runs[0] | fixed_run, *runs[1:]]
    elif fixed_run:
        request["runs"] = [fixed_run]
    budget = int(challenge["budget"]["steps"])
    steps = request.get("steps")
    request["steps"] = budget if not isinstance(steps, int) or isinstance(steps, bool) \
        else min(steps, budget)
    return request


@dataclass
class Outcome:
    """A scored re-run: what the gallery and the leaderboard show."""

    ok: bool
    score: float | None
    final: float | None  # the metric at the run's last evaluated step
    steps: int  # reach: the step the target was met at; else the steps taken
    reason: str | None  # why not ok (diverged, target not met)
    lr: float
    optimizer: str
    status: str

    def json(self) -> dict[str, Any]:
        return {"ok": self.ok, "score": self.score, "final": self.final, "steps": self.steps,
                "reason": self.reason, "lr": self.lr, "optimizer": self.optimizer,
                "status": self.status}


def rerun(runset: RunSet, goal: Goal, should_stop: StopCheck | None = None, every: int = 1
          ) -> tuple[Outcome, Any]:
    """Run the set's one run to its end with the run engine and score it; the outcome and the
    run's kept columns (for its path or boundary). `every`: keep (and score on) every k-th step
    and the last, as a network run's weights are kept (a long run of a big network would
    otherwise keep a weight vector a step)."""
    rec = record(runset, every=every, should_stop=should_stop)
    run, cols = runset.runs[0], rec.kept[0]
    series = getattr(cols, goal.metric, None)
    if series is None or len(series) < len(cols.step):
        raise ValueError(f"goal.metric: this run has no {goal.metric}")
    return score(goal, cols.step, series, run.status, run.reason, run.chosen_lr,
                 run.config.optimizer), cols


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def score(goal: Goal, steps: Sequence[int], values: Sequence[float | None], status: str,
          reason: str | None, lr: float, optimizer: str) -> Outcome:
    """Score one run from its metric at each kept step (None where not evaluated)."""
    evaluated = [(s, float(v)) for s, v in zip(steps, values, strict=True) if v is not None]
    finite = [(s, v) for s, v in evaluated if math.isfinite(v)]
    final = finite[-1][1] if finite else None
    taken = steps[-1] if steps else 0
    diverged = status == "diverged"

    def outcome(ok: bool, score_: float | None, why: str | None, n: int = taken) -> Outcome:
        return Outcome(ok, score_ if ok else None, final, n, why, lr, optimizer, status)

    if goal.kind == "reach":
        for s, v in finite:
            if goal.met(v):
                return outcome(True, float(s), None, s)
        why = reason if diverged else f"did not reach {goal.words()} within {taken} steps"
        return outcome(False, None, why)
    if diverged or final is None:
        return outcome(False, None, reason or f"no finite {goal.metric}")
    if goal.kind == "largest_lr":
        if goal.met(final):
            return outcome(True, lr, None)
        return outcome(False, None, f"ended at {goal.metric} {final:.4g}, not {goal.words()}: "
                                    "it did not converge")
    return outcome(True, final, None)  # best


def rank(submissions: list[dict[str, Any]], goal: Goal) -> list[dict[str, Any]]:
    """The leaderboard: scored submissions best first (ties: the earlier first), then the rest."""
    scored = [s for s in submissions if s.get("ok") and _finite(s.get("score"))]
    sign = -1.0 if goal.ranking() == "desc" else 1.0
    scored.sort(key=lambda s: (sign * s["score"], s["id"]))
    return scored + [s for s in submissions if s not in scored]


def subsample(points: Sequence[Any], limit: int = MAX_PATH_POINTS) -> list[Any]:
    """At most `limit` points, evenly spaced, always with the first and the last."""
    n = len(points)
    if n <= limit:
        return list(points)
    picks = sorted({round(i * (n - 1) / (limit - 1)) for i in range(limit)})
    return [points[i] for i in picks]
