"""Plotly.js, from the plotly Python package (the app stays offline), with a compile hint.

The bundle is 4.8 MB of functions that all run when it loads. V8 compiles a function lazily, on
the main thread, when it is first called; the magic comment `//# allFunctionsCalledOnLoad` on the
first line asks Chromium to compile them all eagerly while the script streams in, off the main
thread. Measured at a phone's speed (CPU throttled 4x): the script's main-thread task goes from
3.8-4.4 s to 2.4-2.8 s (docs/performance.md). Other engines ignore the comment.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import plotly
from fastapi import APIRouter, Request, Response

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"

router = APIRouter(tags=["vendor"])


@cache
def hinted_plotly() -> tuple[bytes, str]:
    """The bundle with the hint on its first line, and its ETag (read once per process)."""
    body = COMPILE_HINT + PLOTLY_JS.read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@router.get("/vendor/plotly/plotly.min.js", include_in_schema=False)
def plotly_js(request: Request) -> Response:
    body, etag = hinted_plotly()
    headers = {"ETag": etag, "Cache-Control": "no-cache"}  # revalidated: a new plotly, a new tag
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/javascript", headers=headers)
