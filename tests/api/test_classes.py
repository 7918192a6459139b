"""The class server over HTTP and /ws/class (docs/classroom.md), in process: roles and
refusals, challenges re-run and scored, the gallery and the export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.api.wsutil import strict_loads
from tests.conftest import settings_for_tests

BOWL = {"title": "Reach f < 1e-3 on the bowl in 300 steps", "kind": "surface",
        "fixed": {"surface": "bowl", "start": [-1.2, 0.9]}, "budget": {"steps": 300},
        "goal": {"kind": "reach", "metric": "loss", "target": 1e-3}}


class Class:
    """A class in a fresh data directory, with its teacher's token, and helpers."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.store = client.app.state.classroom.store
        self.id, self.teacher = self.store.open_class()

    def join(self, nickname: str) -> str:
        r = self.client.post(f"/api/classes/{self.id}/students", json={"nickname": nickname})
        assert r.status_code == 200, r.text
        return r.json()["student_token"]

    def pose(self, spec: dict[str, Any] = BOWL) -> int:
        r = self.client.post(f"/api/classes/{self.id}/challenges", json={"challenge": spec},
                             headers={"X-Teacher-Token": self.teacher})
        assert r.status_code == 200, r.text
        return r.json()["id"]

    def submit(self, token: str, challenge: int, run: dict[str, Any]) -> Any:
        return self.client.post(f"/api/classes/{self.id}/submissions",
                                json={"challenge": challenge, "run": run},
                                headers={"X-Student-Token": token})

    def teacher_headers(self) -> dict[str, str]:
        return {"X-Teacher-Token": self.teacher}


@pytest.fixture()
def cls(tmp_path) -> Iterator[Class]:
    app = create_app(settings_for_tests(data_dir=tmp_path, submission_interval=0.0))
    with TestClient(app) as client:
        yield Class(client)


def receive(ws, kind: str, limit: int = 20) -> dict:
    """The next message of this type (skipping others, e.g. followers counts)."""
    for _ in range(limit):
        msg = strict_loads(ws.receive_text())
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind} message")


def hello(ws, cls: Class, **tokens: str) -> dict:
    ws.send_json({"type": "hello", "class": cls.id, **tokens})
    return receive(ws, "welcome")


# -- HTTP ---------------------------------------------------------------------------------------
def test_join_answers_a_token_and_clean_unique_nicknames(cls: Class) -> None:
    r = cls.client.post(f"/api/classes/{cls.id}/students",
                        json={"nickname": "<b onclick='x'>Ada</b>"})
    assert r.status_code == 200 and r.json()["student"]["nickname"] == "b onclick=xAda/b"
    again = cls.client.post(f"/api/classes/{cls.id}/students",
                            json={"nickname": "B ONCLICK=XADA/B"})
    assert again.status_code == 422 and again.json()["detail"][0]["field"] == "body.nickname"
    assert "taken" in again.json()["message"]
    empty = cls.client.post(f"/api/classes/{cls.id}/students", json={"nickname": "<>"})
    assert empty.status_code == 422 and empty.json()["message"].startswith("nickname:")
    assert cls.client.post("/api/classes/nosuch00/students",
                           json={"nickname": "x"}).status_code == 404


def test_a_submission_is_rerun_and_scored_from_its_config(cls: Class) -> None:
    token = cls.join("Ada")
    challenge = cls.pose()
    # The student's surface, start and steps are overridden; their numbers are never read.
    r = cls.submit(token, challenge, {"surface": "rosenbrock", "start": [3, 3], "steps": 9999,
                                      "final": 0, "runs": [{"optimizer": "sgd", "lr": 0.1}]})
    assert r.status_code == 422  # an unknown field is refused, naming it
    assert r.json()["detail"][0]["field"] == "body.run.final"
    r = cls.submit(token, challenge, {"runs": [{"optimizer": "sgd", "lr": 50.0}]})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.run.runs.0.lr"
    assert r.json()["message"].startswith("run.runs.0.lr: must be between")
    r = cls.submit(token, challenge, {"surface": "rosenbrock", "start": [3, 3], "steps": 9999,
                                      "runs": [{"optimizer": "sgd", "lr": 0.1}]})
    assert r.status_code == 200, r.text
    sub = strict_loads(r.text)
    assert sub["config"]["surface"]["id"] == "bowl" and sub["config"]["start"] == [-1.2, 0.9]
    assert sub["config"]["steps"] == 300
    assert sub["ok"] and sub["score"] == sub["steps"] < 300 and sub["final"] <= 1e-3
    assert sub["nickname"] == "Ada" and sub["optimizer"] == "sgd" and sub["lr"] == 0.1
    assert 2 <= len(sub["path"]) <= 200 and sub["path"][0] == [-1.2, 0.9]
    assert set(sub) >= {"id", "nickname", "challenge", "config", "lr", "optimizer", "final",
                        "score", "ok", "reason", "steps", "path"}


