"""Saved view states (app/api/routes/states.py, app/api/state_store.py): what a link cannot hold."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import settings_for_tests

POINTS = {"page": "network", "points": [[i / 100, -i / 50, i % 2] for i in range(2000)]}


def client_for(data_dir: Path, **overrides) -> TestClient:
    return TestClient(create_app(settings_for_tests(data_dir=data_dir, **overrides)))


@pytest.fixture()
def states(tmp_path: Path) -> Iterator[TestClient]:
    with client_for(tmp_path) as c:
        yield c


def test_a_state_round_trips_under_a_short_url_safe_id(states: TestClient) -> None:
    r = states.post("/api/states", json=POINTS)
    assert r.status_code == 200
    key = r.json()["id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{10}", key)
    back = states.get(f"/api/states/{key}")
    assert back.status_code == 200
    assert back.json() == POINTS


def test_the_same_state_gives_the_same_id_whatever_its_key_order(states: TestClient) -> None:
    a = states.post("/api/states", json={"a": 1, "b": [1, 2]}).json()["id"]
    b = states.post("/api/states", json={"b": [1, 2], "a": 1}).json()["id"]
    c = states.post("/api/states", json={"a": 2, "b": [1, 2]}).json()["id"]
    assert a == b != c
    assert states.app.state.state_store.count() == 2


def test_a_state_over_the_size_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    with client_for(tmp_path, max_state_bytes=1000) as c:
        r = c.post("/api/states", json={"points": "x" * 2000})
        assert r.status_code == 413
        assert r.json()["detail"][0]["field"] == "body"
        assert "1,000 bytes" in r.json()["message"] and "max_state_bytes" in r.json()["message"]
        assert c.post("/api/states", json={"points": "x" * 900}).status_code == 200


@pytest.mark.parametrize("body", [b"[1, 2]", b"3", b'"text"'])
def test_a_state_is_a_json_object(states: TestClient, body: bytes) -> None:
    r = states.post("/api/states", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "body"


def test_a_body_that_is_not_json_is_a_400(states: TestClient) -> None:
    r = states.post("/api/states", content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_an_unknown_id_is_a_404(states: TestClient) -> None:
    assert states.get("/api/states/AAAAAAAAAA").status_code == 404
    assert states.get("/api/states/not%20an%20id").status_code == 422


def test_the_oldest_states_go_first_past_the_row_cap(tmp_path: Path) -> None:
    with client_for(tmp_path, max_states=3) as c:
        ids = [c.post("/api/states", json={"n": i}).json()["id"] for i in range(3)]
        c.get(f"/api/states/{ids[0]}")  # opened again: now the most recently used
        newest = c.post("/api/states", json={"n": 3}).json()["id"]
        assert c.app.state.state_store.count() == 3
        assert c.get(f"/api/states/{ids[1]}").status_code == 404  # the least recently used
        for key in (ids[0], ids[2], newest):
            assert c.get(f"/api/states/{key}").status_code == 200


def test_states_older_than_the_age_limit_go(tmp_path: Path) -> None:
    with client_for(tmp_path) as c:
        key = c.post("/api/states", json={"old": True}).json()["id"]
        with sqlite3.connect(tmp_path / "states.sqlite3") as db:
            db.execute("UPDATE states SET used = used - 31 * 86400")
        assert c.get(f"/api/states/{key}").status_code == 404
        c.post("/api/states", json={"new": True})  # a save sweeps the expired rows
        assert c.app.state.state_store.count() == 1


def test_states_outlive_a_server_restart_in_the_data_dir(tmp_path: Path) -> None:
    with client_for(tmp_path) as first:
        key = first.post("/api/states", json=POINTS).json()["id"]
    assert (tmp_path / "states.sqlite3").is_file()
    with client_for(tmp_path) as second:
        assert second.get(f"/api/states/{key}").json() == POINTS


def test_a_cross_site_save_is_refused(states: TestClient) -> None:
    r = states.post("/api/states", json={"a": 1}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
