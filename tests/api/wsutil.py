"""Helpers for websocket tests: strict parsing and reading until a message of a kind."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np


def strict_loads(text: str) -> Any:
    """Parse as a browser's JSON.parse would: NaN and Infinity are refused."""

    def refuse(token: str) -> Any:
        raise AssertionError(f"non-standard JSON constant {token} in {text[:200]}")

    return json.loads(text, parse_constant=refuse)


def step_rows(columns: dict[str, list]) -> list[dict]:
    """A frame's steps (columns, one list per field) as one dict per step; a null in a column
    only some steps fill (a network's weights) means the step does not carry that field."""
    n = len(columns["step"])
    assert all(len(c) == n for c in columns.values()), "every column has one entry per step"
    rows = [{k: c[i] for k, c in columns.items() if c[i] is not None or k not in SPARSE}
            for i in range(n)]
    for row in rows:
        for name in ("weights", "grads"):
            if name in row:
                row[name] = [{"W": unpacked(layer["W"], len(unpacked(layer["b"]))),
                              "b": unpacked(layer["b"])} for layer in row[name]]
    return rows


def unpacked(value: Any, rows: int | None = None) -> Any:
    """A layer's W or b as numbers: as columns they travel packed (base64 of little-endian
    float64s, row by row; docs/protocol.md), unless not finite (then as numbers and nulls)."""
    if not isinstance(value, str):
        return value
    flat = np.frombuffer(base64.b64decode(value), dtype="<f8")
    return (flat if rows is None else flat.reshape(rows, -1)).tolist()


SPARSE = {"weights", "grads", "sharpness", "sharpness_threshold", "preconditioned_sharpness",
          "preconditioned_threshold"}  # the columns a network sends every k-th step only


def collect_steps(messages: list[dict], run: int) -> list[dict]:
    """Every step of one run across the frames received so far, in order."""
    steps = []
    for m in messages:
        if m["type"] == "frame":
            for r in m["runs"]:
                if r["id"] == run:
                    s = r["steps"]
                    steps.extend(step_rows(s) if isinstance(s, dict) else s)
    return steps


class Reader:
    """Wraps a TestClient websocket session; keeps every message for later inspection."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.messages: list[dict] = []

    def send(self, message: dict | str) -> None:
        self.ws.send_text(message if isinstance(message, str) else json.dumps(message))

    def next(self) -> dict:
        m = strict_loads(self.ws.receive_text())
        self.messages.append(m)
        return m

    def until(self, kind: str, limit: int = 100_000, **match: Any) -> dict:
        for _ in range(limit):
            m = self.next()
            if m["type"] == kind and all(m.get(k) == v for k, v in match.items()):
                return m
            if m["type"] == "error":
                raise AssertionError(f"error while waiting for {kind}: {m}")
        raise AssertionError(f"no {kind} message among {limit}")

    def steps(self, run: int) -> list[dict]:
        return collect_steps(self.messages, run)
