"""How a class's messages reach every process that serves one of its sockets (docs/classroom.md,
Broker): in the process by default, through Redis pub/sub when `GRADSCAPE_REDIS_URL` is set.

A message is a JSON-able dict; each subscriber gets every message published on its class after
it subscribed, in the order one publisher sent them. Nothing is kept: what must survive is in the
store, and the broker only says that something happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

import orjson

log = logging.getLogger("gradscape.broker")
CHANNEL_PREFIX = "gradscape:class:"
# A subscriber this far behind (a stalled process loop) loses the oldest: the sockets it serves
# are stalled anyway, and the store has the state they reload on reconnecting.
LOCAL_QUEUE = 10_000


class Broker(Protocol):
    async def publish(self, class_id: str, message: dict[str, Any]) -> None: ...

    def subscribe(self, class_id: str) -> contextlib.AbstractAsyncContextManager[
        AsyncIterator[dict[str, Any]]]: ...

    async def close(self) -> None: ...


class LocalBroker:
    """One process: a queue per subscriber."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    async def publish(self, class_id: str, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(class_id, ())):
            if queue.full():
                queue.get_nowait()
                log.warning("a subscriber of class %s fell %d messages behind: dropped the "
                            "oldest", class_id, LOCAL_QUEUE)
            queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, class_id: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(LOCAL_QUEUE)
        self._subscribers.setdefault(class_id, set()).add(queue)

        async def messages() -> AsyncIterator[dict[str, Any]]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            subscribers = self._subscribers.get(class_id, set())
            subscribers.discard(queue)
            if not subscribers:
                self._subscribers.pop(class_id, None)

    async def close(self) -> None:
        self._subscribers.clear()


class RedisBroker:
    """Many processes or machines: Redis pub/sub (redis-py's asyncio client), one channel per
    class. A subscription is confirmed by Redis before `subscribe` returns, so a message
    published after it is never missed."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis  # only when configured: the default needs no Redis

        self.url = url
        self._redis = redis.Redis.from_url(url)

    async def publish(self, class_id: str, message: dict[str, Any]) -> None:
        await self._redis.publish(CHANNEL_PREFIX + class_id, orjson.dumps(message))

    @contextlib.asynccontextmanager
    async def subscribe(self, class_id: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=False)
        try:
            await pubsub.subscribe(CHANNEL_PREFIX + class_id)
            while True:  # Redis's confirmation: from here on nothing published is missed
                first = await pubsub.get_message(timeout=5.0)
                if first is None:
                    raise ConnectionError(f"Redis at {self.url} did not confirm the "
                                          "subscription within 5 s")
                if first["type"] == "subscribe":
                    break

            async def messages() -> AsyncIterator[dict[str, Any]]:
                async for item in pubsub.listen():
                    if item["type"] == "message":
                        yield orjson.loads(item["data"])

            yield messages()
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
            await pubsub.aclose()

    async def close(self) -> None:
        await self._redis.aclose()


def make_broker(redis_url: str | None) -> Broker:
    """The broker the settings ask for: Redis with a URL, else in the process."""
    return RedisBroker(redis_url) if redis_url else LocalBroker()
