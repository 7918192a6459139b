"""Limits and settings, read once from the environment.

Every limit here exists so that one careless or hostile request cannot freeze the server for the
whole class; each refusal names the limit in its error message.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _asset_root() -> Path:
    """Where static/ and templates/ are: the source checkout (also an editable install), or the
    data files a regular `pip install .` puts under sys.prefix/share/gradscape."""
    override = os.environ.get("GRADSCAPE_ROOT")
    if override:
        return Path(override)
    if (ROOT / "templates").is_dir():
        return ROOT
    return Path(sys.prefix) / "share" / "gradscape"


def _list_env(name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in os.environ.get(name, "").split(",") if v.strip())


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _data_dir() -> Path:
    """Where the server keeps what it saves: GRADSCAPE_DATA_DIR, else the per-user data
    directory of the XDG spec (~/.local/share/gradscape)."""
    override = os.environ.get("GRADSCAPE_DATA_DIR")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "gradscape"


@dataclass(frozen=True)
class Settings:
    # Longest trajectory one run may ask for (HTTP and websocket alike).
    max_steps: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_STEPS", 20_000))
    # Longest network training one run may ask for (each step is a pass over the data).
    max_network_steps: int = field(
        default_factory=lambda: _int_env("GRADSCAPE_MAX_NETWORK_STEPS", 5_000))
    # Fastest paced speed, steps per second per run (0, "max", runs as fast as the server allows
    # anyway): the fastest the pages offer.
    max_speed: float = field(default_factory=lambda: float(os.environ.get(
        "GRADSCAPE_MAX_SPEED", "1000")))
    # Most optimizer runs compared in one request or session.
    max_runs: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_RUNS", 8))
    # Largest surface grid side (n x n values).
    max_grid: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_GRID", 301))
    # Largest websocket text message accepted from a client, in bytes.
    max_message_bytes: int = field(
        default_factory=lambda: _int_env("GRADSCAPE_MAX_MESSAGE_BYTES", 256_000)
    )
    # Expensive one-shot requests (landscapes, trajectories) computing at once, and waiting for a
    # turn; past both the server answers 503 with Retry-After (app/api/admission.py).
    max_heavy_requests: int = field(
        default_factory=lambda: _int_env("GRADSCAPE_MAX_HEAVY_REQUESTS", os.cpu_count() or 2))
    heavy_queue: int = field(
        default_factory=lambda: _int_env("GRADSCAPE_HEAVY_QUEUE", 2 * (os.cpu_count() or 2)))
    # Websocket sessions open at once, overall and from one client address.
    max_sessions: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_SESSIONS", 100))
    max_sessions_per_client: int = field(
        default_factory=lambda: _int_env("GRADSCAPE_MAX_SESSIONS_PER_CLIENT", 12)
    )
    # Run-steps per second one session may compute (all its runs together): one student at
    # full speed cannot starve the class.
    max_run_steps_per_second: int = field(
        default_factory=lambda: _int_env("GRADSCAPE_MAX_RUN_STEPS_PER_SECOND", 400_000)
    )
    # Origins allowed to open the websocket besides the page's own (--allow-origin).
    allow_origins: tuple[str, ...] = field(
        default_factory=lambda: _list_env("GRADSCAPE_ALLOW_ORIGINS")
    )
    # Classroom mode (`gradscape --classroom`): the page offers a Join QR code of the LAN URL.
    classroom: bool = field(default_factory=lambda: os.environ.get("GRADSCAPE_CLASSROOM") == "1")
    # The class `gradscape --classroom` opened at start-up (its id; the CLI sets it), and whether
    # to open a new one instead of the newest (--new-class). docs/classroom.md.
    class_id: str | None = None
    new_class: bool = field(default_factory=lambda: os.environ.get("GRADSCAPE_NEW_CLASS") == "1")
    # Students one class takes, and seconds between two submissions of one student.
    max_students: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_STUDENTS", 100))
    submission_interval: float = field(default_factory=lambda: float(os.environ.get(
        "GRADSCAPE_SUBMISSION_INTERVAL", "2")))
    # Redis (redis://host:port/0) carries a class's messages between processes and machines;
    # unset, they stay in the process (app/classroom/broker.py).
    redis_url: str | None = field(
        default_factory=lambda: os.environ.get("GRADSCAPE_REDIS_URL") or None)
    # Host names accepted in a websocket handshake besides this machine's own names/addresses.
    extra_hosts: tuple[str, ...] = field(default_factory=lambda: _list_env("GRADSCAPE_HOSTS"))

    # Open connections (and requests in flight) the server takes; past it, new requests get a
    # 503. Below the usual limit of 1,024 file descriptors, so the server never runs out.
    max_connections: int = field(
        default_factory=lambda: _int_env("GRADSCAPE_MAX_CONNECTIONS", 900))
    # Seconds a connection may take to send a request's headers (Slowloris), app/server.py.
    header_timeout: float = field(
        default_factory=lambda: float(os.environ.get("GRADSCAPE_HEADER_TIMEOUT", "10")))
    # Seconds one websocket send may take before the client is called stalled and closed.
    send_timeout: float = field(
        default_factory=lambda: float(os.environ.get("GRADSCAPE_SEND_TIMEOUT", "10"))
    )

    # Saved view states (what a link cannot hold: many own points, a big edited network), in
    # states.sqlite3 under data_dir: largest state in bytes, most states kept, days kept unused.
    data_dir: Path = field(default_factory=_data_dir)
    max_state_bytes: int = field(
        default_factory=lambda: _int_env("GRADSCAPE_MAX_STATE_BYTES", 512 * 1024))
    max_states: int = field(default_factory=lambda: _int_env("GRADSCAPE_MAX_STATES", 10_000))
    state_days: int = field(default_factory=lambda: _int_env("GRADSCAPE_STATE_DAYS", 30))

    static_dir: Path = field(default_factory=lambda: _asset_root() / "static")
    templates_dir: Path = field(default_factory=lambda: _asset_root() / "templates")


def get_settings() -> Settings:
    return Settings()
