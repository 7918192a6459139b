"""JSON that a browser's JSON.parse accepts: no NaN, no Infinity, ever.

Starlette's JSONResponse refuses NaN (a 500), `send_json` writes it bare (invalid JSON). Every
response and websocket message of ours goes through `dumps`, which turns non-finite numbers into
null; the status fields next to them say why (e.g. a diverged run).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import orjson
from fastapi.responses import JSONResponse


def json_safe(value: Any) -> Any:
    """A copy of `value` with NaN/Infinity replaced by None and NumPy types made plain."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def _default(value: Any) -> Any:
    """What orjson cannot write itself: non-contiguous arrays, NumPy scalars of other kinds."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """Serialize with orjson (fast); it also writes null for any non-finite float that slips by."""
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY, default=_default)


def dumps_safe(value: Any) -> bytes:
    return dumps(json_safe(value))


class SafeJSONResponse(JSONResponse):
    """The app's default response class: orjson, non-finite numbers as null. A JSONResponse, so
    the OpenAPI document describes its routes' answers by their models (not as a string)."""

    def render(self, content: Any) -> bytes:
        return dumps_safe(content)
