"""A run set's runs added and removed mid-way: a run added at step k has, step for step, the path
of the same run started with the others (the same start, the same initial weights), and then
steps in lockstep with them."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest

from app.core.runs import (
    Added,
    Diverged,
    Finished,
    NetworkRun,
    Removed,
    RunConfig,
    RunSet,
    Steps,
    SurfaceRun,
)
from app.core.surfaces import SURFACES
from tests.core.test_network_runs import moons_problem

SGD, ADAM = RunConfig("sgd", lr=0.05), RunConfig("adam", lr=0.05)


def same(a, b) -> bool:
    """Equal columns, arrays and nan included."""
    if isinstance(a, np.ndarray | list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b or (a is not None and b is not None and np.array_equal(a, b))


def path(runset: RunSet, i: int, events) -> dict:
    """Run i's steps across events: its catch-up path, then its frames, as columns by field."""
    out: dict = {}
    for e in events:
        cols = e.columns if isinstance(e, Added) and e.run == i else (
            e.columns[i] if isinstance(e, Steps) and i < len(e.columns) else None)
        if cols is not None:
            for f in fields(cols):
                out.setdefault(f.name, []).extend(getattr(cols, f.name))
    return out


def surface_runs(configs):
    bowl = SURFACES["bowl"]
    return [SurfaceRun(bowl, (-2.5, 2.0), c) for c in configs]


_PROBLEMS: dict = {}


def network_runs(configs):
    """Runs on one problem, as a live session's: the runs share its initial weights and the
    sharpness measured there."""
    problem = _PROBLEMS.setdefault("moons", moons_problem())
    return [NetworkRun(problem, c, sharpness_every=5) for c in configs]


@pytest.mark.parametrize("make", [surface_runs, network_runs])
@pytest.mark.parametrize("at", [0, 7, 23])
def test_a_run_added_mid_way_has_the_path_of_one_started_with_the_others(make, at) -> None:
    _PROBLEMS.clear()
    together = RunSet(make([SGD, ADAM]), 40)
    reference = list(together.events(batch=5))

    runset = RunSet(make([SGD]), 40)
    events = [Steps([r.head() for r in runset.runs])]
    while runset.runs[0].step_count < at:
        events += runset.advance(min(5, at - runset.runs[0].step_count))
    added = make([ADAM])[0]
    assert runset.queue_add(added, runset.catch_up(added)) == 1
    assert len(runset.runs) == 1  # not before the step boundary
    while not runset.finished:
        events += runset.advance(5)

    first = [e for e in events if isinstance(e, Added)]
    assert len(first) == 1 and first[0].columns.step == list(range(at + 1))  # caught up at once
    for i in (0, 1):
        got, want = path(runset, i, events), path(together, i, reference)
        assert got.keys() == want.keys()
        for name in want:
            assert same(got[name], want[name]), (i, name)
    assert [r.step_count for r in runset.runs] == [40, 40]
    assert isinstance(events[-1], Finished)


def test_the_others_step_on_while_a_run_catches_up() -> None:
    """The catch-up is computed aside; the steps taken meanwhile are added at the boundary."""
    runset = RunSet(surface_runs([SGD]), 100)
    runset.advance(10)
    added = surface_runs([ADAM])[0]
    catch_up = runset.catch_up(added)  # to step 10
    runset.advance(5)  # the others go on meanwhile
    runset.queue_add(added, catch_up)
    events = runset.advance(5)
    assert isinstance(events[0], Added) and events[0].columns.step == list(range(16))
    steps = next(e for e in events if isinstance(e, Steps))
    assert [c.step for c in steps.columns] == [list(range(16, 21))] * 2


def test_a_diverging_added_run_says_so() -> None:
    runset = RunSet(surface_runs([SGD]), 60)
    runset.advance(50)
    run = surface_runs([RunConfig("sgd", lr=5.0)])[0]
    runset.queue_add(run, runset.catch_up(run))
    events = runset.advance(1)
    assert isinstance(events[0], Added) and isinstance(events[1], Diverged)
    assert events[1].run == 1 and run.status == "diverged"


def test_removing_a_run_moves_the_later_ids_down() -> None:
    runset = RunSet(surface_runs([SGD, ADAM, RunConfig("rmsprop", lr=0.01)]), 30)
    runset.advance(3)
    rmsprop = runset.runs[2]
    runset.queue_remove(0)
    runset.queue_set([1], {"lr": 0.02})  # ids as they will be: run 1 is rmsprop now
    events = runset.advance(2)
    assert isinstance(events[0], Removed) and events[0].run == 0
    assert runset.runs[1] is rmsprop and rmsprop.lr == 0.02
    with pytest.raises(IndexError):
        runset.queue_remove(2)
    runset.queue_remove(0)
    with pytest.raises(ValueError, match="last run"):
        runset.queue_remove(0)


def test_an_add_then_a_remove_wait_for_two_boundaries() -> None:
    """The events of one boundary name runs by their final ids: a removal after an addition
    waits for the next boundary."""
    runset = RunSet(surface_runs([SGD, ADAM]), 30)
    new = surface_runs([SGD])[0]
    runset.queue_add(new, runset.catch_up(new))
    runset.queue_remove(0)
    first = runset.advance(1)
    assert [type(e) for e in first[:1]] == [Added] and not any(
        isinstance(e, Removed) for e in first)
    second = runset.advance(1)
    assert isinstance(second[0], Removed) and runset.runs[1] is new


def test_flush_finishes_again_and_a_reset_keeps_a_queued_run() -> None:
    runset = RunSet(surface_runs([SGD]), 20)
    list(runset.events())
    assert runset.finished
    late = surface_runs([ADAM])[0]
    runset.queue_add(late, runset.catch_up(late))
    events = runset.flush()
    assert isinstance(events[0], Added) and events[0].columns.step == list(range(21))
    assert isinstance(events[-1], Finished) and late.status == "done"
    assert not runset.pending

    extra = surface_runs([SGD])[0]
    runset.queue_add(extra, runset.catch_up(extra))
    runset.queue_set([0], {"lr": 0.5})
    runset.reset()  # the queued set is dropped; the queued run starts over too
    assert len(runset.runs) == 2 and all(r.step_count == 0 for r in runset.runs)
    events = runset.flush()
    assert [type(e) for e in events] == [Added] and events[0].columns.step == [0]
    assert runset.runs[2] is extra and runset.runs[0].lr == SGD.lr


def test_flush_applies_one_boundary_at_a_time() -> None:
    """Each call's events name runs as they are after it: an addition, then a removal of an
    earlier run, come in two calls."""
    runset = RunSet(surface_runs([SGD, ADAM]), 30)
    new = surface_runs([RunConfig("rmsprop", lr=0.01)])[0]
    runset.queue_add(new, runset.catch_up(new))
    runset.queue_remove(0)
    first = runset.flush()
    assert [type(e) for e in first] == [Added] and first[0].run == 2 and runset.pending
    assert runset.runs[first[0].run] is new
    second = runset.flush()
    assert [type(e) for e in second] == [Removed] and not runset.pending
