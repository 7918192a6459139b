"""Random and malformed inputs for the fuzz tests (tests/api/test_fuzz.py) and bench/fuzz.py.

Messages are built around valid ones, so that they reach deep into validation instead of all
failing at the first check: a valid message with one field replaced, dropped or added, plus
plain garbage.
"""

from __future__ import annotations

import json
import random
from typing import Any

from app.api.schemas.ws import MESSAGE_TYPES

VALID = [
    {"type": "start", "surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 50, "speed": 0,
     "runs": [{"optimizer": "sgd", "lr": 1e-3}, {"optimizer": "adam", "lr": 0.05}]},
    {"type": "start", "surface": {"expr": "x**2 + 10*sin(y)"}, "steps": 20, "speed": 500,
     "runs": [{"optimizer": "momentum", "lr": 0.01, "schedule": {"kind": "step",
                                                                 "step_size": 5}}]},
    {"type": "start", "surface": {"id": "ravine", "condition": 30, "angle": 10}, "steps": 30,
     "runs": [{"optimizer": "rmsprop", "noise": 0.5, "seed": 3}]},
    {"type": "pause"}, {"type": "resume"}, {"type": "step", "n": 3},
    {"type": "set", "run": 0, "lr": 0.01}, {"type": "set", "run": "all", "weight_decay": 0.1},
    {"type": "speed", "speed": 100}, {"type": "reset"}, {"type": "stop"},
    {"type": "add_run", "run": {"optimizer": "rmsprop", "lr": 0.01}},
    {"type": "remove_run", "run": 1},
]

WEIRD_VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2**63, -(2**63), 1e308, -1e308, 1e-320, 0.5, "", "NaN",
    "Infinity", "-inf", "1e999", "x" * 1000, "__import__('os')", "x.__class__", "9**9**9**9",
    [], [1], [1, 2, 3], [None, None], ["a", "b"], {}, {"expr": "1/0"}, {"id": None},
    {"kind": "nope"}, "rosenbrock", "adam", "all", -0.0, 3.5, 10**6, [[0, 1], [1, 0]],
]


def mutate(rng: random.Random, message: dict[str, Any]) -> dict[str, Any]:
    m = json.loads(json.dumps(message))
    action = rng.random()
    keys = list(m)
    if action < 0.45 and keys:
        m[rng.choice(keys)] = rng.choice(WEIRD_VALUES)
    elif action < 0.6 and keys:
        del m[rng.choice(keys)]
    elif action < 0.75:
        m[rng.choice(["bogus", "lr", "runs", "n", "surface", "steps", "run", "beta1"])] = \
            rng.choice(WEIRD_VALUES)
    elif action < 0.9 and (isinstance(m.get("runs"), list) and m["runs"]
                           or isinstance(m.get("run"), dict)):
        run = m["runs"][0] if isinstance(m.get("runs"), list) else m["run"]
        run[rng.choice(["optimizer", "lr", "beta1", "momentum", "noise", "seed", "schedule",
                        "eps", "x"])] = rng.choice(WEIRD_VALUES)
    else:
        m["type"] = rng.choice([*MESSAGE_TYPES, "START", "", None, 5, "frame"])
    return m


def garbage(rng: random.Random) -> str:
    """Text that is not a valid message at all."""
    choice = rng.random()
    if choice < 0.3:
        return "".join(rng.choice('{}[]":,01aeNIn- \\') for _ in range(rng.randint(0, 40)))
    if choice < 0.5:
        text = json.dumps(rng.choice(VALID))
        return text[: rng.randint(0, len(text) - 1)]  # truncated
    if choice < 0.7:
        return json.dumps(rng.choice(WEIRD_VALUES))
    if choice < 0.85:
        return '{"type": "start", "steps": NaN, "runs": [{"optimizer": "sgd", "lr": Infinity}]}'
    return json.dumps({"type": "start", "runs": [{"optimizer": "sgd"}] * rng.randint(0, 50)})


def fuzz_message(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        return json.dumps(rng.choice(VALID))
    if r < 0.8:
        return json.dumps(mutate(rng, rng.choice(VALID)))
    return garbage(rng)


def trajectory_body(rng: random.Random) -> Any:
    """A body for POST /api/trajectories: mostly a mutated valid one."""
    valid = {k: v for k, v in rng.choice(VALID[:3]).items() if k not in ("type", "speed")}
    if rng.random() < 0.1:
        return rng.choice(WEIRD_VALUES)
    return mutate(rng, valid)
