"""Security defaults: host and origin checks on every request, and headers on every response.

A browser lets any page open a websocket to any host, and a page that rebinds its DNS name to
this machine can read any HTTP answer: without these checks, a page on the internet could drive a
teacher's server through a student's browser. As notebook servers do:
- every request (HTTP and websocket) is refused unless its Host is one of this machine's names
  (a rebound name is not);
- a websocket handshake, and an API call that changes or computes something (POST and the like),
  is refused unless its Origin matches the Host (or is listed with --allow-origin), and a
  browser's `Sec-Fetch-Site: cross-site` is refused too. No Origin header means a script, not a
  browser, and is accepted.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
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


def host_refusal(host: str | None, settings: Settings) -> str | None:
    """Why a request with this Host must be refused, or None."""
    if not host:
        return "no Host header"
    name, _ = _split_host(host)
    trusted = local_names() | {h.lower() for h in settings.extra_hosts}
    if name not in trusted:
        return f"Host {host!r} is not one of this machine's names"
    return None


def handshake_refusal(host: str | None, origin: str | None, settings: Settings) -> str | None:
    """Why this websocket handshake (or API call) must be refused, or None to accept it."""
    refusal = host_refusal(host, settings)
    if refusal is not None or origin is None:  # no Origin: a script, not a browser
        return refusal
    assert host is not None
    return origin_refusal(host, origin, settings)


def origin_refusal(host: str, origin: str, settings: Settings) -> str | None:
    """Why a browser request from this Origin must be refused, or None."""
    if origin.lower().rstrip("/") in {o.lower().rstrip("/") for o in settings.allow_origins}:
        return None
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"Origin {origin!r} is not a web page's origin"
    if parts.netloc.lower() != host.strip().lower():
        return f"Origin {origin!r} does not match Host {host!r}"
    return None


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def request_refusal(scope: Scope, settings: Settings) -> str | None:
    """Why this HTTP request must be refused (403), or None."""
    headers = Headers(scope=scope)
    host = headers.get("host")
    refusal = host_refusal(host, settings)
    if refusal is not None or not scope["path"].startswith("/api/"):
        return refusal
    if scope["method"] in SAFE_METHODS:
        return None
    if headers.get("sec-fetch-site") == "cross-site":
        return "a cross-site page may not call the API"
    origin = headers.get("origin")
    return None if origin is None else origin_refusal(str(host), origin, settings)


class SecurityHeaders:
    """Refuses requests from untrusted hosts or cross-site pages (403, logged), and adds the
    security headers to every HTTP response (pages, API, static files)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = request_refusal(scope, self.settings)
        if refusal is not None:
            log.warning("refused %s %s: %s", scope["method"], scope["path"], refusal)
            response = PlainTextResponse(f"Forbidden: {refusal}", status_code=403,
                                         headers=dict((k.decode(), v.decode())
                                                      for k, v in SECURITY_HEADERS))
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
