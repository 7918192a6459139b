"""The optimizers and learning-rate schedules, with their hyperparameters and defaults."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from app.core.optimizers import OPTIMIZERS
from app.core.optimizers.catalog import STATE_KEYS, family_of
from app.core.schedules import SCHEDULES

router = APIRouter(prefix="/api", tags=["optimizers"])


@router.get("/optimizers")
def list_optimizers() -> list[dict[str, Any]]:
    """Each optimizer's id, name, one-line description, update equation and hyperparameters;
    `run_kinds`: the runs that can serve it ("surface", "network"); `trials`: whether its
    surface steps carry trial points (it asks its run for more than the gradient); `family`: its
    group in a picker (app/core/optimizers/catalog.py)."""
    return [
        {
            "id": cls.id,
            "name": cls.name,
            "description": cls.description,
            "equation": getattr(cls, "equation", ""),
            "family": family_of(cls.id),
            "run_kinds": list(cls.run_kinds),
            "trials": cls.needs_oracle and "surface" in cls.run_kinds,
            "hyperparameters": {k: asdict(h) for k, h in cls.hyperparameters.items()},
        }
        for cls in OPTIMIZERS.values()
    ]


@router.get("/optimizers/state-keys")
def list_state_keys() -> dict[str, dict[str, str]]:
    """What each key of an optimizer's `state` (live frames) means: {label, help, draw}, by key,
    or by "<optimizer id>.<key>" where one optimizer's key means something else."""
    return {key: asdict(info) for key, info in STATE_KEYS.items()}


@router.get("/schedules")
def list_schedules() -> list[dict[str, Any]]:
    """Each learning-rate schedule and its parameters."""
    return [
        {
            "id": kind,
            "name": getattr(cls, "name", kind),
            "description": getattr(cls, "description", ""),
            "parameters": {k: asdict(p) for k, p in cls.hyperparameters.items()},
        }
        for kind, cls in SCHEDULES.items()
    ]
