"""A crash loses nothing acknowledged (docs/reliability.md): a real `gradscape --classroom`
killed with SIGKILL right after a join and a submission were answered, started again on the
same data directory, has the class, the student and the scored submission."""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from tests.serverutil import Gradscape, server_env


@pytest.mark.slow
def test_killed_and_restarted_the_class_is_all_there(tmp_path) -> None:
    env = server_env(GRADSCAPE_DATA_DIR=str(tmp_path), GRADSCAPE_SUBMISSION_INTERVAL="0")
    env.pop("GRADSCAPE_REDIS_URL", None)
    first = Gradscape(1, classroom=True, env=env)
    try:
        class_id, teacher = first.class_id, first.token
        base = f"{first.url}/api/classes/{class_id}"
        ada = httpx.post(f"{base}/students", json={"nickname": "Ada"}, timeout=10).json()
        r = httpx.post(f"{base}/challenges", headers={"X-Teacher-Token": teacher}, timeout=10,
                       json={"challenge": {"title": "bowl", "kind": "surface",
                                           "fixed": {"surface": "bowl"}, "budget": {"steps": 100},
                                           "goal": {"kind": "reach", "target": 1e-3}}})
        challenge = r.json()["id"]
        sub = httpx.post(f"{base}/submissions", timeout=30,
                         headers={"X-Student-Token": ada["student_token"]},
                         json={"challenge": challenge,
                               "run": {"runs": [{"optimizer": "sgd", "lr": 0.1}]}}).json()
    finally:
        os.kill(first.proc.pid, signal.SIGKILL)  # no shutdown, no flush: a crash
        first.stop()
    second = Gradscape(1, classroom=True, env=env)
    try:
        assert second.class_id == class_id
        base = f"{second.url}/api/classes/{class_id}"
        gallery = httpx.get(f"{base}/gallery", headers={"X-Teacher-Token": teacher},
                            timeout=10).json()  # the first start's teacher link still leads
        assert [(s["id"], s["nickname"], s["score"]) for s in gallery["submissions"]] == [
            (sub["id"], "Ada", sub["score"])]
        me = httpx.get(base, headers={"X-Student-Token": ada["student_token"]},
                       timeout=10).json()
        assert me["student"]["nickname"] == "Ada"
        assert [s["id"] for s in me["student"]["submissions"]] == [sub["id"]]
    finally:
        second.stop()
