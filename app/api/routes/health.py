"""Liveness probe for Docker's HEALTHCHECK and for scripts waiting on the server."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer as long as the event loop is alive."""
    return {"status": "ok"}
