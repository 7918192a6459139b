"""One websocket client: receive commands, step the runs, stream coalesced frames.

Three loops share a session:
- the receiver (the connection's own coroutine) parses commands and is the only place that
  learns of a disconnect (Starlette notices one only inside `receive()`);
- the producer steps the runs (surfaces on the loop in short batches, networks in a worker
  thread), paced at `speed`, appends to the outbox and sends what it holds right away;
- the sender drains the outbox of everything else: consecutive frames are merged into one
  message, so a slow client gets fewer, larger messages instead of a queue, and every send has
  a timeout.
The producer waits while the outbox holds more than `MAX_PENDING_STEPS`: memory stays bounded
whatever the client does.

Timeouts are `asyncio.timeout`, never `asyncio.wait_for`: on Python 3.11 `wait_for` swallows a
cancellation that arrives just as what it awaits completes, so a cancelled producer went on
stepping and the `start` that cancelled it waited forever (seen in the browser tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from typing import Any, ClassVar

import orjson
from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.api.errors import clean_errors
from app.api.jsonsafe import dumps
from app.api.live_runs import NetworkRuns, RunSet, SurfaceRuns
from app.api.schemas.mlp import MAX_STEPS as MAX_NETWORK_STEPS
from app.api.schemas.ws import (
    MESSAGE_TYPES,
    PROTOCOL_VERSION,
    Pause,
    Reset,
    Resume,
    SetParams,
    SetSpeed,
    StartNetwork,
    StartSurface,
    StepN,
    Stop,
    client_message,
)
from app.config import Settings
from app.wsprotocol import STALLED_CLOSE_CODE

log = logging.getLogger("gradscape.ws")

# Run-steps waiting in the outbox before the producer waits: none. A batch computed before the
# last one has left only waits longer (with 50 sessions at full speed, 800 each meant ~0.5 s of
# lag), and the client sees no more steps a second: one core both computes and sends.
MAX_PENDING_STEPS = 0
FRAME_INTERVAL = 1 / 60  # target time between frames when running at full speed
MAX_BATCH = 400  # run-steps computed per batch at full speed (~1 ms): short batches keep lag low
BATCH_SECONDS = 0.004  # target compute time of one batch at full speed (networks: fewer steps)
# Sessions at full speed share the event loop in turns; a step waits for the others' turns
# before it is sent, so their batches shrink as they grow in number: one round of all of them
# takes about this long.
ROUND_SECONDS = 0.025
INLINE_SECONDS = 0.001  # threaded kinds: batches expected to take longer go to a worker thread


class ClientError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field

    def frame(self) -> dict[str, Any]:
        return {"type": "error", "code": self.code, "message": self.message, "field": self.field}


class Session:
    busy: ClassVar[set[Session]] = set()  # sessions stepping at full speed, on this server

    def __init__(self, websocket: WebSocket, settings: Settings) -> None:
        self.ws = websocket
        self.settings = settings
        self.outbox: deque[dict[str, Any]] = deque()
        self.pending_steps = 0
        self.has_mail = asyncio.Event()
        self.sending = asyncio.Lock()  # one sender at a time: messages leave in order
        self.drained = asyncio.Event()
        self.wake = asyncio.Event()
        self.runset: RunSet | None = None
        self.state = "idle"  # idle | running | paused | done
        self.speed = 60.0
        self.budget: int | None = None  # steps left before pausing (the `step` command)
        self.producer: asyncio.Task | None = None
        self.closed = False

    # -- the receiver ----------------------------------------------------------------------
    async def serve(self) -> None:
        """Run until the client leaves or stalls; whichever loop ends first ends the others."""
        self.post({"type": "welcome", "protocol": PROTOCOL_VERSION, "messages": MESSAGE_TYPES,
                   "limits": {"max_steps": self.settings.max_steps,
                              "max_network_steps": MAX_NETWORK_STEPS,
                              "max_runs": self.settings.max_runs,
                              "max_message_bytes": self.settings.max_message_bytes,
                              "max_run_steps_per_second":
                                  self.settings.max_run_steps_per_second}})
        sender = asyncio.create_task(self._send_loop())
        receiver = asyncio.create_task(self._receive_loop())
        try:
            await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.closed = True
            tasks = [t for t in (self.producer, sender, receiver) if t is not None]
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _receive_loop(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is None:
                    text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
                try:
                    await self.handle(text)
                except ClientError as err:
                    self.post(err.frame())

    async def handle(self, text: str) -> None:
        if len(text.encode("utf-8")) > self.settings.max_message_bytes:
            raise ClientError("too_large", f"message larger than "
                              f"{self.settings.max_message_bytes} bytes", None)
        try:
            raw = orjson.loads(text)  # strict: NaN and Infinity are not JSON
        except orjson.JSONDecodeError as err:
            raise ClientError("bad_json", f"not valid JSON: {err}") from None
        if not isinstance(raw, dict) or "type" not in raw:
            raise ClientError("bad_message", "a message is a JSON object with a 'type'", "type")
        if raw["type"] not in MESSAGE_TYPES:
            raise ClientError("unknown_type", f"unknown message type {raw['type']!r}; expected "
                              f"one of {', '.join(MESSAGE_TYPES)}", "type")
        try:
            msg = client_message.validate_python(raw)
        except ValidationError as err:
            first = clean_errors(err.errors(), drop_prefix=1)[0]
            raise ClientError("invalid", f"{first['field']}: {first['msg']}" if first["field"]
                              else first["msg"], first["field"] or None) from None
        await self.dispatch(msg)

    async def dispatch(self, msg: Any) -> None:
        if isinstance(msg, StartSurface | StartNetwork):
            await self.start(msg)
            return
        if isinstance(msg, SetSpeed):
            self.speed = msg.speed
            self.post({"type": "speed", "speed": self.speed})
            self.wake.set()
            return
        rs = self.runset
        if rs is None:
            raise ClientError("no_run", f"nothing to {msg.type}: send 'start' first")
        if isinstance(msg, Pause):
            self._set_state("paused")
        elif isinstance(msg, Resume):
            self._require_unfinished(msg.type)
            self.budget = None
            self._set_state("running")
        elif isinstance(msg, StepN):
            self._require_unfinished(msg.type)
            self.budget = msg.n
            self._set_state("running")
        elif isinstance(msg, SetParams):
            self._queue_set(rs, msg)
        elif isinstance(msg, Reset):
            await self._stop_producer()
            rs.reset(new_weights=msg.new_weights)
            reset: dict[str, Any] = {"type": "reset", "runs": self._heads(rs)}
            if isinstance(rs, NetworkRuns):
                reset["plane"] = rs.plane_json()
            self.post(reset)
            self._set_state("paused")
            self._ensure_producer()
        elif isinstance(msg, Stop):
            await self._stop_producer()
            self._finish("stopped")

    # -- commands ------------------------------------------------------------------------------
    async def start(self, msg: StartSurface | StartNetwork) -> None:
        await self._stop_producer()
        try:
            if isinstance(msg, StartSurface):
                rs, config = SurfaceRuns.from_message(msg)
            else:  # building the problem trains nothing but may take a moment: off the loop
                rs, config = await asyncio.to_thread(NetworkRuns.from_message, msg)
        except (ValueError, TypeError, KeyError) as err:
            raise ClientError("invalid", str(err)) from None
        self.runset = rs
        self.speed = msg.speed
        self.budget = None
        self.post({"type": "started", "protocol": PROTOCOL_VERSION,
                   "runs": [rs.run_info(i) for i in range(len(rs.runs))], "config": config})
        self.post({"type": "frame", "t": time.time(), "runs": self._heads(rs)})
        self._set_state("running")
        self._ensure_producer()

    def _heads(self, rs: RunSet) -> list[dict[str, Any]]:
        """Every run at its current point (its start, after `start` or `reset`)."""
        return [rs.run_json(i, rs.head(i), final=True) for i in range(len(rs.runs))]

    def _queue_set(self, rs: RunSet, msg: SetParams) -> None:
        ids = list(range(len(rs.runs))) if msg.run == "all" else [msg.run]
        if any(not 0 <= i < len(rs.runs) for i in ids):
            raise ClientError("invalid", f"run: no run {msg.run}; runs are 0 to "
                              f"{len(rs.runs) - 1}", "run")
        values = msg.values
        if not values:
            raise ClientError("invalid", "set: name a value to change, e.g. {\"lr\": 0.1}")
        for i in ids:
            spec = rs.runs[i].optimizer.hyperparameters
            for name, value in values.items():
                if name not in spec:
                    raise ClientError("invalid", f"{name}: not a hyperparameter of "
                                      f"{rs.runs[i].config.optimizer}", name)
                if isinstance(value, bool) or not isinstance(value, (int, float)) \
                        or not math.isfinite(value):
                    raise ClientError("invalid", f"{name}: must be a finite number", name)
                h = spec[name]
                if not h.min <= value <= h.max or (name == "lr" and value <= 0):
                    raise ClientError("invalid", f"{name}: must be between {h.min:g} and "
                                      f"{h.max:g}", name)
        rs.changes.append((ids, {k: float(v) for k, v in values.items()}))
        if self.state != "running":
            # Apply now so that the next `step` uses it (the producer is idle).
            with rs.lock:
                while rs.changes:
                    self.post(rs.apply(*rs.changes.popleft()))

    def _require_unfinished(self, what: str) -> None:
        if self.state == "done":
            raise ClientError("finished", f"cannot {what}: the runs have finished; send 'reset' "
                              "to replay or 'start' for new runs")

    # -- the producer --------------------------------------------------------------------------
    def _ensure_producer(self) -> None:
        if self.producer is None or self.producer.done():
            self.producer = asyncio.create_task(self._produce())

    async def _stop_producer(self) -> None:
        if self.producer is not None and not self.producer.done():
            self.producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.producer
        self.producer = None

    async def _produce(self) -> None:
        """Step the runs while running; a bug in here must not freeze the session silently."""
        try:
            await self._produce_steps()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a live run failed")
            self.post({"type": "error", "code": "internal", "field": None,
                       "message": "the server could not compute the next step; the runs were "
                                  "stopped (send 'start' to begin again)"})
            self._finish("stopped")
        finally:
            Session.busy.discard(self)

    async def _produce_steps(self) -> None:
        rs = self.runset
        assert rs is not None
        credit = 0.0  # steps earned at the current speed but not yet taken
        last = time.perf_counter()
        limit = self.settings.max_run_steps_per_second
        allowance, refilled = limit / 10, last  # token bucket of run-steps for this session
        while True:
            if self.state != "running" or self.speed != 0 or self.budget is not None:
                Session.busy.discard(self)
            else:
                Session.busy.add(self)
            if self.state != "running":
                self.wake.clear()
                await self.wake.wait()
                last = time.perf_counter()
                credit = 0.0
                continue
            if self.pending_steps > MAX_PENDING_STEPS:
                self.drained.clear()
                await self.drained.wait()
                continue
            n_runs = max(1, len(rs.active))
            if self.budget is not None:
                n = min(self.budget, max(1, MAX_BATCH // n_runs))  # `step` does not wait
            elif self.speed > 0:
                now = time.perf_counter()
                credit = min(credit + (now - last) * self.speed, self.speed)  # at most 1 s owed
                last = now
                n = int(credit)
                if n == 0:
                    await self._sleep_or_wake((1 - credit) / self.speed)
                    continue
                credit -= n
            else:  # as fast as allowed, in batches of a few milliseconds
                seconds = min(BATCH_SECONDS, ROUND_SECONDS / max(1, len(Session.busy)))
                n = int(seconds / max(rs.seconds_per_step * n_runs, 1e-9))
                n = max(1, min(n, MAX_BATCH // n_runs))
            # The per-session rate limit: one student at full speed cannot starve the class.
            now = time.perf_counter()
            allowance = min(limit / 10, allowance + (now - refilled) * limit)
            refilled = now
            if allowance < n * n_runs:
                await asyncio.sleep((n * n_runs - allowance) / limit)
                continue
            allowance -= n * n_runs
            if rs.threaded and n * n_runs * rs.seconds_per_step > INLINE_SECONDS:
                steps, events = await asyncio.to_thread(rs.advance, n)
            else:
                steps, events = rs.advance(n)
            taken = max((len(s) for s in steps), default=0)
            self._post_steps(rs, steps, events)
            if self.budget is not None:
                self.budget -= taken
                if self.budget <= 0:
                    self.budget = None
                    self._set_state("paused")
            if not rs.active:
                self._finish("done")
                await self._deliver()
                return
            # Send now: woken through the outbox, the sender would queue behind every other
            # session's next batch (tens of milliseconds with 50 at full speed).
            await self._deliver()
            if self.closed:
                return
            if self.speed == 0 or self.budget is not None:
                await asyncio.sleep(0)  # let the receiver and sender in
            else:
                await self._sleep_or_wake(min(FRAME_INTERVAL, 1 / self.speed))

    async def _sleep_or_wake(self, seconds: float) -> None:
        self.wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.001)):
                await self.wake.wait()

    def _post_steps(self, rs: RunSet, steps: list[list[Any]], events: list[dict]) -> None:
        finished = not rs.active
        runs = [rs.run_json(i, run_steps, final=finished or rs.runs[i].status != "running")
                for i, run_steps in enumerate(steps) if run_steps]
        for e in events:
            if e["type"] == "updated":
                self.post(e)
        if runs:
            # t: when these steps were computed (epoch seconds), for measuring delivery lag.
            self.post({"type": "frame", "t": time.time(), "runs": runs})
        for e in events:
            if e["type"] != "updated":
                self.post(e)

    def _finish(self, status: str) -> None:
        rs = self.runset
        if rs is None:
            return
        for run in rs.runs:
            if run.status == "running":
                run.status = status if status == "stopped" else "done"
        self.post({"type": "done", "runs": [
            {"id": i, "status": r.status, "steps": r.step_count, "diverged_at": r.diverged_at}
            for i, r in enumerate(rs.runs)]})
        self.state = "done"

    def _set_state(self, state: str) -> None:
        if self.state != state:
            self.state = state
            step = 0 if self.runset is None else max(r.step_count for r in self.runset.runs)
            self.post({"type": "state", "state": state, "step": step})
        self.wake.set()

    # -- the sender ----------------------------------------------------------------------------
    def post(self, message: dict[str, Any]) -> None:
        """Queue a message; a frame right after a frame is merged into it (coalescing)."""
        if message["type"] == "frame":
            self.pending_steps += _count_steps(message)
            if self.outbox and self.outbox[-1]["type"] == "frame":
                _merge_frames(self.outbox[-1], message)  # keeps the older `t`
                self.has_mail.set()
                return
        self.outbox.append(message)
        self.has_mail.set()

    async def _send_loop(self) -> None:
        while not self.closed:
            await self.has_mail.wait()
            self.has_mail.clear()
            await self._deliver()

    async def _deliver(self) -> None:
        """Send what the outbox holds, in order: from the sender loop, and from the producer right
        after a batch. On failure the connection is closed and `closed` set."""
        async with self.sending:
            try:
                while self.outbox and not self.closed:
                    message = self.outbox.popleft()
                    if message["type"] == "frame":
                        self.pending_steps -= _count_steps(message)
                        self.drained.set()
                    async with asyncio.timeout(self.settings.send_timeout):
                        await self.ws.send_text(dumps(message).decode())
            except TimeoutError:
                log.warning("closing a stalled websocket client (a send took over %.1f s)",
                            self.settings.send_timeout)
                await self._close(STALLED_CLOSE_CODE, "client too slow: stopped reading")
            except (WebSocketDisconnect, RuntimeError, OSError):
                await self._close(1011, "connection lost")
            except Exception:  # a bug: say so in the log, and end the session rather than hang
                log.exception("could not send a message")
                await self._close(1011, "internal error")

    async def _close(self, code: int, reason: str) -> None:
        self.closed = True
        self.has_mail.set()  # the sender loop sees `closed` and ends, and with it the session
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1.0):
                await self.ws.close(code=code, reason=reason)


def _count_steps(frame: dict[str, Any]) -> int:
    return sum(_n_steps(r["steps"]) for r in frame["runs"])


def _n_steps(steps: list[Any] | dict[str, list[Any]]) -> int:
    return len(steps["step"]) if isinstance(steps, dict) else len(steps)


def _merge_frames(into: dict[str, Any], new: dict[str, Any]) -> None:
    by_id = {r["id"]: r for r in into["runs"]}
    for r in new["runs"]:
        old = by_id.get(r["id"])
        if old is None:
            into["runs"].append(r)
            by_id[r["id"]] = r
        else:  # the steps add up; everything else describes the latest
            if isinstance(old["steps"], dict):
                _extend_columns(old["steps"], r["steps"])
            else:
                old["steps"].extend(r["steps"])
            old.update((k, v) for k, v in r.items() if k != "steps")


def _extend_columns(into: dict[str, list[Any]], new: dict[str, list[Any]]) -> None:
    """Append one batch's columns to another's; a column only one of them has (a network's
    weights, sent every k-th step) is padded with nulls, so every column stays one per step."""
    n_into, n_new = len(into["step"]), len(new["step"])
    for name in [*into, *(k for k in new if k not in into)]:
        column = into.get(name)
        if column is None:
            column = into[name] = [None] * n_into
        column.extend(new[name] if name in new else [None] * n_new)
