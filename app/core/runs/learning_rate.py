"""The learning rate of a run: torch's `param_group["lr"]` under an lr scheduler.

One rule for every run, surface or network, live or one-shot:
- step k + 1 uses the lr after k scheduler steps (torch's loop: `opt.step(); sched.step()`);
- the scheduler computes each lr from the current one (`Schedule.next_lr`, torch's chainable
  `get_lr`), so it may reach 0 (StepLR with gamma 0), exactly as torch does;
- `set(v)` is `param_group["lr"] = v`: the next step uses v and the schedule goes on from v
  (StepLR(50, 0.1), lr set to 0.02 at step 121: 0.02 up to step 150, then 0.002).
"""

from __future__ import annotations

from app.core.schedules import Schedule


class LearningRate:
    def __init__(self, schedule: Schedule, base: float) -> None:
        self.schedule = schedule
        self.base = base  # the scheduler's initial lr (torch's base_lrs)
        self.value = base  # the lr the next step uses

    def set(self, value: float) -> None:
        """param_group["lr"] = value (the scheduler's base_lrs stay, as in torch)."""
        self.value = value

    def restart(self, base: float | None = None) -> None:
        """A fresh scheduler from `base` (default: the current initial lr)."""
        if base is not None:
            self.base = base
        self.value = self.base

    def after_step(self, t: int) -> float:
        """The scheduler's t-th step (t = steps taken so far): the lr of step t + 1."""
        self.value = self.schedule.next_lr(self.value, self.base, t)
        return self.value
