"""Saved view states: what does not fit in a link (many own points, a big edited network), kept
in SQLite under the data directory and named by a short id the link carries instead.

The id comes from the state's content, so saving the same state twice gives the same id (and one
row). Rows older than `max_age` seconds go, and past `max_rows` the least recently used go first,
so the file stays small on a teacher's laptop.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

ID_CHARS = 10  # url-safe base64 of a SHA-256: 60 bits, no collision in a class's lifetime


def state_id(canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:ID_CHARS]


def canonical_json(state: Any) -> str:
    """One text per state whatever the order of its keys."""
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


class StateStore:
    def __init__(self, path: Path, *, max_rows: int, max_age: float) -> None:
        self.path = path
        self.max_rows = max_rows
        self.max_age = max_age
        self._lock = threading.Lock()  # one writer at a time: sqlite would answer "locked"
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        # Created on first use, not at app start: a server nobody saves on writes nothing.
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=5)
        if not self._ready:
            db.execute("CREATE TABLE IF NOT EXISTS states (id TEXT PRIMARY KEY, body TEXT NOT NULL,"
                       " used REAL NOT NULL)")
            db.execute("CREATE INDEX IF NOT EXISTS states_used ON states (used)")
            self._ready = True
        return db

    def put(self, state: Any) -> str:
        """Save a state; its id."""
        body = canonical_json(state)
        key = state_id(body)
        now = time.time()
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO states (id, body, used) VALUES (?, ?, ?) ON CONFLICT(id)"
                       " DO UPDATE SET used = excluded.used", (key, body, now))
            db.execute("DELETE FROM states WHERE used < ?", (now - self.max_age,))
            db.execute("DELETE FROM states WHERE id NOT IN"
                       " (SELECT id FROM states ORDER BY used DESC, rowid DESC LIMIT ?)",
                       (self.max_rows,))
        db.close()
        return key

    def get(self, key: str) -> Any | None:
        """The state saved under an id, or None (never saved, or evicted). Opening it counts
        as a use: a link still opened stays."""
        now = time.time()
        with self._lock, self._connect() as db:
            row = db.execute("SELECT body FROM states WHERE id = ? AND used >= ?",
                             (key, now - self.max_age)).fetchone()
            if row:
                db.execute("UPDATE states SET used = ? WHERE id = ?", (now, key))
        db.close()
        return json.loads(row[0]) if row else None

    def count(self) -> int:
        with self._lock, self._connect() as db:
            (n,) = db.execute("SELECT COUNT(*) FROM states").fetchone()
        db.close()
        return n
