"""Classes, students, challenges and scored submissions, in SQLite (docs/classroom.md, Store).

WAL journal and `synchronous=FULL`: a join or a submission this store has returned from is on
disk, so a crash right after its answer loses nothing that was acknowledged. Several processes
(`gradscape --workers N`) share the file: SQLite's own locks order their writes, and a
read-modify-write (the teacher's `seq`, the rate limit) is one `BEGIN IMMEDIATE` transaction.

Tokens are never stored, only their SHA-256: a copy of the file leads no class. The teacher's
view (`lead_json`, `seq`) changes at the pace of a dragged slider; those writes skip the fsync
(`synchronous=NORMAL` on their own connection): a crash may forget the last view, never a join.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.classroom import nicknames

TOKEN_BYTES = 32
CLASS_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/1/o/0: read off a projector
CLASS_ID_LENGTH = 8
BUSY_TIMEOUT_MS = 10_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL,
    lead_json TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
    names_hidden INTEGER NOT NULL DEFAULT 0, spotlight INTEGER);
CREATE TABLE IF NOT EXISTS teachers (
    token_hash TEXT PRIMARY KEY, class_id TEXT NOT NULL REFERENCES classes(id),
    created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS students (
    id INTEGER PRIMARY KEY, class_id TEXT NOT NULL REFERENCES classes(id),
    number INTEGER NOT NULL, nickname TEXT NOT NULL, nickname_key TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE, created REAL NOT NULL, last_submit REAL,
    UNIQUE (class_id, nickname_key), UNIQUE (class_id, number));
CREATE TABLE IF NOT EXISTS challenges (
    id INTEGER PRIMARY KEY, class_id TEXT NOT NULL REFERENCES classes(id),
    spec_json TEXT NOT NULL, created REAL NOT NULL, closed REAL);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY, challenge_id INTEGER NOT NULL REFERENCES challenges(id),
    student_id INTEGER NOT NULL REFERENCES students(id),
    config_json TEXT NOT NULL, result_json TEXT NOT NULL, score REAL, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_challenge ON submissions (challenge_id);
CREATE INDEX IF NOT EXISTS challenges_class ON challenges (class_id);
"""
NO_LEAD = {"on": False, "view": {"path": "/", "hash": ""}}


class NotFound(LookupError):
    """No such class, challenge or submission (in this class)."""


