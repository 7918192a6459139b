"""The API reference at /docs, offline: Swagger UI's files come from the installed
`fastapi-offline` package (FastAPI's own /docs loads them from a CDN, and /redoc too, which the
app's Content-Security-Policy blocks anyway; Swagger UI 5 reads FastAPI's OpenAPI 3.1). The page
starts Swagger UI from a script of its own (/docs/init.js), not an inline one, so the app's CSP
(`script-src 'self'`) holds here as well."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)
ASSETS = "/vendor/swagger-ui"


def swagger_ui_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gradscape API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" href="/static/img/favicon.svg">
</head>
<body>
<main id="swagger-ui" aria-label="Gradscape API reference"></main>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""
INIT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
});
"""


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    """The interactive API reference."""
    return HTMLResponse(PAGE)


@router.get("/docs/init.js")
async def docs_init() -> Response:
    return Response(INIT, media_type="text/javascript")
