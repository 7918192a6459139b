"""Liveness probe for Docker's HEALTHCHECK and for scripts waiting on the server."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Answer as long as the event loop is alive (on the loop itself: never queued behind the
    thread pool's work)."""
    return {"status": "ok"}
