"""HTML pages, rendered from Jinja templates."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def descent(request: Request) -> HTMLResponse:
    """The descent view: optimizers on a 2D loss surface."""
    return request.app.state.templates.TemplateResponse(request, "index.html", {})
