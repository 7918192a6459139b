"""The built-in surfaces and their grids (custom f(x, y) included)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.jsonsafe import SafeJSONResponse
from app.api.schemas.trajectories import SurfaceSpec
from app.config import get_settings
from app.core.surfaces import SURFACES, Surface

router = APIRouter(prefix="/api/surfaces", tags=["surfaces"])


def describe(surface: Surface) -> dict[str, Any]:
    (x0, x1), (y0, y1) = surface.bounds
    return {
        "id": surface.id,
        "name": surface.name,
        "description": surface.description,
        "formula_latex": surface.formula_latex,
        "bounds": [[x0, x1], [y0, y1]],
        "minima": [list(m) for m in surface.minima],
        "min_value": surface.min_value,
        "default_start": list(surface.default_start),
        "params": dict(surface.params),
        "parameters": {k: asdict(h) for k, h in surface.parameters.items()},
    }


@router.get("")
def list_surfaces() -> list[dict[str, Any]]:
    """Every built-in surface with its formula, bounds, minima and default start."""
    return [describe(s) for s in SURFACES.values()]


@router.get("/{surface_id}/grid", response_class=SafeJSONResponse)
def surface_grid(
    surface_id: str,
    n: Annotated[int, Query(ge=2, description="points per side")] = 101,
    expr: Annotated[str | None, Query(description="custom f(x, y); with id 'custom'")] = None,
    condition: Annotated[float | None, Query(description="ravine condition number")] = None,
    angle: Annotated[float | None, Query(description="ravine rotation, degrees")] = None,
) -> SafeJSONResponse:
    """z[i][j] = f(x[j], y[i]) over the surface's plot bounds; values too large to draw are null."""
    limit = get_settings().max_grid
    if n > limit:
        raise _invalid(("query", "n"), f"n: at most {limit} points per side")
    try:
        if surface_id == "custom":
            spec = SurfaceSpec(expr=expr if expr is not None else "")
        else:
            spec = SurfaceSpec(id=surface_id, condition=condition, angle=angle)
    except ValidationError as err:
        field = "expr" if surface_id == "custom" else "surface_id"
        loc = ("query", field) if field == "expr" else ("path", field)
        raise _invalid(loc, err.errors()[0]["msg"].removeprefix("Value error, ")) from None
    surface = spec.surface
    xs, ys, zs = surface.grid(n)
    return SafeJSONResponse({"surface": describe(surface), "x": xs, "y": ys, "z": zs})


def _invalid(loc: tuple[str, ...], msg: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": msg, "input": None}])
