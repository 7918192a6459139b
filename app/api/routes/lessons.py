"""Lesson presets for the stability lab: each as the websocket `start` message that plays it,
and lambda_0 (the catapult's yardstick) for any network start.

Routes are plain `def`: lambda_0 is a Lanczos run in NumPy, done in Starlette's threadpool.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import Field, ValidationError

from app.api.errors import ERROR_RESPONSES, field_error
from app.api.schemas.mlp import NetworkIn, Seed, TrainingData
from app.api.schemas.ws import StartNetwork
from app.core.lessons import CATAPULT, LESSONS, Lesson, catapult_lrs, initial_sharpness
from app.core.mlp import MLP
from app.core.runs import make_problem

router = APIRouter(prefix="/api/lessons", tags=["lessons"], responses=ERROR_RESPONSES)

Multiple = Annotated[float, Field(gt=0.0, le=50.0, allow_inf_nan=False)]


class CatapultRequest(TrainingData):
    """A network start (the fields of the network `start` message that fix the initial
    weights) and the multiples c of 1 / lambda_0 to run at."""

    network: NetworkIn = Field(default_factory=NetworkIn)
    seed: Seed = Field(0, description="seeds the initial weights")
    multiples: list[Multiple] = Field(list(CATAPULT.multiples), min_length=1, max_length=8,
                                      description="one full-batch GD run at c / lambda_0 each")
    steps: int = Field(CATAPULT.steps, ge=1, le=5_000)


def lesson_start(lesson: Lesson, lrs: list[float]) -> dict[str, Any]:
    """The websocket `start` that plays the lesson, checked by the same schema as a client's."""
    start = {
        "type": "start", "columns": True, "seed": lesson.seed, "steps": lesson.steps,
        "speed": lesson.speed, "sharpness_every": lesson.sharpness_every,
        "dataset": {"id": lesson.dataset, "n": lesson.n, "seed": 0},
        "network": {"hidden": list(lesson.hidden), "activation": lesson.activation},
        "runs": [{"optimizer": "sgd", "lr": lr} for lr in lrs],
    }
    StartNetwork.model_validate(start)
    return start


def measure_lambda0(body: CatapultRequest) -> tuple[float, int]:
    """(lambda_0, parameter count) at the initial weights the same start would draw."""
    x, labels = body.data()
    sizes = (x.shape[1], *body.network.hidden, body.n_outputs)
    model = MLP.build(sizes, body.network.activation, body.loss)
    problem = make_problem(model, x, labels, body.seed, body.network.init, plane=None)
    with np.errstate(all="ignore"):
        return initial_sharpness(model, problem.theta0, problem.x, problem.y), model.n_params


@cache
def _preset_lambda0() -> float:
    body = CatapultRequest(dataset={"id": CATAPULT.dataset, "n": CATAPULT.n},
                           network={"hidden": list(CATAPULT.hidden),
                                    "activation": CATAPULT.activation}, seed=CATAPULT.seed)
    return measure_lambda0(body)[0]


def lesson_json(lesson: Lesson) -> dict[str, Any]:
    out: dict[str, Any] = {"id": lesson.id, "title": lesson.title, "see": lesson.see,
                           "question": lesson.question}
    if lesson.multiples:
        lambda0 = _preset_lambda0()
        out |= {"lambda_0": lambda0, "multiples": list(lesson.multiples)}
        lrs = catapult_lrs(lambda0, lesson.multiples)
    else:
        lrs = list(lesson.lrs)
    return out | {"lrs": lrs, "start": lesson_start(lesson, lrs)}


@router.get("")
def lessons() -> dict[str, Any]:
    """The stability lab's lessons, each with the websocket `start` message that plays it."""
    return {"lessons": [lesson_json(lesson) for lesson in LESSONS.values()]}


@router.post("/catapult")
def catapult(body: CatapultRequest) -> dict[str, Any]:
    """lambda_0 at a network start's initial weights, and the catapult's runs at c / lambda_0:
    the `start` message to send (full-batch GD, sharpness every 10 steps)."""
    lambda0, n_params = measure_lambda0(body)
    try:
        lrs = catapult_lrs(lambda0, tuple(body.multiples))
        start = lesson_start(CATAPULT, lrs) | {
            "dataset": body.dataset.model_dump(), "network": body.network.model_dump(),
            "seed": body.seed, "steps": body.steps}
        if body.points is not None:
            start["points"] = body.points
        StartNetwork.model_validate(start)
    except ValidationError as err:  # an lr out of SGD's range (lambda_0 tiny or huge)
        raise RequestValidationError(err.errors()) from None
    except ValueError as err:
        raise field_error(f"network: {err}") from None
    return {"lambda_0": lambda0, "n_params": n_params, "multiples": body.multiples, "lrs": lrs,
            "start": start}
