"""Messages waiting to be sent to one client. A frame posted right after a frame is merged into
it (coalescing): a slow client gets fewer, larger messages instead of a queue, and the steps
waiting are counted so the producer can wait for the client."""

from __future__ import annotations

from collections import deque
from typing import Any


class Outbox:
    def __init__(self) -> None:
        self.messages: deque[dict[str, Any]] = deque()
        self.pending_steps = 0  # run-steps in the frames waiting

    def __len__(self) -> int:
        return len(self.messages)

    def post(self, message: dict[str, Any]) -> None:
        if message["type"] == "frame":
            self.pending_steps += count_steps(message)
            if self.messages and self.messages[-1]["type"] == "frame":
                merge_frames(self.messages[-1], message)  # keeps the older `t`
                return
        self.messages.append(message)

    def pop(self) -> dict[str, Any]:
        message = self.messages.popleft()
        if message["type"] == "frame":
            self.pending_steps -= count_steps(message)
        return message


def count_steps(frame: dict[str, Any]) -> int:
    return sum(_n_steps(r["steps"]) for r in frame["runs"])


def _n_steps(steps: list[Any] | dict[str, list[Any]]) -> int:
    return len(steps["step"]) if isinstance(steps, dict) else len(steps)


def merge_frames(into: dict[str, Any], new: dict[str, Any]) -> None:
    """Add a frame's steps to an earlier frame's; everything else describes the latest."""
    by_id = {r["id"]: r for r in into["runs"]}
    for r in new["runs"]:
        old = by_id.get(r["id"])
        if old is None:
            into["runs"].append(r)
            by_id[r["id"]] = r
        else:
            if isinstance(old["steps"], dict):
                _extend_columns(old["steps"], r["steps"])
            else:
                old["steps"].extend(r["steps"])
            old.update((k, v) for k, v in r.items() if k != "steps")


def _extend_columns(into: dict[str, list[Any]], new: dict[str, list[Any]]) -> None:
    """Append one batch's columns to another's; a column only one of them has (a network's
    weights, sent every k-th step) is padded with nulls, so every column stays one per step."""
    n_into, n_new = len(into["step"]), len(new["step"])
    for name in [*into, *(k for k in new if k not in into)]:
        column = into.get(name)
        if column is None:
            column = into[name] = [None] * n_into
        column.extend(new[name] if name in new else [None] * n_new)
