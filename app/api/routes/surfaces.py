"""The built-in surfaces and their grids (custom f(x, y) included)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.errors import ERROR_RESPONSES, clean_errors
from app.api.jsonsafe import SafeJSONResponse
from app.api.schemas.trajectories import SurfaceSpec
from app.core.surfaces import SURFACES, Surface

router = APIRouter(prefix="/api/surfaces", tags=["surfaces"], responses=ERROR_RESPONSES)


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
    request: Request,
    n: Annotated[int, Query(ge=2, description="points per side")] = 101,
    expr: Annotated[str | None, Query(description="custom f(x, y); with id 'custom'")] = None,
) -> SafeJSONResponse:
    """z[i][j] = f(x[j], y[i]) over the surface's plot bounds; values too large to draw are null.
    A parametrised surface takes its parameters as query parameters (the ravine: ?condition=10
    &angle=30), as `GET /api/surfaces` describes them."""
    limit = request.app.state.settings.max_grid
    if n > limit:
        raise _invalid(("query", "n"), f"n: at most {limit} points per side")
    params: dict[str, Any] = {}
    for name, value in request.query_params.items():
        if name in ("n", "expr"):
            continue
        try:
            params[name] = float(value)
        except ValueError:
            raise _invalid(("query", name), f"{name}: must be a number, got {value!r}") from None
    try:
        if surface_id == "custom":
            spec = SurfaceSpec(expr=expr if expr is not None else "", **params)
        else:
            spec = SurfaceSpec(id=surface_id, **params)
    except ValidationError as err:
        first = clean_errors(err.errors())[0]
        field = first["loc"][-1] if first["loc"] else ("expr" if surface_id == "custom"
                                                       else "surface_id")
        where = "path" if field in ("id", "surface_id") else "query"
        raise _invalid((where, "surface_id" if field == "id" else str(field)),
                       first["msg"]) from None
    surface = spec.surface
    xs, ys, zs = surface.grid(n)
    return SafeJSONResponse({"surface": describe(surface), "x": xs, "y": ys, "z": zs})


def _invalid(loc: tuple[str, ...], msg: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": msg, "input": None}])
