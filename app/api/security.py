"""Security defaults: websocket origin and host checks, and headers on every response.

Starlette's CORS middleware does not cover websockets, and a browser lets any page open a
websocket to any host: without these checks, a page on the internet could drive a teacher's
server through a student's browser (or reach it by DNS rebinding). As notebook servers do, the
handshake is refused before accept unless the Host is one of this machine's names and the Origin
matches the Host (or is listed with --allow-origin). No Origin header means a script, not a
browser, and is accepted.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.net import local_names

log = logging.getLogger("gradscape.security")

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # Plotly sets inline styles on the elements it draws
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def _split_host(host: str) -> tuple[str, str]:
    """'Example.org:8000' -> ('example.org', '8000'); '[::1]:80' -> ('::1', '80')."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, rest.removeprefix(":")
    name, _, port = host.partition(":")
    return name, port


def handshake_refusal(host: str | None, origin: str | None, settings: Settings) -> str | None:
    """Why this websocket handshake must be refused, or None to accept it."""
    if not host:
        return "no Host header"
    name, _ = _split_host(host)
    trusted = local_names() | {h.lower() for h in settings.extra_hosts}
    if name not in trusted:
        return f"Host {host!r} is not one of this machine's names"
    if origin is None:
        return None  # a script, not a browser
    if origin.lower().rstrip("/") in {o.lower().rstrip("/") for o in settings.allow_origins}:
        return None
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"Origin {origin!r} is not a web page's origin"
    if parts.netloc.lower() != host.strip().lower():
        return f"Origin {origin!r} does not match Host {host!r}"
    return None


class SecurityHeaders:
    """Adds the security headers to every HTTP response (pages, API, static files)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