def test_a_diverged_submission_has_no_nan(cls: Class) -> None:
    token = cls.join("Ada")
    challenge = cls.pose(BOWL | {"goal": {"kind": "largest_lr", "target": 1e-3}})
    r = cls.submit(token, challenge, {"runs": [{"optimizer": "sgd", "lr": 5.0}]})
    sub = strict_loads(r.text)  # no NaN or Infinity anywhere
    assert sub["ok"] is False and sub["status"] == "diverged" and sub["reason"]


def test_a_network_challenge(cls: Class) -> None:
    token = cls.join("Ada")
    spec = {"title": "Best test accuracy on xor", "kind": "network",
            "fixed": {"dataset": {"id": "xor"}, "test_fraction": 0.2},
            "budget": {"steps": 60}, "goal": {"kind": "best", "metric": "test_accuracy"}}
    challenge = cls.pose(spec)
    r = cls.submit(token, challenge, {"runs": [{"optimizer": "adam", "lr": 0.05}]})
    assert r.status_code == 200, r.text
    sub = strict_loads(r.text)
    assert sub["ok"] and 0 <= sub["score"] <= 1 and sub["steps"] == 60
    grid = sub["boundary"]
    assert len(grid["z"]) == len(grid["y"]) == 21 and len(grid["z"][0]) == len(grid["x"]) == 21


@pytest.mark.parametrize("change, field", [
    ({"goal": {"kind": "reach"}}, "challenge.goal.target"),
    ({"goal": {"kind": "reach", "target": 1, "metric": "accuracy"}}, "challenge.goal.metric"),
    ({"budget": {"steps": 0}}, "challenge.budget.steps"),
    ({"budget": {"steps": 10**7}}, "challenge.budget.steps"),
    ({"fixed": {"surface": "nosuch"}}, "challenge.fixed.surface.id"),
    ({"fixed": {"surface": "bowl", "run": {"optimizer": "nosuch"}}},
     "challenge.fixed.run.optimizer"),
    ({"kind": "network", "goal": {"kind": "best", "metric": "test_accuracy"}, "fixed": {}},
     "challenge.goal.metric"),
    ({"title": ""}, "challenge.title"),
])
def test_a_bad_challenge_is_422_naming_the_field(cls: Class, change: dict, field: str) -> None:
    r = cls.client.post(f"/api/classes/{cls.id}/challenges",
                        json={"challenge": BOWL | change}, headers=cls.teacher_headers())
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == f"body.{field}", r.json()
    with cls.client.websocket_connect("/ws/class") as ws:  # the socket's pose: the same field
        hello(ws, cls, teacher_token=cls.teacher)
        ws.send_json({"type": "pose", "challenge": BOWL | change})
        assert receive(ws, "error")["field"] == field


def test_submissions_are_rate_limited_per_student(tmp_path) -> None:
    app = create_app(settings_for_tests(data_dir=tmp_path, submission_interval=60.0))
    with TestClient(app) as client:
        c = Class(client)
        ada, bob = c.join("Ada"), c.join("Bob")
        challenge = c.pose()
        run = {"runs": [{"optimizer": "sgd", "lr": 0.1}]}
        assert c.submit(ada, challenge, run).status_code == 200
        again = c.submit(ada, challenge, run)
        assert again.status_code == 429 and "GRADSCAPE_SUBMISSION_INTERVAL" in again.json()[
            "message"] and int(again.headers["retry-after"]) >= 59
        assert c.submit(bob, challenge, run).status_code == 200  # another student's own turn


