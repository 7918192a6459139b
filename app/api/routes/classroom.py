"""Serving a class: the teacher's LAN address, and QR codes students can scan to join."""

from __future__ import annotations

import io
from typing import Annotated

import segno
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.net import lan_addresses

router = APIRouter(prefix="/api", tags=["classroom"])


@router.get("/classroom")
def classroom(request: Request) -> dict[str, object]:
    """Whether the server runs in classroom mode, the addresses students can reach it at, and
    the students' link path of the class it opened (never the teacher's token)."""
    class_id = request.app.state.settings.class_id
    return {
        "classroom": request.app.state.settings.classroom,
        "lan_addresses": lan_addresses(),
        "class": f"/class/{class_id}" if class_id else None,
    }


@router.get("/qr", response_class=Response)
def qr_code(
    text: Annotated[str, Query(min_length=1, max_length=2000, description="what to encode")],
) -> Response:
    """A QR code as SVG, made here (offline): the page shows it full screen for students."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=10, border=2, xmldecl=False)
    return Response(out.getvalue(), media_type="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


def terminal_qr(text: str) -> str:
    """The same QR code drawn with block characters, for the terminal."""
    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True)
    return out.getvalue()
