"""The live-run websocket, `/ws`: see docs/protocol.md."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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


@asynccontextmanager
async def _client_slot(websocket: WebSocket, table: dict[str, int],
                       what: str) -> AsyncIterator[bool]:
    """One of the address's `max_sessions_per_client` sockets of a kind (`table` counts them):
    yields False, after telling the client why, when the address has them all open."""
    limit = websocket.app.state.settings.max_sessions_per_client
    client = websocket.client.host if websocket.client else "?"
    if table.get(client, 0) >= limit:
        log.warning("refused a %s from %s: it has %d open (GRADSCAPE_MAX_SESSIONS_PER_CLIENT)",
                    what, client, table[client])
        await _refuse(websocket, "too_many_sessions",
                      f"this address already has {limit} {what}s open; close a tab and try "
                      "again (a class behind one address: the teacher raises "
                      "GRADSCAPE_MAX_SESSIONS_PER_CLIENT)")
        yield False
        return
    table[client] = table.get(client, 0) + 1
    try:
        yield True
    finally:
        table[client] -= 1
        if table[client] <= 0:
            del table[client]


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    """Stream optimizer runs step by step; the client steers them while they run."""
    app = websocket.app
    settings = app.state.settings
    if await _handshake_refused(websocket):
        return
    await websocket.accept()  # first: a refused handshake cannot tell the browser why
    async with _client_slot(websocket, app.state.sessions_by_client, "live session") as ok:
        if not ok:
            return
        if app.state.sessions >= settings.max_sessions:
            log.warning("refused a live session: %d open (GRADSCAPE_MAX_SESSIONS)",
                        app.state.sessions)
            await _refuse(websocket, "too_many_sessions",
                          f"the server already serves {settings.max_sessions} live sessions; "
                          "try again in a moment (the teacher can raise GRADSCAPE_MAX_SESSIONS)")
            return
        app.state.sessions += 1
        session = Session(websocket, settings)
        app.state.live_sessions.add(session)
        try:
            await session.serve()
        finally:
            app.state.live_sessions.discard(session)
            app.state.sessions -= 1


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
    if await _handshake_refused(websocket):
        return
    await websocket.accept()
    async with _client_slot(websocket, websocket.app.state.class_sockets_by_client,
                            "class page") as ok:
        if ok:
            await ClassSocket(websocket.app.state.classroom, websocket).serve()