class Refused(ValueError):
    """A request the class's state forbids (full, closed challenge): the message says why."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def student_label(number: int) -> str:
    """What the gallery shows for a student while the teacher hides names."""
    return f"Student {number}"


@dataclass
class _Pending:
    row: list[Any]
    id: int | None = None
    error: BaseException | None = None


class ClassStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()  # one connection per thread (sqlite3's rule)
        self._ready = False
        self._init_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []  # every thread's, to close them
        # One writer at a time, in this process (a lock) and among the processes sharing the
        # file (flock on classes.sqlite3.lock): a writer waiting here wakes as soon as the last
        # write ends, where SQLite's busy handler would sleep and retry (up to 100 ms a try).
        self._write_lock = threading.Lock()
        self._lock_file: Any = None
        self._pending: list[_Pending] = []  # submissions waiting for the next group commit
        self._pending_lock = threading.Lock()

    # -- connections ---------------------------------------------------------------------------
    def _connect(self, durable: bool = True) -> sqlite3.Connection:
        name = "durable" if durable else "fast"
        db = getattr(self._local, name, None)
        if db is not None:
            return db
        # Created on first use, not at app start: a server nobody joins writes nothing.
        with self._init_lock:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                first = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                        isolation_level=None)
                first.execute("PRAGMA journal_mode=WAL")  # kept in the file
                first.executescript(SCHEMA)
                first.close()
                self._ready = True
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                             check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        db.execute("PRAGMA foreign_keys=ON")
        setattr(self._local, name, db)
        with self._init_lock:
            self._connections.append(db)
        return db

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with self._write_lock:
            if self._lock_file is None:
                self._lock_file = open(self.path.with_name(self.path.name + ".lock"), "a+b")
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    @contextmanager
    def _write(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE): no other process writes in
        between its read and its write; committed (and, durable, fsynced) on leaving."""
        db = self._connect(durable)
        with self._exclusive():
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _read(self) -> sqlite3.Connection:
        return self._connect(True)

    def close(self) -> None:
        with self._init_lock:
            for db in self._connections:
                db.close()
            self._connections = []
            if self._lock_file is not None:
                self._lock_file.close()
                self._lock_file = None
        self._local = threading.local()

    # -- classes and teachers ------------------------------------------------------------------
    def create_class(self, name: str = "") -> tuple[str, str]:
        """A new class; its id and a teacher token (shown once, stored hashed)."""
        now = time.time()
        with self._write() as db:
            while True:
                class_id = "".join(secrets.choice(CLASS_ID_ALPHABET)
                                   for _ in range(CLASS_ID_LENGTH))
                if db.execute("SELECT 1 FROM classes WHERE id = ?", (class_id,)).fetchone() is None:
                    break
            db.execute("INSERT INTO classes (id, name, created, lead_json) VALUES (?, ?, ?, ?)",
                       (class_id, name or f"Class of {time.strftime('%Y-%m-%d %H:%M')}", now,
                        _dumps(NO_LEAD)))
            token = self._add_teacher(db, class_id, now)
        return class_id, token

    def _add_teacher(self, db: sqlite3.Connection, class_id: str, now: float) -> str:
        token = new_token()
        db.execute("INSERT INTO teachers (token_hash, class_id, created) VALUES (?, ?, ?)",
                   (hash_token(token), class_id, now))
        return token

    def teacher_token(self, class_id: str) -> str:
        """A new teacher token for an existing class (each start prints one; earlier ones stay
        valid)."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM classes WHERE id = ?", (class_id,)).fetchone() is None:
                raise NotFound(f"no class {class_id}")
            return self._add_teacher(db, class_id, time.time())

    def newest_class(self) -> str | None:
        row = self._read().execute(
            "SELECT id FROM classes ORDER BY created DESC, rowid DESC LIMIT 1").fetchone()
        return row["id"] if row else None

    def open_class(self, new: bool = False, name: str = "") -> tuple[str, str]:
        """What `gradscape --classroom` does at start-up: reopen the newest class (or, `new` or
        none yet, create one); its id and a fresh teacher token."""
        class_id = None if new else self.newest_class()
        if class_id is None:
            return self.create_class(name)
        return class_id, self.teacher_token(class_id)

    def is_teacher(self, class_id: str, token: str | None) -> bool:
        if not token:
            return False
        row = self._read().execute("SELECT class_id FROM teachers WHERE token_hash = ?",
                                   (hash_token(token),)).fetchone()
        return row is not None and secrets.compare_digest(row["class_id"], class_id)

    def get_class(self, class_id: str) -> dict[str, Any]:
        """The class's shared state: {id, name, created, lead, names_hidden, spotlight (id)}."""
        row = self._read().execute("SELECT * FROM classes WHERE id = ?", (class_id,)).fetchone()
        if row is None:
            raise NotFound(f"no class {class_id!r} on this server")
        lead = json.loads(row["lead_json"]) | {"seq": row["seq"]}
        return {"id": row["id"], "name": row["name"], "created": row["created"], "lead": lead,
                "names_hidden": bool(row["names_hidden"]), "spotlight": row["spotlight"]}

    def exists(self, class_id: str) -> bool:
        return self._read().execute("SELECT 1 FROM classes WHERE id = ?",
                                    (class_id,)).fetchone() is not None

    # -- leading -------------------------------------------------------------------------------
    def _update_lead(self, class_id: str, change: dict[str, Any], bump: bool) -> dict[str, Any]:
        with self._write(durable=False) as db:
            row = db.execute("SELECT lead_json, seq FROM classes WHERE id = ?",
                             (class_id,)).fetchone()
            if row is None:
                raise NotFound(f"no class {class_id!r} on this server")
            lead = json.loads(row["lead_json"]) | change
            seq = row["seq"] + (1 if bump else 0)
            db.execute("UPDATE classes SET lead_json = ?, seq = ? WHERE id = ?",
                       (_dumps(lead), seq, class_id))
        return lead | {"seq": seq}

    def set_lead(self, class_id: str, on: bool) -> dict[str, Any]:
        """Leading on or off; the lead {on, view, seq}."""
        return self._update_lead(class_id, {"on": bool(on)}, bump=True)

    def set_view(self, class_id: str, path: str, hash_: str) -> dict[str, Any]:
        """The teacher's page and URL state; the lead {on, view, seq} with the view's seq."""
        return self._update_lead(class_id, {"view": {"path": path, "hash": hash_}}, bump=True)

    def next_seq(self, class_id: str) -> dict[str, Any]:
        """A seq for a teacher's action (numbered with the views, in the store's order): the
        lead {on, view, seq}."""
        return self._update_lead(class_id, {}, bump=True)

    def set_names_hidden(self, class_id: str, hidden: bool) -> None:
        with self._write() as db:
            db.execute("UPDATE classes SET names_hidden = ? WHERE id = ?",
                       (int(bool(hidden)), class_id))

    def set_spotlight(self, class_id: str, submission_id: int | None) -> None:
        with self._write() as db:
            if submission_id is not None and self._submission_row(db, class_id,
                                                                  submission_id) is None:
                raise NotFound(f"no submission {submission_id} in this class")
            db.execute("UPDATE classes SET spotlight = ? WHERE id = ?",
                       (submission_id, class_id))

    # -- students ------------------------------------------------------------------------------
    def join(self, class_id: str, nickname: str, max_students: int) -> tuple[dict[str, Any], str]:
        """A new student: {id, nickname, number} and their token (stored hashed).
        NicknameError (invalid or taken), NotFound, Refused (full)."""
        name = nicknames.clean(nickname)
        name_key = nicknames.key(name)
        token = new_token()
        with self._write() as db:
            if db.execute("SELECT 1 FROM classes WHERE id = ?", (class_id,)).fetchone() is None:
                raise NotFound(f"no class {class_id!r} on this server")
            (count,) = db.execute("SELECT COUNT(*) FROM students WHERE class_id = ?",
                                  (class_id,)).fetchone()
            if count >= max_students:
                raise Refused(f"the class is full: at most {max_students} students "
                              "(GRADSCAPE_MAX_STUDENTS)")
            if db.execute("SELECT 1 FROM students WHERE class_id = ? AND nickname_key = ?",
                          (class_id, name_key)).fetchone():
                raise nicknames.NicknameError(f"{name!r} is taken in this class; choose another")
            cur = db.execute(
                "INSERT INTO students (class_id, number, nickname, nickname_key, token_hash,"
                " created) VALUES (?, ?, ?, ?, ?, ?)",
                (class_id, count + 1, name, name_key, hash_token(token), time.time()))
            student_id = cur.lastrowid
        return {"id": student_id, "nickname": name, "number": count + 1}, token

    def student(self, class_id: str, token: str | None) -> dict[str, Any] | None:
        """The student of this class with this token, or None."""
        if not token:
            return None
        row = self._read().execute(
            "SELECT id, class_id, nickname, number FROM students WHERE token_hash = ?",
            (hash_token(token),)).fetchone()
        if row is None or row["class_id"] != class_id:
            return None
        return {"id": row["id"], "nickname": row["nickname"], "number": row["number"]}

    def students(self, class_id: str) -> list[dict[str, Any]]:
        rows = self._read().execute(
            "SELECT id, nickname, number, created FROM students WHERE class_id = ? ORDER BY number",
            (class_id,)).fetchall()
        return [dict(r) for r in rows]

    def claim_submission(self, student_id: int, interval: float) -> float:
        """Take the student's turn to submit: 0 if taken now, else the seconds left to wait.
        One transaction across processes: two tabs of one student cannot both pass. Not
        fsynced: a crash forgetting when someone last submitted costs nothing."""
        now = time.time()
        with self._write(durable=False) as db:
            (last,) = db.execute("SELECT last_submit FROM students WHERE id = ?",
                                 (student_id,)).fetchone()
            if last is not None and now - last < interval:
                return interval - (now - last)
            db.execute("UPDATE students SET last_submit = ? WHERE id = ?", (now, student_id))
        return 0.0

    # -- challenges ----------------------------------------------------------------------------
    def pose(self, class_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Open a challenge (closing the open one); {id, created, **spec}."""
        now = time.time()
        with self._write() as db:
            if db.execute("SELECT 1 FROM classes WHERE id = ?", (class_id,)).fetchone() is None:
                raise NotFound(f"no class {class_id!r} on this server")
            db.execute("UPDATE challenges SET closed = ? WHERE class_id = ? AND closed IS NULL",
                       (now, class_id))
            cur = db.execute("INSERT INTO challenges (class_id, spec_json, created) VALUES"
                             " (?, ?, ?)", (class_id, _dumps(spec), now))
            challenge_id = cur.lastrowid
        return {"id": challenge_id, "created": now, "closed": None, **spec}

    def close_challenge(self, class_id: str) -> bool:
        """Close the open challenge; whether there was one."""
        with self._write() as db:
            cur = db.execute("UPDATE challenges SET closed = ? WHERE class_id = ? AND closed IS"
                             " NULL", (time.time(), class_id))
        return cur.rowcount > 0

    @staticmethod
    def _challenge(row: sqlite3.Row) -> dict[str, Any]:
        return {"id": row["id"], "created": row["created"], "closed": row["closed"],
                **json.loads(row["spec_json"])}

    def open_challenge(self, class_id: str) -> dict[str, Any] | None:
        row = self._read().execute(
            "SELECT * FROM challenges WHERE class_id = ? AND closed IS NULL ORDER BY id DESC"
            " LIMIT 1", (class_id,)).fetchone()
        return self._challenge(row) if row else None

    def challenge(self, class_id: str, challenge_id: int) -> dict[str, Any]:
        row = self._read().execute("SELECT * FROM challenges WHERE id = ? AND class_id = ?",
                                   (challenge_id, class_id)).fetchone()
        if row is None:
            raise NotFound(f"no challenge {challenge_id} in this class")
        return self._challenge(row)

    def challenges(self, class_id: str) -> list[dict[str, Any]]:
        rows = self._read().execute("SELECT * FROM challenges WHERE class_id = ? ORDER BY id",
                                    (class_id,)).fetchall()
        return [self._challenge(r) for r in rows]

    # -- submissions ---------------------------------------------------------------------------
    def add_submission(self, challenge_id: int, student_id: int, config: dict[str, Any],
                       result: dict[str, Any], score: float | None) -> int:
        """Keep a scored submission (on disk when this returns); its id.

        Group commit: a class submits at once, and each fsync costs milliseconds, so the rows
        waiting when the write lock comes free are written in one transaction, one fsync."""
        row = [challenge_id, student_id, _dumps(config), _dumps(result), score, time.time()]
        pending = _Pending(row)
        with self._pending_lock:
            self._pending.append(pending)
        db = self._connect(True)
        with self._exclusive():
            if pending.id is None and pending.error is None:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                try:
                    db.execute("BEGIN IMMEDIATE")
                    ids = [db.execute("INSERT INTO submissions (challenge_id, student_id,"
                                      " config_json, result_json, score, created) VALUES"
                                      " (?, ?, ?, ?, ?, ?)", p.row).lastrowid for p in batch]
                    db.execute("COMMIT")
                except BaseException as err:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    for p in batch:
                        p.error = err
                else:
                    for p, row_id in zip(batch, ids, strict=True):
                        p.id = int(row_id or 0)
        if pending.error is not None:
            raise pending.error
        assert pending.id is not None
        return pending.id

    _SUBMISSIONS = ("SELECT s.id, s.challenge_id, s.student_id, s.config_json, s.result_json,"
                    " s.created, st.nickname, st.number FROM submissions s"
                    " JOIN students st ON st.id = s.student_id"
                    " JOIN challenges c ON c.id = s.challenge_id WHERE c.class_id = ?")

    @staticmethod
    def _submission(row: sqlite3.Row, hide_names: bool) -> dict[str, Any]:
        return {**json.loads(row["result_json"]), "id": row["id"],
                "challenge": row["challenge_id"], "student": row["number"],
                "nickname": student_label(row["number"]) if hide_names else row["nickname"],
                "config": json.loads(row["config_json"]), "created": row["created"]}

    def _submission_row(self, db: sqlite3.Connection, class_id: str,
                        submission_id: int) -> sqlite3.Row | None:
        return db.execute(self._SUBMISSIONS + " AND s.id = ?",
                          (class_id, submission_id)).fetchone()

    def submission(self, class_id: str, submission_id: int,
                   hide_names: bool = False) -> dict[str, Any]:
        row = self._submission_row(self._read(), class_id, submission_id)
        if row is None:
            raise NotFound(f"no submission {submission_id} in this class")
        return self._submission(row, hide_names)

    def submissions(self, class_id: str, challenge_id: int | None = None,
                    student_id: int | None = None,
                    hide_names: bool = False) -> list[dict[str, Any]]:
        """A class's submissions, oldest first (one challenge's, one student's)."""
        sql, args = self._SUBMISSIONS, [class_id]
        if challenge_id is not None:
            sql += " AND s.challenge_id = ?"
            args.append(challenge_id)
        if student_id is not None:
            sql += " AND s.student_id = ?"
            args.append(student_id)
        rows = self._read().execute(sql + " ORDER BY s.id", args).fetchall()
        return [self._submission(r, hide_names) for r in rows]

    def clear(self, class_id: str) -> int:
        """Delete the class's submissions (its challenges stay); how many went."""
        with self._write() as db:
            cur = db.execute("DELETE FROM submissions WHERE challenge_id IN"
                             " (SELECT id FROM challenges WHERE class_id = ?)", (class_id,))
            db.execute("UPDATE classes SET spotlight = NULL WHERE id = ?", (class_id,))
        return cur.rowcount
