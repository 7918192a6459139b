"""How many steps a live session takes next, and when: a plain class, tested without sockets.

Three ways to run: `step n` (a budget, taken at once), a speed in steps per second per run
(credit earned with time, at most one second owed), and speed 0 (as fast as allowed, in batches
of a few milliseconds that shrink as more sessions share the loop). Over all of them, a token
bucket of run-steps per second per session: one student at full speed cannot starve the class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_BATCH = 400  # run-steps computed per batch at full speed (~1 ms): short batches keep lag low
# Target compute time of one batch at full speed, on the event loop (surfaces): it holds every
# other session meanwhile.
BATCH_SECONDS = 0.004
# Sessions at full speed share the event loop in turns; a step waits for the others' turns
# before it is sent, so their batches shrink as they grow in number: one round of all of them
# takes about this long.
ROUND_SECONDS = 0.025
# A worker thread's batch (network runs) may be longer: it does not hold the event loop, and at
# full speed fewer, fuller frames go further than many of one step each (every frame costs the
# server and the page its boundary, serialization and drawing): about 40 frames a second. A
# batch has a fixed cost (the thread hop, a frame, a send: ~0.5 ms): at 4 ms /ws delivered ~75%
# of what the core computes on a small net (bench/network.py).
THREAD_BATCH_SECONDS = 0.025
FRAME_INTERVAL = 1 / 60  # target time between frames when running at full speed


@dataclass
class Pacer:
    max_run_steps_per_second: float
    speed: float = 60.0  # steps per second per run; 0: as fast as allowed
    budget: int | None = None  # steps left before pausing (the `step` command)
    seconds_per_step: float = 5e-6  # running estimate of one run-step's cost
    batch_seconds: float = BATCH_SECONDS  # target compute time of one batch
    _credit: float = 0.0  # steps earned at the current speed but not yet taken
    _last: float = 0.0
    _allowance: float = field(default=0.0)
    _refilled: float = 0.0

    def __post_init__(self) -> None:
        self._allowance = self.max_run_steps_per_second / 10

    def restart(self, now: float) -> None:
        """After a pause: nothing is owed for the time spent paused."""
        self._last, self._credit = now, 0.0

    @property
    def full_speed(self) -> bool:
        return self.speed == 0 and self.budget is None

    def next_batch(self, now: float, n_runs: int, busy_sessions: int) -> tuple[int, float]:
        """(steps per run to take now, 0 if none) and, when none, how long to wait first."""
        n_runs = max(1, n_runs)
        # However it runs, a batch takes a few milliseconds at most: the event loop (surfaces)
        # and the other sessions wait for it. What is left waits for the next batch.
        seconds = min(self.batch_seconds, ROUND_SECONDS / max(1, busy_sessions))
        longest = max(1, min(int(seconds / max(self.seconds_per_step * n_runs, 1e-9)),
                             MAX_BATCH // n_runs))
        if self.budget is not None:
            n = min(self.budget, longest)  # `step` does not wait
        elif self.speed > 0:
            self._credit = min(self._credit + (now - self._last) * self.speed, self.speed)
            self._last = now
            n = min(int(self._credit), longest)
            if n == 0:
                return 0, (1 - self._credit) / self.speed
            self._credit -= n
        else:
            n = longest
        # The per-session rate limit.
        limit = self.max_run_steps_per_second
        self._allowance = min(limit / 10, self._allowance + (now - self._refilled) * limit)
        self._refilled = now
        if self._allowance < n * n_runs:
            if self.budget is None and self.speed > 0:
                self._credit += n  # not taken: still owed
            return 0, (n * n_runs - self._allowance) / limit
        self._allowance -= n * n_runs
        return n, 0.0

    def took(self, steps: int, run_steps: int, seconds: float) -> bool:
        """Record a batch; True when a `step n` budget is used up (the session pauses). `steps`
        are the batch's steps that count against the budget: 0 for a batch taken without one
        (a `step n` that arrives while it computes still gets its n steps after it)."""
        if run_steps:
            self.seconds_per_step = 0.8 * self.seconds_per_step + 0.2 * seconds / run_steps
        if self.budget is not None:
            self.budget -= steps
            if self.budget <= 0:
                self.budget = None
                return True
        return False

    def pause_after_frame(self) -> float:
        """Seconds to wait after sending a batch: none at full speed or for `step n`."""
        if self.speed == 0 or self.budget is not None:
            return 0.0
        return min(FRAME_INTERVAL, 1 / self.speed)


# What a network frame may add beside its steps (a decision boundary, unit maps) is drawn, not
# trained on: it is sent at most every `interval` seconds, and at most `share` of the time
# goes to it. On a quiet machine the interval rules (a boundary costs ~1-2 ms); on a busy one a
# boundary takes tens of milliseconds of wall time, and ten a second took a third of a
# 32-32-32 net's training, so they come less often there.
VIEW_SHARE = 0.05


@dataclass
class Cadence:
    """When one run's next drawing is due, from when the last was made and what it cost."""

    interval: float  # seconds between two, at least
    share: float = VIEW_SHARE  # of the time since the last, at most, spent making one
    last: float = float("-inf")  # when the last was made (seconds, any monotonic clock)
    cost: float = 0.0  # seconds the last one took to make

    def due(self, now: float) -> bool:
        return now - self.last >= max(self.interval, self.cost / self.share)

    def made(self, now: float, cost: float) -> None:
        self.last, self.cost = now, cost

    def clear(self) -> None:
        """After a reset: the next is due at once."""
        self.last, self.cost = float("-inf"), 0.0