def test_a_closed_challenge_takes_no_submission(cls: Class) -> None:
    token = cls.join("Ada")
    first = cls.pose()
    cls.pose(BOWL | {"title": "next"})
    r = cls.submit(token, first, {"runs": [{"optimizer": "sgd", "lr": 0.1}]})
    assert r.status_code == 409 and "closed" in r.json()["message"]
    assert cls.submit(token, 999, {"runs": [{"optimizer": "sgd"}]}).status_code == 404


def test_student_refusals(cls: Class) -> None:
    """A student cannot pose, read the gallery or export, nor touch another class."""
    token = cls.join("Ada")
    challenge = cls.pose()
    student = {"X-Student-Token": token}
    r = cls.client.post(f"/api/classes/{cls.id}/challenges", json={"challenge": BOWL},
                        headers={"X-Teacher-Token": token})
    assert r.status_code == 403 and "teacher token is not valid" in r.json()["message"]
    assert cls.client.post(f"/api/classes/{cls.id}/challenges",
                           json={"challenge": BOWL}).status_code == 401
    for path in ("gallery", "export.csv", "export.json"):
        r = cls.client.get(f"/api/classes/{cls.id}/{path}", headers=student)
        assert r.status_code in (401, 403), path
        assert r.json()["message"]
    other, other_teacher = cls.store.open_class(new=True)
    r = cls.client.get(f"/api/classes/{other}", headers=student)
    assert r.status_code == 403 and f"not of class {other}" in r.json()["message"]
    r = cls.client.get(f"/api/classes/{other}/gallery", headers={"X-Teacher-Token": cls.teacher})
    assert r.status_code == 403
    r = cls.client.post(f"/api/classes/{other}/submissions", headers=student,
                        json={"challenge": challenge, "run": {"runs": [{"optimizer": "sgd"}]}})
    assert r.status_code == 403
    assert cls.client.get(f"/api/classes/{cls.id}").status_code == 401


def test_gallery_hides_names_and_export_keeps_them(cls: Class) -> None:
    ada, bob = cls.join("Ada"), cls.join("=HYPERLINK(1)")
    challenge = cls.pose()
    cls.submit(ada, challenge, {"runs": [{"optimizer": "sgd", "lr": 0.1}]})
    cls.submit(bob, challenge, {"runs": [{"optimizer": "sgd", "lr": 0.3}]})
    gallery = cls.client.get(f"/api/classes/{cls.id}/gallery",
                             headers=cls.teacher_headers()).json()
    assert [s["nickname"] for s in gallery["submissions"]] == ["=HYPERLINK(1)", "Ada"]  # best
    cls.store.set_names_hidden(cls.id, True)
    gallery = cls.client.get(f"/api/classes/{cls.id}/gallery",
                             headers=cls.teacher_headers()).json()
    assert [s["nickname"] for s in gallery["submissions"]] == ["Student 2", "Student 1"]
    data = cls.client.get(f"/api/classes/{cls.id}/export.json",
                          headers=cls.teacher_headers()).json()
    assert {s["nickname"] for s in data["submissions"]} == {"Ada", "=HYPERLINK(1)"}
    assert [s["nickname"] for s in data["students"]] == ["Ada", "=HYPERLINK(1)"]
    r = cls.client.get(f"/api/classes/{cls.id}/export.csv", headers=cls.teacher_headers())
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 2 and {row["nickname"] for row in rows} == {"Ada", "'=HYPERLINK(1)"}
    # A student sees the gallery only while the teacher spotlights, and then that run alone.
    sub = gallery["submissions"][0]["id"]
    cls.store.set_spotlight(cls.id, sub)
    seen = cls.client.get(f"/api/classes/{cls.id}/gallery",
                          headers={"X-Student-Token": ada}).json()
    assert [s["id"] for s in seen["submissions"]] == [sub]


def test_classroom_endpoint_names_the_class_not_the_token(tmp_path) -> None:
    app = create_app(settings_for_tests(data_dir=tmp_path, class_id="abcdefgh"))
    with TestClient(app) as client:
        assert client.get("/api/classroom").json()["class"] == "/class/abcdefgh"


