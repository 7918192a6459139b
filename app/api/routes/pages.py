"""HTML pages, rendered from Jinja templates."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from app.api.routes.module_graph import page_scripts
from app.core.surfaces import SURFACES

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def descent(request: Request) -> HTMLResponse:
    """The descent view: optimizers on a 2D loss surface."""
    # the surfaces whose grid the map's first paint may ask for before the registries have
    # loaded (descent/first-paint.js): a link naming another is left to the page to correct
    return _page(request, "index.html", "descent/page.js", first="descent/first-paint.js",
                 surfaces=" ".join(SURFACES))


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network(request: Request) -> HTMLResponse:
    """The network view: a small network learning a 2D dataset, live."""
    # its first runs are asked for while the page's modules load (network/early-start.js)
    return _page(request, "network.html", "network/page.js", first="network/early-start.js")


@router.get("/backprop", response_class=HTMLResponse, include_in_schema=False)
def backprop(request: Request) -> HTMLResponse:
    """The backprop stepper: the chain rule, one step at a time."""
    return _page(request, "backprop.html", "backprop/page.js")


@router.get("/class/{class_id}", response_class=HTMLResponse, include_in_schema=False)
def class_join(request: Request, class_id: str) -> HTMLResponse:
    """The students' link: pick a nickname and join the class (docs/classroom.md)."""
    return _page(request, "class_join.html", "class/join-page.js")


@router.get("/class/{class_id}/gallery", response_class=HTMLResponse, include_in_schema=False)
def class_gallery(request: Request, class_id: str) -> HTMLResponse:
    """The class's gallery, for the projector: every submitted run, a scatter, a leaderboard."""
    return _page(request, "class_gallery.html", "class/gallery.js")


@router.get("/favicon.ico", include_in_schema=False)
def favicon(request: Request) -> FileResponse:
    """Browsers ask for /favicon.ico on their own; answer with the app's icon."""
    path = request.app.state.settings.static_dir / "img" / "favicon.svg"
    return FileResponse(path, media_type="image/svg+xml")


def _page(request: Request, template: str, entry: str, *, first: str | None = None,
          **context: object) -> HTMLResponse:
    """A page: its template, its entry module (and the one that runs ahead of everything, if
    any), and every module they import to preload."""
    scripts = page_scripts(request.app.state.settings.static_dir, entry, first)
    return request.app.state.templates.TemplateResponse(request, template, {**scripts, **context})
