"""The live session's pacing, as a plain class: how many steps next, and when."""

from __future__ import annotations

import pytest

from app.api.live.pacing import BATCH_SECONDS, MAX_BATCH, THREAD_BATCH_SECONDS, Cadence, Pacer


def pacer(**kw) -> Pacer:
    p = Pacer(max_run_steps_per_second=1e9, **kw)
    p.restart(0.0)
    return p


def test_a_speed_earns_steps_with_time_and_owes_at_most_a_second() -> None:
    p = pacer(speed=10, seconds_per_step=1e-6)
    assert p.next_batch(0.05, 1, 0) == (0, pytest.approx(0.05))  # half a step earned: wait
    assert p.next_batch(0.1, 1, 0)[0] == 1
    assert p.next_batch(0.6, 1, 0)[0] == 5
    assert p.next_batch(100.0, 1, 0)[0] == 10  # a long stall is not paid back in a burst


def test_step_n_takes_its_budget_then_pauses() -> None:
    p = pacer(budget=7, seconds_per_step=1e-6)
    n, _ = p.next_batch(0.0, 1, 0)
    assert n == 7
    assert p.took(n, n, 1e-5) is True and p.budget is None


def test_every_batch_is_short_in_time_however_it_runs() -> None:
    """A 99-term formula (1 ms a step) at 1,000 steps/s: batches of a few steps, not 1,000 at
    once, so the event loop never stalls for the rest of the class."""
    slow = 1e-3
    longest = int(BATCH_SECONDS / slow)
    paced = pacer(speed=1000, seconds_per_step=slow)
    assert paced.next_batch(1.0, 1, 0)[0] == longest
    assert paced.next_batch(1.001, 1, 0)[0] == longest  # the rest is still owed
    assert pacer(budget=5000, seconds_per_step=slow).next_batch(0.0, 1, 0)[0] == longest
    assert pacer(speed=0, seconds_per_step=slow).next_batch(0.0, 1, 0)[0] == longest
    assert pacer(speed=0, seconds_per_step=1e-9).next_batch(0.0, 4, 0)[0] == MAX_BATCH // 4
    # Many sessions at full speed: each one's batch shrinks so a round of all stays short.
    assert pacer(speed=0, seconds_per_step=1e-5).next_batch(0.0, 1, 50)[0] < \
        pacer(speed=0, seconds_per_step=1e-5).next_batch(0.0, 1, 1)[0]


def test_the_rate_limit_per_session() -> None:
    p = Pacer(max_run_steps_per_second=100, speed=0, seconds_per_step=BATCH_SECONDS / 5)
    p.restart(0.0)
    # The bucket starts with a tenth of a second's worth (10 run-steps): two batches of 5.
    assert p.next_batch(0.0, 1, 0) == (5, 0.0)
    assert p.next_batch(0.0, 1, 0) == (5, 0.0)
    n, wait = p.next_batch(0.0, 1, 0)
    assert n == 0 and wait == pytest.approx(5 / 100)
    assert p.next_batch(wait, 1, 0) == (5, 0.0)


def test_a_worker_threads_batch_is_longer_so_full_speed_is_the_fastest() -> None:
    """Network runs step in a worker thread: at full speed their batches fill a frame at about
    40 fps (THREAD_BATCH_SECONDS) instead of a few milliseconds' worth, so 'max' sends fewer,
    fuller frames and beats any paced speed instead of drowning in one-step frames."""
    slow = 1e-3  # a 32-32-32 network's step on a loaded machine
    inline = pacer(speed=0, seconds_per_step=slow).next_batch(0.0, 1, 1)[0]
    threaded = pacer(speed=0, seconds_per_step=slow, batch_seconds=THREAD_BATCH_SECONDS)
    assert threaded.next_batch(0.0, 1, 1)[0] == int(THREAD_BATCH_SECONDS / slow) > 4 * inline
    assert 1 / THREAD_BATCH_SECONDS >= 30  # still at least 30 frames a second



def test_a_drawing_comes_at_most_every_interval_while_cheap() -> None:
    c = Cadence(interval=0.1, share=0.05)
    assert c.due(0.0)  # the first at once
    c.made(0.0, cost=0.002)  # 2 ms: 2% of 0.1 s, so the interval rules
    assert not c.due(0.099) and c.due(0.1)


def test_a_costly_drawing_takes_at_most_its_share_of_the_time() -> None:
    """On a busy machine a boundary took 30 ms of wall time: at 5% it comes every 0.6 s."""
    c = Cadence(interval=0.1, share=0.05)
    c.made(10.0, cost=0.03)
    assert not c.due(10.55) and c.due(10.61)
    c.made(10.6, cost=0.001)  # cheap again: back to the interval
    assert not c.due(10.69) and c.due(10.71)
    c.clear()  # a reset: at once
    assert c.due(10.6)
