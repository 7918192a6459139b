"""The class store (app/classroom/store.py): what is acknowledged is on disk and survives."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from app.classroom.nicknames import NicknameError
from app.classroom.store import ClassStore, NotFound, Refused, hash_token

SPEC = {"title": "t", "kind": "surface", "fixed": {"surface": "bowl"},
        "budget": {"steps": 50}, "goal": {"kind": "reach", "target": 1e-3}}


@pytest.fixture()
def store(tmp_path):
    s = ClassStore(tmp_path / "classes.sqlite3")
    yield s
    s.close()


def test_a_class_survives_closing_and_reopening(tmp_path) -> None:
    path = tmp_path / "classes.sqlite3"
    store = ClassStore(path)
    class_id, teacher = store.open_class()
    student, token = store.join(class_id, "Ada", max_students=10)
    challenge = store.pose(class_id, SPEC)
    sub = store.add_submission(challenge["id"], student["id"], {"runs": []},
                               {"ok": True, "score": 12.0, "final": 1e-4}, 12.0)
    store.set_view(class_id, "/network", "#dataset=spirals")
    store.close()

    again = ClassStore(path)
    assert again.newest_class() == class_id
    assert again.is_teacher(class_id, teacher)
    assert again.student(class_id, token) == student
    assert again.open_challenge(class_id)["id"] == challenge["id"]
    [kept] = again.submissions(class_id)
    assert kept["id"] == sub and kept["nickname"] == "Ada" and kept["score"] == 12.0
    assert again.get_class(class_id)["lead"]["view"] == {"path": "/network",
                                                         "hash": "#dataset=spirals"}
    # Reopened at start-up: the same class, a new teacher link, the old one still valid.
    reopened, teacher2 = again.open_class()
    assert reopened == class_id and teacher2 != teacher
    assert again.is_teacher(class_id, teacher) and again.is_teacher(class_id, teacher2)
    assert again.open_class(new=True)[0] != class_id
    again.close()


def test_durable_settings_and_hashed_tokens(store, tmp_path) -> None:
    class_id, teacher = store.create_class()
    _, token = store.join(class_id, "Ada", 10)
    db = store._connect()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    raw = (tmp_path / "classes.sqlite3").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("classes.sqlite3-wal"))
    assert teacher.encode() not in raw and token.encode() not in raw
    other = sqlite3.connect(tmp_path / "classes.sqlite3")
    hashes = {r[0] for r in other.execute("SELECT token_hash FROM teachers UNION "
                                          "SELECT token_hash FROM students")}
    assert hashes == {hash_token(teacher), hash_token(token)}
    other.close()


def test_nicknames_unique_whatever_the_case(store) -> None:
    class_id, _ = store.create_class()
    store.join(class_id, "Ada", 10)
    with pytest.raises(NicknameError, match="nickname: 'ADA' is taken"):
        store.join(class_id, "ADA", 10)
    other, _ = store.create_class()
    store.join(other, "ada", 10)  # another class: free


def test_students_are_numbered_and_the_class_has_a_limit(store) -> None:
    class_id, _ = store.create_class()
    numbers = [store.join(class_id, f"s{i}", 3)[0]["number"] for i in range(3)]
    assert numbers == [1, 2, 3]
    with pytest.raises(Refused, match="GRADSCAPE_MAX_STUDENTS"):
        store.join(class_id, "late", 3)
    with pytest.raises(NotFound):
        store.join("nosuchcl", "x", 3)


def test_a_token_of_another_class_is_nobody_here(store) -> None:
    a, ta = store.create_class()
    b, tb = store.create_class()
    _, student = store.join(a, "Ada", 10)
    assert store.student(b, student) is None and store.student(a, student) is not None
    assert not store.is_teacher(b, ta) and store.is_teacher(a, ta)
    assert not store.is_teacher(a, None) and not store.is_teacher(a, "nope")


def test_seq_numbers_views_and_actions_in_order(store) -> None:
    class_id, _ = store.create_class()
    assert store.set_lead(class_id, True)["seq"] == 1
    assert store.set_view(class_id, "/", "#a")["seq"] == 2
    assert store.next_seq(class_id)["seq"] == 3
    assert store.get_class(class_id)["lead"] == {"on": True, "view": {"path": "/", "hash": "#a"},
                                                 "seq": 3}


def test_seq_is_unique_across_threads(store) -> None:
    """Every writer (threads here, processes in production) gets its own seq."""
    class_id, _ = store.create_class()
    seqs: list[int] = []

    def bump() -> None:
        for _ in range(25):
            seqs.append(store.next_seq(class_id)["seq"])

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seqs) == list(range(1, 101))


def test_rate_limit_claims(store) -> None:
    class_id, _ = store.create_class()
    student, _ = store.join(class_id, "Ada", 10)
    assert store.claim_submission(student["id"], 60) == 0
    assert 59 < store.claim_submission(student["id"], 60) <= 60
    assert store.claim_submission(student["id"], 0) == 0


def test_pose_closes_the_previous_and_clear_keeps_challenges(store) -> None:
    class_id, _ = store.create_class()
    student, _ = store.join(class_id, "Ada", 10)
    first = store.pose(class_id, SPEC)
    second = store.pose(class_id, SPEC | {"title": "two"})
    assert store.challenge(class_id, first["id"])["closed"] is not None
    assert store.open_challenge(class_id)["id"] == second["id"]
    sid = store.add_submission(second["id"], student["id"], {}, {"ok": True}, 1.0)
    store.set_spotlight(class_id, sid)
    assert store.get_class(class_id)["spotlight"] == sid
    assert store.submission(class_id, sid, hide_names=True)["nickname"] == "Student 1"
    assert store.clear(class_id) == 1
    assert store.submissions(class_id) == [] and len(store.challenges(class_id)) == 2
    assert store.get_class(class_id)["spotlight"] is None
    assert store.close_challenge(class_id) and store.open_challenge(class_id) is None
    with pytest.raises(NotFound):
        store.set_spotlight(class_id, 999)


def test_submissions_from_many_threads_are_all_kept_once(tmp_path) -> None:
    """Group commit: concurrent submissions share transactions, each gets its own id."""
    path = tmp_path / "classes.sqlite3"
    store = ClassStore(path)
    class_id, _ = store.create_class()
    student, _ = store.join(class_id, "Ada", 10)
    challenge = store.pose(class_id, SPEC)
    ids: list[int] = []

    def submit(k: int) -> None:
        for i in range(10):
            ids.append(store.add_submission(challenge["id"], student["id"], {"k": k},
                                            {"ok": True, "i": i}, float(i)))

    threads = [threading.Thread(target=submit, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    again = ClassStore(path)
    kept = again.submissions(class_id)
    assert len(ids) == len(set(ids)) == 60
    assert sorted(s["id"] for s in kept) == sorted(ids)
    again.close()
