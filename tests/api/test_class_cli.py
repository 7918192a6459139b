"""`gradscape --classroom` opens a class at start-up (docs/classroom.md, Roles and tokens)."""

from __future__ import annotations

import re

import pytest

from app import cli
from app.classroom.store import ClassStore


@pytest.fixture()
def served(monkeypatch, tmp_path) -> dict:
    calls: dict = {}
    monkeypatch.setenv("GRADSCAPE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRADSCAPE_HEAVY_QUEUE", raising=False)
    monkeypatch.setattr(cli, "serve", lambda settings, host, port, workers=1: calls.update(
        settings=settings, host=host, port=port))
    return calls


def _links(out: str) -> tuple[str, str, str]:
    teacher = re.search(r"#teacher=([A-Za-z0-9_-]+)&class=([a-z0-9]+)", out)
    students = re.search(r"Students join at (http://\S+/class/([a-z0-9]+))", out)
    assert teacher and students, out
    assert teacher.group(2) == students.group(2)
    return teacher.group(2), teacher.group(1), students.group(1)


def test_classroom_opens_then_reopens_the_class(served, capsys, tmp_path) -> None:
    cli.main(["--classroom", "--host", "127.0.0.1", "--port", "8123"])
    class_id, token, students = _links(capsys.readouterr().out)
    assert served["settings"].class_id == class_id
    assert students == f"http://127.0.0.1:8123/class/{class_id}"
    store = ClassStore(tmp_path / "classes.sqlite3")
    assert store.is_teacher(class_id, token)
    # A restart reopens the newest class with a new teacher link; the old one still leads.
    cli.main(["--classroom", "--host", "127.0.0.1"])
    again, token2, _ = _links(capsys.readouterr().out)
    assert again == class_id and token2 != token
    assert store.is_teacher(class_id, token) and store.is_teacher(class_id, token2)
    cli.main(["--classroom", "--host", "127.0.0.1", "--new-class"])
    fresh, _, _ = _links(capsys.readouterr().out)
    assert fresh != class_id and store.newest_class() == fresh
    store.close()


def test_a_class_waits_its_turn_for_scoring(served) -> None:
    """With --classroom a whole class's submissions fit in the heavy-work queue."""
    cli.main(["--classroom", "--host", "127.0.0.1"])
    settings = served["settings"]
    assert settings.heavy_queue >= settings.max_students


def test_no_class_without_classroom(served, capsys, tmp_path) -> None:
    cli.main([])
    assert served["settings"].class_id is None
    assert "#teacher=" not in capsys.readouterr().out
    assert not (tmp_path / "classes.sqlite3").exists()


def test_data_dir_flag(served, capsys, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere"
    cli.main(["--classroom", "--host", "127.0.0.1", "--data-dir", str(elsewhere)])
    class_id, token, _ = _links(capsys.readouterr().out)
    assert served["settings"].data_dir == elsewhere
    store = ClassStore(elsewhere / "classes.sqlite3")
    assert store.is_teacher(class_id, token)
    store.close()
