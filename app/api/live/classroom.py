"""The class server (docs/classroom.md): what the class websocket `/ws/class` and the class's HTTP
routes do, over the store (app/classroom/store.py) and the broker.

Every change of the class goes to the store first, then out through the broker, so each process
(`gradscape --workers N`, several machines) tells its own sockets; nothing else is shared. The
store is called in a thread: an fsync never holds up the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.api.errors import clean_errors
from app.api.jsonsafe import dumps, json_safe
from app.api.live.class_hub import ALL, TEACHERS, Hub, Member, student_audience
from app.api.live.kinds import NetworkLive
from app.api.schemas.classroom import (
    MESSAGE_TYPES,
    TEACHER_ONLY,
    Action,
    ChallengeSpec,
    Clear,
    Close,
    Follow,
    Hello,
    Lead,
    Names,
    Pose,
    Spotlight,
    View,
    class_message,
)
from app.api.schemas.trajectories import TrajectoryRequest
from app.api.schemas.ws import StartNetwork
from app.classroom.broker import Broker, make_broker
from app.classroom.challenges import MAX_KEPT_NETWORK_STEPS, Goal, rerun, subsample
from app.classroom.store import ClassStore, NotFound
from app.config import Settings
from app.core.cancellation import StopCheck
from app.core.runs import RunSet, SurfaceRun

log = logging.getLogger("gradscape.classroom")


class ClassError(Exception):
    """A refusal told to one socket (an `error` frame) or one request (its status)."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid",
                 status: int = 422) -> None:
        super().__init__(message)
        self.message, self.field, self.code, self.status = message, field, code, status

    def frame(self) -> dict[str, Any]:
        return {"type": "error", "code": self.code, "message": self.message, "field": self.field}


