"""Liveness probe for Docker's HEALTHCHECK and for scripts waiting on the server."""

from __future__ import annotations

import os

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str | int]:
    """Answer as long as the event loop is alive (on the loop itself: never queued behind the
    thread pool's work); `worker` is the serving process (`gradscape --workers N`)."""
    return {"status": "ok", "worker": os.getpid()}