# -- the websocket ------------------------------------------------------------------------------
def test_teacher_leads_and_students_follow(cls: Class) -> None:
    token = cls.join("Ada")
    c = cls.client
    with c.websocket_connect("/ws/class") as teacher, c.websocket_connect("/ws/class") as ada:
        welcome = hello(teacher, cls, teacher_token=cls.teacher)
        assert welcome["role"] == "teacher" and welcome["lead"]["on"] is False
        welcome = hello(ada, cls, student_token=token)
        assert welcome["role"] == "student" and welcome["student"]["nickname"] == "Ada"
        assert receive(teacher, "followers") == {"type": "followers", "following": 1,
                                                 "online": 1}
        teacher.send_json({"type": "lead", "on": True})
        assert receive(ada, "lead")["on"] is True
        teacher.send_json({"type": "view", "path": "/network", "hash": "#dataset=xor"})
        view = receive(ada, "view")
        assert view["path"] == "/network" and view["hash"] == "#dataset=xor"
        teacher.send_json({"type": "action", "target": "lr-0", "kind": "input", "value": "0.05"})
        action = receive(ada, "action")
        assert action["target"] == "lr-0" and action["value"] == "0.05"
        assert action["seq"] > view["seq"]
        ada.send_json({"type": "follow", "on": False})
        assert receive(teacher, "followers") == {"type": "followers", "following": 0,
                                                 "online": 1}
        ada.send_json({"type": "follow", "on": True})
        assert receive(teacher, "followers")["following"] == 1
    # A late joiner (or a reconnect) gets the teacher's current view in welcome.
    with c.websocket_connect("/ws/class") as late:
        welcome = hello(late, cls, student_token=token)
        assert welcome["lead"]["on"] is True
        assert welcome["lead"]["view"] == {"path": "/network", "hash": "#dataset=xor"}


@pytest.mark.parametrize("message, what", [
    ({"type": "lead", "on": True}, "lead the class"),
    ({"type": "view", "path": "/", "hash": "#x"}, "lead the class's view"),
    ({"type": "action", "target": "play", "kind": "click"}, "drive the followers"),
    ({"type": "pose", "challenge": BOWL}, "pose a challenge"),
    ({"type": "close"}, "close a challenge"),
    ({"type": "names", "hidden": True}, "hide or show names"),
    ({"type": "spotlight", "submission": None}, "spotlight a run"),
    ({"type": "clear"}, "clear the submissions"),
])
def test_only_the_teacher(cls: Class, message: dict, what: str) -> None:
    token = cls.join("Ada")
    with cls.client.websocket_connect("/ws/class") as ada:
        hello(ada, cls, student_token=token)
        ada.send_json(message)
        error = receive(ada, "error")
        assert error["message"].startswith(f"only the teacher can {what}")
        assert error["code"] == "not_teacher"
        ada.send_json({"type": "follow", "on": False})  # the connection stays usable
        ada.send_json({"type": "lead", "on": True})
        assert receive(ada, "error")["code"] == "not_teacher"


def test_a_wrong_teacher_token_is_refused_clearly(cls: Class) -> None:
    with cls.client.websocket_connect("/ws/class") as ws:
        ws.send_json({"type": "hello", "class": cls.id, "teacher_token": "guess"})
        error = receive(ws, "error")
        assert error["field"] == "teacher_token" and "not valid" in error["message"]
        assert receive(ws, "welcome")["role"] == "viewer"
        ws.send_json({"type": "clear"})
        assert receive(ws, "error")["code"] == "not_teacher"
        ws.send_json({"type": "hello", "class": "nosuch00"})
        assert receive(ws, "error")["field"] == "class"
        ws.send_json({"type": "hello", "class": cls.id, "teacher_token": cls.teacher})
        assert receive(ws, "welcome")["role"] == "teacher"  # the same socket, now right


def test_bad_frames_answer_errors_and_the_socket_goes_on(cls: Class) -> None:
    with cls.client.websocket_connect("/ws/class") as ws:
        ws.send_text("not json")
        assert receive(ws, "error")["code"] == "bad_json"
        ws.send_json({"type": "lead", "on": True})
        assert receive(ws, "error")["code"] == "no_hello"
        ws.send_json({"type": "dance"})
        assert receive(ws, "error")["field"] == "type"
        hello(ws, cls, teacher_token=cls.teacher)
        ws.send_json({"type": "view", "path": "//evil.example/", "hash": ""})
        assert receive(ws, "error")["field"] == "path"
        ws.send_json({"type": "pose", "challenge": BOWL | {"goal": {"kind": "reach"}}})
        assert receive(ws, "error")["field"] == "challenge.goal.target"
        ws.send_json({"type": "lead", "on": True})
        assert receive(ws, "lead")["on"] is True


