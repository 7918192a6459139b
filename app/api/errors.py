"""Validation errors that name the field, the same way over HTTP (422) and the websocket.

Model validators of ours prefix their message with the field ("steps: at most ..."); that field
is moved into the error's location so a client can point at the exact control.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError

from app.api.jsonsafe import SafeJSONResponse

_FIELD_PREFIX = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*): ")


def clean_errors(errors: Iterable[dict[str, Any]], drop_prefix: int = 0) -> list[dict[str, Any]]:
    """Pydantic errors as {loc, field, msg, type}: the message without pydantic's "Value error, "
    and with our "name: " prefix turned into the last part of loc. `drop_prefix` removes leading
    loc parts (e.g. "body")."""
    out = []
    for e in errors:
        loc: list[Any] = list(e.get("loc", ()))[drop_prefix:]
        msg = str(e.get("msg", "invalid value")).removeprefix("Value error, ")
        m = _FIELD_PREFIX.match(msg)
        if m:  # "runs.1.lr: ..." -> loc [..., "runs", 1, "lr"]
            parts: list[Any] = [int(p) if p.isdigit() else p for p in m.group(1).split(".")]
            if loc[-len(parts):] != parts:
                loc.extend(parts)
        out.append({"loc": loc, "field": dotted(loc), "msg": msg, "type": e.get("type", "")})
    return out


def dotted(loc: Sequence[Any]) -> str:
    return ".".join(str(p) for p in loc)


async def _validation_handler(request: Request, exc: RequestValidationError) -> SafeJSONResponse:
    errors = clean_errors(exc.errors())
    first = errors[0] if errors else {"field": "", "msg": "invalid request"}
    message = f"{first['field']}: {first['msg']}" if first["field"] else first["msg"]
    return SafeJSONResponse({"detail": errors, "message": message}, status_code=422)


def field_error(err: ValueError | str) -> RequestValidationError:
    """A refusal found after parsing (a server limit, a weight the network lacks), as the 422 of
    any other invalid field: the message starts with the field's name."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body",), "msg": str(err), "input": None}])


# What every API operation may answer besides 200, for the OpenAPI document.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body is not JSON"},
    422: {"description": "a field was refused; `message` and `detail[].field` name it"},
}


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_handler)