class Classroom:
    """The class server of one process: the store, the broker and this process's hubs."""

    def __init__(self, settings: Settings, broker: Broker | None = None) -> None:
        self.settings = settings
        self.store = ClassStore(settings.data_dir / "classes.sqlite3")
        self.broker = broker or make_broker(settings.redis_url)
        self.hubs: dict[str, Hub] = {}

    async def call(self, method: Any, *args: Any) -> Any:
        """A store method in a worker thread."""
        return await asyncio.to_thread(method, *args)

    # -- scoring -------------------------------------------------------------------------------
    def rerun(self, parsed: TrajectoryRequest | StartNetwork, goal: Goal,
              should_stop: StopCheck | None = None) -> dict[str, Any]:
        """Re-run a validated submission with the run engine and score it (in the heavy-work
        pool): the outcome, and its path (surface) or final decision boundary (network)."""
        if isinstance(parsed, TrajectoryRequest):
            start = parsed.resolved_start
            runset = RunSet([SurfaceRun(parsed.resolved_surface, start,
                                        parsed.runs[0].to_config())], parsed.steps)
            outcome, cols = rerun(runset, goal, should_stop)
            drawn: dict[str, Any] = {"start": list(start), "path": subsample(cols.params)}
        else:
            live, _ = NetworkLive.from_message(parsed)
            every = max(1, math.ceil(parsed.steps / MAX_KEPT_NETWORK_STEPS))
            outcome, cols = rerun(live.runset, goal, should_stop, every)
            drawn = {"boundary": None if not live.has_boundary else {
                "x": live.boundary_x, "y": live.boundary_y,
                "z": live.runs[0].predict_grid(live.boundary_x, live.boundary_y)}}
        return json_safe(outcome.json() | {"kind": "surface" if isinstance(
            parsed, TrajectoryRequest) else "network", "metric": goal.metric} | drawn)

    # -- broadcast -----------------------------------------------------------------------------
    async def publish(self, class_id: str, message: dict[str, Any],
                      to: tuple[str, ...] = (ALL,)) -> None:
        await self.broker.publish(class_id, {"to": list(to), "msg": json_safe(message)})

    async def hub(self, class_id: str) -> Hub:
        hub = self.hubs.get(class_id)
        if hub is None:
            hub = self.hubs[class_id] = Hub(self.broker, class_id, self._hub_empty)
            try:
                await hub.start()
            except BaseException:
                self.hubs.pop(class_id, None)
                await hub.stop()
                raise
        else:
            await hub.ready()
        return hub

    async def _hub_empty(self, hub: Hub) -> None:
        if not hub.members and self.hubs.get(hub.class_id) is hub:
            del self.hubs[hub.class_id]
            await hub.stop()

    def followers(self, class_id: str) -> dict[str, int]:
        hub = self.hubs.get(class_id)
        return hub.followers() if hub else {"following": 0, "online": 0}

    # -- who is asking -------------------------------------------------------------------------
    async def class_state(self, class_id: str) -> dict[str, Any]:
        try:
            return await self.call(self.store.get_class, class_id)
        except NotFound as err:
            raise ClassError(str(err), "class", "no_class", 404) from None

    async def require_teacher(self, class_id: str, token: str | None) -> None:
        await self.call(self.check_teacher, class_id, token)

    def check_teacher(self, class_id: str, token: str | None) -> None:
        """ClassError unless `token` is a teacher token of this class (in a worker thread)."""
        self._check_class(class_id)
        if not token:
            raise ClassError("only the teacher can do this: send the teacher token "
                             "(X-Teacher-Token) from the teacher's link", "teacher_token",
                             "no_token", 401)
        if not self.store.is_teacher(class_id, token):
            raise ClassError(f"this teacher token is not valid for class {class_id}: open the "
                             "teacher's link printed in the terminal", "teacher_token",
                             "wrong_token", 403)

    async def require_student(self, class_id: str, token: str | None) -> dict[str, Any]:
        return await self.call(self.check_student, class_id, token)

    def check_student(self, class_id: str, token: str | None) -> dict[str, Any]:
        """The student of this class with `token`, or ClassError (in a worker thread)."""
        self._check_class(class_id)
        if not token:
            raise ClassError("send your student token (X-Student-Token): join the class first",
                             "student_token", "no_token", 401)
        student = self.store.student(class_id, token)
        if student is None:
            raise ClassError(f"this student token is not of class {class_id}: join it first",
                             "student_token", "wrong_token", 403)
        return student

    def _check_class(self, class_id: str) -> None:
        if not self.store.exists(class_id):
            raise ClassError(f"no class {class_id!r} on this server", "class", "no_class", 404)

    def admit(self, class_id: str, token: str | None, challenge_id: int
              ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A submission's student and open challenge, or ClassError (in one worker thread)."""
        student = self.check_student(class_id, token)
        try:
            challenge = self.store.challenge(class_id, challenge_id)
        except NotFound as err:
            raise ClassError(str(err), "challenge", "no_challenge", 404) from None
        if challenge["closed"] is not None:
            raise ClassError("this challenge is closed: the teacher posed another or closed it",
                             "challenge", "closed", 409)
        return student, challenge

    # -- the class as a page sees it -----------------------------------------------------------
    async def welcome(self, class_id: str, role: str,
                      student: dict[str, Any] | None = None,
                      following: bool = True) -> dict[str, Any]:
        state = await self.class_state(class_id)
        hidden = state["names_hidden"]
        spotlight = None
        if state["spotlight"] is not None:
            with contextlib.suppress(NotFound):
                spotlight = await self.call(self.store.submission, class_id, state["spotlight"],
                                            hidden)
        out: dict[str, Any] = {
            "type": "welcome", "role": role,
            "class": {k: state[k] for k in ("id", "name", "created")},
            "lead": state["lead"],
            "challenge": await self.call(self.store.open_challenge, class_id),
            "followers": self.followers(class_id),
            "names_hidden": hidden, "spotlight": spotlight,
        }
        if student is not None:
            mine = await self.call(self.store.submissions, class_id, None, student["id"])
            out["student"] = student | {"following": following, "submissions": mine}
        return json_safe(out)

    # -- the teacher's changes (the socket's and the HTTP routes' alike) -----------------------
    async def pose(self, class_id: str, spec: ChallengeSpec) -> dict[str, Any]:
        try:
            spec.check(self.settings)
        except ValueError as err:
            field, _, message = str(err).partition(": ")
            raise ClassError(f"challenge.{field}: {message}", f"challenge.{field}") from None
        challenge = await self.call(self.store.pose, class_id, spec.model_dump())
        await self.publish(class_id, {"type": "challenge", "challenge": challenge})
        return challenge

    async def close(self, class_id: str) -> None:
        await self.call(self.store.close_challenge, class_id)
        await self.publish(class_id, {"type": "challenge", "challenge": None})

    async def names(self, class_id: str, hidden: bool) -> None:
        await self.call(self.store.set_names_hidden, class_id, hidden)
        await self.publish(class_id, {"type": "names", "hidden": hidden})
        state = await self.class_state(class_id)
        if state["spotlight"] is not None:  # the spotlighted run's name follows
            await self.spotlight(class_id, state["spotlight"])

    async def spotlight(self, class_id: str, submission_id: int | None) -> None:
        try:
            await self.call(self.store.set_spotlight, class_id, submission_id)
        except NotFound as err:
            raise ClassError(str(err), "submission", "no_submission", 404) from None
        shown = None
        if submission_id is not None:
            hidden = (await self.class_state(class_id))["names_hidden"]
            shown = await self.call(self.store.submission, class_id, submission_id, hidden)
        await self.publish(class_id, {"type": "spotlight", "submission": shown})

    async def clear(self, class_id: str) -> int:
        n = await self.call(self.store.clear, class_id)
        await self.publish(class_id, {"type": "cleared"})
        return n

    async def keep_submission(self, class_id: str, challenge_id: int, student_id: int,
                              config: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        """Store a scored submission (acknowledged: on disk), then tell the teachers (names
        hidden or not) and the submitter (their own name); the submitter's view of it."""
        def keep() -> tuple[dict[str, Any], dict[str, Any]]:
            store = self.store
            submission_id = store.add_submission(challenge_id, student_id, config, result,
                                                 result["score"])
            hidden = store.get_class(class_id)["names_hidden"]
            return (store.submission(class_id, submission_id),
                    store.submission(class_id, submission_id, hidden))

        own, shown = await self.call(keep)
        await self.publish(class_id, {"type": "submission", "submission": shown}, (TEACHERS,))
        await self.publish(class_id, {"type": "submission", "submission": own},
                           (student_audience(student_id),))
        return own


class ClassSocket:
    """One `/ws/class` connection: hello, then the messages its role may send."""

    def __init__(self, room: Classroom, websocket: WebSocket) -> None:
        self.room, self.websocket = room, websocket
        self.settings = room.settings
        self.member = Member(websocket, self.settings.send_timeout)
        self.class_id: str | None = None
        self.hub: Hub | None = None
        self.student: dict[str, Any] | None = None

    async def serve(self) -> None:
        try:
            while True:
                try:
                    text = await self.websocket.receive_text()
                except (WebSocketDisconnect, RuntimeError):
                    return
                try:
                    await self.handle(text)
                except ClassError as err:
                    self.member.post(dumps(err.frame()).decode())
                except Exception as err:  # the broker or the store failed: say so, go on
                    log.exception("class socket: %s", err)
                    self.member.post(dumps(ClassError(
                        f"the class server could not do this ({type(err).__name__}: {err}); "
                        "try again in a moment", None, "server_error").frame()).decode())
        finally:
            await self.leave()
            await self.member.drain()

    async def handle(self, text: str) -> None:
        if len(text.encode()) > self.settings.max_message_bytes:
            raise ClassError(f"a message is at most {self.settings.max_message_bytes:,} bytes "
                             "(GRADSCAPE_MAX_MESSAGE_BYTES)", None, "too_large")
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise ClassError("a message is a JSON object", None, "bad_json") from None
        try:
            msg = class_message.validate_python(raw)
        except ValidationError as err:
            first = clean_errors(err.errors())[0]
            loc = list(first["loc"])
            if loc and loc[0] in MESSAGE_TYPES:  # the union's tag, not a field
                loc = loc[1:]
            field = ".".join(str(p) for p in loc) or "type"
            known = isinstance(raw, dict) and raw.get("type") in MESSAGE_TYPES
            if field == "type" or not known:
                raise ClassError("type: unknown message type; send one of "
                                 f"{', '.join(MESSAGE_TYPES)}", "type") from None
            raise ClassError(f"{field}: {first['msg']}", field) from None
        if isinstance(msg, Hello):
            await self.hello(msg)
            return
        if self.class_id is None:
            raise ClassError("send hello first: {\"type\": \"hello\", \"class\": ID}", "type",
                             "no_hello")
        if msg.type in TEACHER_ONLY and self.member.role != "teacher":
            raise ClassError(f"only the teacher can {TEACHER_ONLY[msg.type]}: open the "
                             "teacher's link printed in the terminal", "type", "not_teacher")
        await self.dispatch(msg)

    async def hello(self, msg: Hello) -> None:
        room, class_id = self.room, msg.class_
        await room.class_state(class_id)  # 404-like error if none; the socket stays
        errors: list[ClassError] = []
        role, student = "viewer", None
        if msg.teacher_token is not None:
            try:
                await room.require_teacher(class_id, msg.teacher_token)
                role = "teacher"
            except ClassError as err:
                errors.append(err)
        if role == "viewer" and msg.student_token is not None:
            try:
                student = await room.require_student(class_id, msg.student_token)
                role = "student"
            except ClassError as err:
                errors.append(err)
        await self.leave()
        self.class_id, self.student = class_id, student
        self.member.role = role
        self.member.student_id = student["id"] if student else None
        self.member.following = True
        try:
            self.hub = await room.hub(class_id)
        except (TimeoutError, OSError) as err:
            raise ClassError(f"the class's messages cannot reach the other servers ({err}): "
                             "is Redis (GRADSCAPE_REDIS_URL) running?", None,
                             "broker_down") from None
        self.hub.add(self.member)
        for err in errors:  # refused, but the socket goes on as a viewer
            self.member.post(dumps(err.frame()).decode())
        self.member.post(dumps(await room.welcome(class_id, role, student)).decode())
        await self.hub.announce()

    async def leave(self) -> None:
        if self.hub is not None:
            hub, self.hub = self.hub, None
            await hub.remove(self.member)

    async def dispatch(self, msg: Any) -> None:
        room, class_id = self.room, self.class_id
        assert class_id is not None
        store = room.store
        if isinstance(msg, Follow):
            if self.member.role != "student":
                raise ClassError("only a student can follow the teacher", "type", "not_student")
            self.member.following = msg.on
            assert self.hub is not None
            await self.hub.announce()
        elif isinstance(msg, Lead):
            lead = await room.call(store.set_lead, class_id, msg.on)
            await room.publish(class_id, {"type": "lead", **lead})
        elif isinstance(msg, View):
            lead = await room.call(store.set_view, class_id, msg.path, msg.hash)
            if lead["on"]:
                await room.publish(class_id, {"type": "view", **lead["view"], "seq": lead["seq"]})
        elif isinstance(msg, Action):
            lead = await room.call(store.next_seq, class_id)
            if lead["on"]:
                action = msg.model_dump(exclude_none=True) | {"seq": lead["seq"]}
                await room.publish(class_id, action)
        elif isinstance(msg, Pose):
            await room.pose(class_id, msg.challenge)
        elif isinstance(msg, Close):
            await room.close(class_id)
        elif isinstance(msg, Names):
            await room.names(class_id, msg.hidden)
        elif isinstance(msg, Spotlight):
            await room.spotlight(class_id, msg.submission)
        elif isinstance(msg, Clear):
            await room.clear(class_id)

