"""The live-run websocket, `/ws`: see docs/protocol.md."""

from __future__ import annotations

import logging

from fastapi import APIRouter, WebSocket

from app.api.jsonsafe import dumps
from app.api.live.classroom import ClassSocket
from app.api.live.session import Session
from app.api.security import handshake_refusal

router = APIRouter(tags=["live"])
log = logging.getLogger("gradscape.ws")


async def _handshake_refused(websocket: WebSocket) -> bool:
    """Host and Origin checked (app/api/security.py); a refusal closes before accepting."""
    refusal = handshake_refusal(websocket.headers.get("host"), websocket.headers.get("origin"),
                                websocket.app.state.settings)
    if refusal is None:
        return False
    log.warning("refused a websocket handshake from origin %r: %s",
                websocket.headers.get("origin"), refusal)
    await websocket.close(code=1008)  # before accept: the handshake gets HTTP 403
    return True


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    """Stream optimizer runs step by step; the client steers them while they run."""
    app = websocket.app
    settings = app.state.settings
    if await _handshake_refused(websocket):
        return
    client = websocket.client.host if websocket.client else "?"
    await websocket.accept()
    per_client = app.state.sessions_by_client
    if per_client.get(client, 0) >= settings.max_sessions_per_client:
        log.warning("refused a live session from %s: it has %d open "
                    "(GRADSCAPE_MAX_SESSIONS_PER_CLIENT)", client, per_client[client])
        await _refuse(websocket, "too_many_sessions",
                      f"this address already has {settings.max_sessions_per_client} live "
                      "sessions open; close a tab and try again (a class behind one address: "
                      "the teacher raises GRADSCAPE_MAX_SESSIONS_PER_CLIENT)")
        return
    if app.state.sessions >= settings.max_sessions:
        log.warning("refused a live session from %s: %d open (GRADSCAPE_MAX_SESSIONS)", client,
                    app.state.sessions)
        # Accept first: a refused handshake cannot tell the browser why.
        await _refuse(websocket, "too_many_sessions",
                      f"the server already serves {settings.max_sessions} live sessions; "
                      "try again in a moment (the teacher can raise GRADSCAPE_MAX_SESSIONS)")
        return
    app.state.sessions += 1
    per_client[client] = per_client.get(client, 0) + 1
    session = Session(websocket, settings)
    app.state.live_sessions.add(session)
    try:
        await session.serve()
    finally:
        app.state.live_sessions.discard(session)
        app.state.sessions -= 1
        per_client[client] -= 1
        if per_client[client] <= 0:
            del per_client[client]


async def _refuse(websocket: WebSocket, code: str, message: str) -> None:
    await websocket.send_text(
        dumps({"type": "error", "code": code, "field": None, "message": message}).decode()
    )
    await websocket.close(code=1013, reason=code.replace("_", " "))


@router.websocket("/ws/class")
async def class_socket(websocket: WebSocket) -> None:
    """A class: the teacher leads, students follow, challenges and their results (see
    docs/classroom.md). Counted per client address apart from live sessions: a class socket
    computes nothing."""
    app = websocket.app
    settings = app.state.settings
    if await _handshake_refused(websocket):
        return
    client = websocket.client.host if websocket.client else "?"
    await websocket.accept()
    per_client = app.state.class_sockets_by_client
    if per_client.get(client, 0) >= settings.max_sessions_per_client:
        log.warning("refused a class socket from %s: it has %d open "
                    "(GRADSCAPE_MAX_SESSIONS_PER_CLIENT)", client, per_client[client])
        await _refuse(websocket, "too_many_sessions",
                      f"this address already has {settings.max_sessions_per_client} class "
                      "pages open; close a tab and try again (a class behind one address: "
                      "the teacher raises GRADSCAPE_MAX_SESSIONS_PER_CLIENT)")
        return
    per_client[client] = per_client.get(client, 0) + 1
    try:
        await ClassSocket(app.state.classroom, websocket).serve()
    finally:
        per_client[client] -= 1
        if per_client[client] <= 0:
            del per_client[client]
