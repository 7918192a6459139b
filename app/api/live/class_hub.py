"""One class's sockets in this process, and what the broker brings them (docs/classroom.md).

A hub subscribes once per class and process; every message published on the class comes back
through the broker (this process's own too) as an envelope `{"to": audience, "msg": message}`
and goes to the local sockets in that audience, serialized once. Each socket has its own
sender: one slow phone never delays the others.

Presence (the teacher's "n of m follow") crosses processes the same way: each hub publishes its
own counts (`_presence`) when they change and every few seconds; each hub adds up the latest of
every process, forgetting a process that has not spoken for `PRESENCE_TTL` (killed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket

from app.api.jsonsafe import dumps
from app.classroom.broker import Broker

log = logging.getLogger("gradscape.classroom")
PROCESS = uuid.uuid4().hex  # this process, among every server of the class
PRESENCE_INTERVAL = 5.0  # seconds between two heartbeats of a hub's counts
PRESENCE_TTL = 3 * PRESENCE_INTERVAL
OUTBOX = 2_000  # messages waiting for one socket; past it the socket is called stalled
RETRY = 1.0  # seconds before subscribing again after the broker failed

ALL, TEACHERS = "all", "teachers"
_BACKGROUND: set[asyncio.Task[Any]] = set()


def student_audience(student_id: int) -> str:
    return f"student:{student_id}"


class Member:
    """One socket of the class: who it is, and its own sender."""

    def __init__(self, websocket: WebSocket, send_timeout: float) -> None:
        self.websocket = websocket
        self.send_timeout = send_timeout
        self.role = "viewer"
        self.student_id: int | None = None
        self.following = True
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(OUTBOX)
        self.sender = asyncio.create_task(self._send_loop())
        self.closed = False

    def hears(self, audience: list[str]) -> bool:
        return (ALL in audience or (self.role == "teacher" and TEACHERS in audience)
                or (self.student_id is not None
                    and student_audience(self.student_id) in audience))

    def post(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("a class socket fell %d messages behind: closing it", OUTBOX)
            self.stop()

    def stop(self) -> None:
        self.closed = True
        self.sender.cancel()
        with contextlib.suppress(Exception):
            task = asyncio.get_running_loop().create_task(self.websocket.close(code=1011))
            _BACKGROUND.add(task)
            task.add_done_callback(_BACKGROUND.discard)

    async def _send_loop(self) -> None:
        while True:
            text = await self.queue.get()
            if text is None:
                return
            try:
                async with asyncio.timeout(self.send_timeout):
                    await self.websocket.send_text(text)
            except TimeoutError:
                log.warning("a class socket took over %.0f s to take a message: closing it",
                            self.send_timeout)
                self.stop()
                return
            except Exception:  # the socket is gone; the receiver finds out and cleans up
                self.closed = True
                return

    async def drain(self) -> None:
        """Let what is queued go, then stop the sender."""
        if self.closed:
            return
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self.send_timeout):
                await asyncio.shield(self.sender)
        self.sender.cancel()


class Hub:
    def __init__(self, broker: Broker, class_id: str,
                 on_empty: Callable[[Hub], Awaitable[None]]) -> None:
        self.broker, self.class_id = broker, class_id
        self.members: set[Member] = set()
        self.presence: dict[str, tuple[int, int, float]] = {}  # process -> following, online, t
        self._told: tuple[int, int] | None = None  # what the teachers here last heard
        self._ready = asyncio.Event()
        self._on_empty = on_empty
        self._task: asyncio.Task[None] | None = None
        self._beat: asyncio.Task[None] | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        self._task = asyncio.create_task(self._consume())
        self._beat = asyncio.create_task(self._heartbeat())
        async with asyncio.timeout(10):
            await self._ready.wait()

    async def ready(self) -> None:
        async with asyncio.timeout(10):
            await self._ready.wait()

    async def stop(self) -> None:
        for task in (self._task, self._beat):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        with contextlib.suppress(Exception):
            await self._publish("_presence", {"process": PROCESS, "following": 0, "online": 0,
                                              "t": time.time()})

    async def _consume(self) -> None:
        while True:
            try:
                async with self.broker.subscribe(self.class_id) as messages:
                    self._ready.set()
                    await self._publish("_who", {})
                    await self.announce()
                    async for envelope in messages:
                        self.dispatch(envelope)
            except asyncio.CancelledError:
                raise
            except Exception as err:
                log.warning("class %s: the broker failed (%s); subscribing again in %.0f s",
                            self.class_id, err, RETRY)
                await asyncio.sleep(RETRY)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_INTERVAL)
            with contextlib.suppress(Exception):
                await self.announce()

    # -- members -------------------------------------------------------------------------------
    def add(self, member: Member) -> None:
        self.members.add(member)

    async def remove(self, member: Member) -> None:
        self.members.discard(member)
        if not self.members:
            await self._on_empty(self)
        else:
            await self.announce()

    # -- messages ------------------------------------------------------------------------------
    async def _publish(self, to: str, msg: dict[str, Any]) -> None:
        await self.broker.publish(self.class_id, {"to": [to], "msg": msg})

    def dispatch(self, envelope: dict[str, Any]) -> None:
        audience, msg = envelope.get("to") or [], envelope.get("msg") or {}
        if audience == ["_presence"]:
            self.presence[msg["process"]] = (msg["following"], msg["online"], time.time())
            self._tell_teachers()
            return
        if audience == ["_who"]:
            if self.members:
                task = asyncio.get_running_loop().create_task(self.announce())
                _BACKGROUND.add(task)  # a task nobody holds may be collected before it runs
                task.add_done_callback(_BACKGROUND.discard)
            return
        text = dumps(msg).decode()
        for member in list(self.members):
            if member.hears(audience):
                member.post(text)

    # -- presence ------------------------------------------------------------------------------
    def local_counts(self) -> tuple[int, int]:
        students = [m for m in self.members if m.role == "student"]
        return sum(m.following for m in students), len(students)

    def followers(self) -> dict[str, int]:
        """Students following, and online, across every process of the class."""
        now = time.time()
        for process, (_, _, t) in list(self.presence.items()):
            if now - t > PRESENCE_TTL:
                del self.presence[process]
        following, online = self.local_counts()
        for process, (f, o, _) in self.presence.items():
            if process != PROCESS:
                following, online = following + f, online + o
        return {"following": following, "online": online}

    async def announce(self) -> None:
        """Tell every process this one's counts (and the teachers here at once)."""
        following, online = self.local_counts()
        self._tell_teachers()
        await self._publish("_presence", {"process": PROCESS, "following": following,
                                          "online": online, "t": time.time()})

    def _tell_teachers(self) -> None:
        counts = self.followers()
        key = (counts["following"], counts["online"])
        if key == self._told:
            return
        self._told = key
        text = dumps({"type": "followers", **counts}).decode()
        for member in self.members:
            if member.role == "teacher":
                member.post(text)
