"""Limits and settings, read once from the environment.

Every limit here exists so that one careless or hostile request cannot freeze the server for the
whole class; each refusal names the limit in its error message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    # Longest trajectory one run may ask for (HTTP and websocket alike).
    max_steps: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_STEPS", 20_000))
    # Most optimizer runs compared in one request or session.
    max_runs: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_RUNS", 8))
    # Largest surface grid side (n x n values).
    max_grid: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_GRID", 301))
    # Largest websocket text message accepted from a client, in bytes.
    max_message_bytes: int = field(
        default_factory=lambda: _int_env("GRADSCAPE_MAX_MESSAGE_BYTES", 256_000)
    )
    # Websocket sessions open at once, overall.
    max_sessions: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_SESSIONS", 100))

    # Seconds one websocket send may take before the client is called stalled and closed.
    send_timeout: float = field(
        default_factory=lambda: float(os.environ.get("GRADSCAPE_SEND_TIMEOUT", "10"))
    )

    static_dir: Path = ROOT / "static"
    templates_dir: Path = ROOT / "templates"


def get_settings() -> Settings:
    return Settings()
