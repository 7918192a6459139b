"""Assemble the FastAPI app: static files, templates, Plotly.js and routers; nothing else."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import __version__
from app.api import admission, errors
from app.api.jsonsafe import SafeJSONResponse
from app.api.live.classroom import Classroom
from app.api.routes import (
    classes,
    classroom,
    docs,
    flow,
    health,
    lessons,
    mlp,
    optimizers,
    pages,
    plotly_js,
    states,
    surfaces,
    trajectories,
    tune,
    ws,
)
from app.api.security import SecurityHeaders
from app.api.state_store import StateStore
from app.config import Settings, get_settings
from app.core.memory import keep_freed_memory


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    keep_freed_memory()  # the server owns its process: network steps reuse their arrays' memory
    app = FastAPI(
        title="Gradscape", version=__version__, default_response_class=SafeJSONResponse,
        docs_url=None, redoc_url=None,  # /docs is ours, served offline (routes/docs.py)
    )
    app.state.settings = settings
    app.state.sessions = 0  # live websocket sessions, for the concurrency limit
    app.state.live_sessions = set()  # the Session objects themselves, for introspection
    app.state.sessions_by_client = {}  # client address -> open sessions
    app.state.class_sockets_by_client = {}  # client address -> open class sockets
    app.state.state_store = StateStore(settings.data_dir / "states.sqlite3",
                                       max_rows=settings.max_states,
                                       max_age=settings.state_days * 86_400)
    app.state.classroom = Classroom(settings)  # the class server (docs/classroom.md)
    app.add_middleware(SecurityHeaders, settings=settings)
    errors.install(app)
    admission.install(app, settings.max_heavy_requests, settings.heavy_queue)
    app.state.templates = Jinja2Templates(directory=str(settings.templates_dir))
    app.mount("/static", StaticFiles(directory=str(settings.static_dir)), name="static")
    app.mount(docs.ASSETS, StaticFiles(directory=str(docs.swagger_ui_dir())), name="swagger-ui")
    for module in (health, pages, docs, surfaces, optimizers, trajectories, tune, mlp, flow,
                   lessons, classroom, classes, states, plotly_js, ws):
        app.include_router(module.router)
    return app


app = create_app()
