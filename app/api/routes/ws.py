"""The live-run websocket, `/ws`: see docs/protocol.md."""

from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket

from app.api.jsonsafe import dumps
from app.api.session import Session

router = APIRouter(tags=["live"])
log = logging.getLogger("gradscape.ws")


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    """Stream optimizer runs step by step; the client steers them while they run."""
    app = websocket.app
    settings = app.state.settings
    await websocket.accept()
    if app.state.sessions >= settings.max_sessions:
        # Accept first: a refused handshake cannot tell the browser why.
        await websocket.send_text(dumps({
            "type": "error", "code": "too_many_sessions", "field": None,
            "message": f"the server already serves {settings.max_sessions} live sessions; "
                       "try again in a moment",
        }).decode())
        await websocket.close(code=1013, reason="too many sessions")
        return
    app.state.sessions += 1
    session = Session(websocket, settings)
    app.state.live_sessions.add(session)
    try:
        await session.serve()
    finally:
        app.state.live_sessions.discard(session)
        app.state.sessions -= 1