def test_challenge_submission_spotlight_and_clear_reach_the_sockets(cls: Class) -> None:
    ada_token, bob_token = cls.join("Ada"), cls.join("Bob")
    c = cls.client
    with c.websocket_connect("/ws/class") as teacher, c.websocket_connect("/ws/class") as ada, \
            c.websocket_connect("/ws/class") as bob:
        hello(teacher, cls, teacher_token=cls.teacher)
        hello(ada, cls, student_token=ada_token)
        hello(bob, cls, student_token=bob_token)
        teacher.send_json({"type": "pose", "challenge": BOWL})
        challenge = receive(ada, "challenge")["challenge"]
        assert challenge["title"] == BOWL["title"] and receive(bob, "challenge")
        r = cls.submit(ada_token, challenge["id"], {"runs": [{"optimizer": "sgd", "lr": 0.1}]})
        sub = receive(teacher, "submission")["submission"]
        assert sub["id"] == r.json()["id"] and sub["nickname"] == "Ada"
        assert receive(ada, "submission")["submission"]["id"] == sub["id"]
        teacher.send_json({"type": "names", "hidden": True})
        assert receive(bob, "names")["hidden"] is True
        teacher.send_json({"type": "spotlight", "submission": sub["id"]})
        shown = receive(bob, "spotlight")["submission"]
        assert shown["id"] == sub["id"] and shown["nickname"] == "Student 1"
        # Bob heard no submission: only the teacher and the submitter do.
        teacher.send_json({"type": "clear"})
        assert receive(bob, "cleared") == {"type": "cleared"}
        teacher.send_json({"type": "close"})
        assert receive(ada, "challenge")["challenge"] is None
    # A reload finds the student's own submissions (here: cleared).
    with c.websocket_connect("/ws/class") as ada:
        assert hello(ada, cls, student_token=ada_token)["student"]["submissions"] == []


def test_a_reloaded_student_finds_their_submissions(cls: Class) -> None:
    token = cls.join("Ada")
    challenge = cls.pose()
    sub = cls.submit(token, challenge, {"runs": [{"optimizer": "sgd", "lr": 0.1}]}).json()
    with cls.client.websocket_connect("/ws/class") as ws:
        welcome = hello(ws, cls, student_token=token)
        assert [s["id"] for s in welcome["student"]["submissions"]] == [sub["id"]]
        assert welcome["challenge"]["id"] == challenge


def test_host_and_origin_are_checked(cls: Class) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), cls.client.websocket_connect(
            "/ws/class", headers={"origin": "http://evil.example"}) as ws:
        ws.receive_text()


def test_a_student_of_another_class_reads_nothing_of_it(cls: Class) -> None:
    """Said hello to class B with a token of class A: refused, a viewer of B, who hears no
    submission of B."""
    other, other_teacher = cls.store.open_class(new=True)
    mine = cls.join("Ada")
    r = cls.client.post(f"/api/classes/{other}/students", json={"nickname": "Bob"})
    bob = r.json()["student_token"]
    cls.client.post(f"/api/classes/{other}/challenges", headers={"X-Teacher-Token": other_teacher},
                    json={"challenge": BOWL})
    challenge = cls.store.open_challenge(other)["id"]
    with cls.client.websocket_connect("/ws/class") as ws:
        ws.send_json({"type": "hello", "class": other, "student_token": mine})
        error = receive(ws, "error")
        assert error["field"] == "student_token" and f"not of class {other}" in error["message"]
        welcome = receive(ws, "welcome")
        assert welcome["role"] == "viewer" and "student" not in welcome
        r = cls.client.post(f"/api/classes/{other}/submissions", headers={"X-Student-Token": bob},
                            json={"challenge": challenge,
                                  "run": {"runs": [{"optimizer": "sgd", "lr": 0.1}]}})
        assert r.status_code == 200
        ws.send_json({"type": "follow", "on": True})  # a probe: answered after anything queued
        heard = []
        while not heard or heard[-1]["type"] != "error":
            heard.append(strict_loads(ws.receive_text()))
        assert heard[-1]["code"] == "not_student"
        assert "submission" not in {m["type"] for m in heard}
