"""A class across processes (docs/classroom.md, Broker): RedisBroker against a real redis-server,
then two real `gradscape` commands sharing one data directory and one Redis, a teacher on one and
a student on the other."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from websockets.sync.client import connect

from app.classroom.broker import LocalBroker, RedisBroker
from tests.redisutil import redis_server
from tests.serverutil import Gradscape, server_env


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


async def _round_trip(publisher, subscriber) -> list[dict]:
    """Subscribe on one broker, publish on the other: what arrives, in order."""
    got: list[dict] = []
    async with subscriber.subscribe("abc") as messages:
        for i in range(5):
            await publisher.publish("abc", {"n": i, "text": "é<>"})
        await publisher.publish("other", {"n": 99})  # another class: not heard here
        async with asyncio.timeout(10):
            async for message in messages:
                got.append(message)
                if len(got) == 5:
                    break
    return got


@pytest.mark.parametrize("kind", ["local", "redis"])
def test_a_subscriber_hears_every_message_in_order(kind: str, request) -> None:
    async def main() -> list[dict]:
        if kind == "local":
            broker = LocalBroker()
            return await _round_trip(broker, broker)
        url = request.getfixturevalue("redis_url")
        a, b = RedisBroker(url), RedisBroker(url)  # two processes' brokers
        try:
            return await _round_trip(a, b)
        finally:
            await a.close()
            await b.close()

    assert asyncio.run(main()) == [{"n": i, "text": "é<>"} for i in range(5)]


def test_redis_unsubscribes_when_left(redis_url) -> None:
    async def main() -> int:
        broker = RedisBroker(redis_url)
        try:
            async with broker.subscribe("gone"):
                pass
            return (await broker._redis.pubsub_numsub("gradscape:class:gone"))[0][1]
        finally:
            await broker.close()

    assert asyncio.run(main()) == 0


def until(ws, kind: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        msg = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if msg["type"] == kind:
            return msg


@pytest.mark.slow
def test_two_servers_share_a_class_through_redis(redis_url, tmp_path) -> None:
    env = server_env(GRADSCAPE_DATA_DIR=str(tmp_path), GRADSCAPE_REDIS_URL=redis_url,
                     GRADSCAPE_SUBMISSION_INTERVAL="0")
    one = Gradscape(2, classroom=True, env=env)  # `gradscape --workers 2`: two processes already
    two = None
    try:
        two = Gradscape(1, classroom=True, env=env)  # a second machine behind a load balancer, say
        assert two.class_id == one.class_id  # reopened from the shared store
        class_id = one.class_id
        joined = httpx.post(f"{two.url}/api/classes/{class_id}/students",
                            json={"nickname": "Ada"}, timeout=10).json()
        student = joined["student_token"]
        with connect(one.ws) as teacher, connect(two.ws) as ada:
            teacher.send(json.dumps({"type": "hello", "class": class_id,
                                     "teacher_token": one.token}))
            assert until(teacher, "welcome")["role"] == "teacher"
            ada.send(json.dumps({"type": "hello", "class": class_id, "student_token": student}))
            assert until(ada, "welcome")["role"] == "student"
            # Presence crosses processes: the teacher on one sees the student on the other.
            deadline = time.monotonic() + 15
            while until(teacher, "followers") != {"type": "followers", "following": 1,
                                                  "online": 1}:
                assert time.monotonic() < deadline
            teacher.send(json.dumps({"type": "lead", "on": True}))
            assert until(ada, "lead")["on"] is True
            teacher.send(json.dumps({"type": "view", "path": "/", "hash": "#surface=ravine"}))
            assert until(ada, "view")["hash"] == "#surface=ravine"
            teacher.send(json.dumps({"type": "pose", "challenge": {
                "title": "the bowl", "kind": "surface", "fixed": {"surface": "bowl"},
                "budget": {"steps": 200}, "goal": {"kind": "reach", "target": 1e-3}}}))
            challenge = until(ada, "challenge")["challenge"]
            r = httpx.post(f"{two.url}/api/classes/{class_id}/submissions",
                           headers={"X-Student-Token": student}, timeout=30,
                           json={"challenge": challenge["id"],
                                 "run": {"runs": [{"optimizer": "sgd", "lr": 0.1}]}})
            assert r.status_code == 200, r.text
            # Scored on one server, heard by the teacher on the other ...
            assert until(teacher, "submission")["submission"]["id"] == r.json()["id"]
        # ... and in the gallery whichever server answers.
        for server in (one, two):
            gallery = httpx.get(f"{server.url}/api/classes/{class_id}/gallery",
                                headers={"X-Teacher-Token": one.token}, timeout=10).json()
            assert [s["nickname"] for s in gallery["submissions"]] == ["Ada"]
    finally:
        one.stop()
        if two is not None:
            two.stop()
