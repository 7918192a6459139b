"""One websocket client: receive commands, step the runs, stream coalesced frames.

Three loops share a session:
- the receiver (the connection's own coroutine) parses commands (`handle`, `dispatch`) and is
  the only place that learns of a disconnect (Starlette notices one only inside `receive()`);
- the producer steps the runs (surfaces on the loop in short batches, networks in a worker
  thread) as the `Pacer` says, posts what happened to the `Outbox` and sends it right away;
- the sender drains the outbox of everything else, every send with a timeout.
The producer computes a batch only once the one before the last has left (a network at full
speed computes its next batch while the last is sent; otherwise one at a time): memory stays
bounded whatever the client does. Every failure answers an `error` frame and keeps the
connection; where the session truly cannot go on it closes with a code and a reason, and says
so in the log.

Timeouts are `asyncio.timeout`, never `asyncio.wait_for`: on Python 3.11 `wait_for` swallows a
cancellation that arrives just as what it awaits completes, so a cancelled producer went on
stepping and the `start` that cancelled it waited forever (seen in the browser tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, ClassVar

import orjson
from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.api.errors import clean_errors
from app.api.jsonsafe import dumps
from app.api.live.curvature import SpectrumError, spectrum_message
from app.api.live.kinds import LiveRuns, NetworkLive, SurfaceLive
from app.api.live.outbox import Outbox
from app.api.live.pacing import BATCH_SECONDS, THREAD_BATCH_SECONDS, Pacer
from app.api.live.sweeping import SweepBusy, SweepRunner
from app.api.schemas.sweeps import CancelSweep, StartSweep
from app.api.schemas.ws import (
    MESSAGE_TYPES,
    PROTOCOL_VERSION,
    AddRun,
    Pause,
    RemoveRun,
    Reset,
    Resume,
    SetParams,
    SetSpeed,
    SpectrumRequest,
    StartNetwork,
    StartSurface,
    StepN,
    Stop,
    client_message,
)
from app.config import Settings
from app.core.parameters import HyperparameterError
from app.wsprotocol import STALLED_CLOSE_CODE

log = logging.getLogger("gradscape.ws")

INLINE_SECONDS = 0.001  # threaded kinds: batches expected to take longer go to a worker thread


class ClientError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field

    def frame(self) -> dict[str, Any]:
        return {"type": "error", "code": self.code, "message": self.message, "field": self.field}


def welcome(settings: Settings) -> dict[str, Any]:
    """The first message: the protocol and the limits this server enforces (its Settings)."""
    return {"type": "welcome", "protocol": PROTOCOL_VERSION, "messages": MESSAGE_TYPES,
            "limits": {"max_steps": settings.max_steps,
                       "max_network_steps": settings.max_network_steps,
                       "max_runs": settings.max_runs,
                       "max_speed": settings.max_speed,
                       "max_message_bytes": settings.max_message_bytes,
                       "max_run_steps_per_second": settings.max_run_steps_per_second}}


def parse(text: str, settings: Settings) -> Any:
    """A client's text as a validated message, or ClientError naming the field."""
    if len(text.encode("utf-8")) > settings.max_message_bytes:
        raise ClientError("too_large", f"message larger than {settings.max_message_bytes} bytes")
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
        raise _invalid(clean_errors(err.errors(), drop_prefix=1)[0]) from None
    try:
        if isinstance(msg, StartSurface | StartNetwork | StartSweep):
            msg.check_limits(settings)
        if isinstance(msg, StartSurface | StartNetwork | SetSpeed) and \
                msg.speed > settings.max_speed:
            raise ValueError(f"speed: at most {settings.max_speed:g} steps per second (0 runs "
                             "as fast as the server allows)")
    except ValueError as err:
        raise _invalid(clean_errors([{"loc": (), "msg": str(err)}])[0]) from None
    return msg


def _invalid(error: dict[str, Any]) -> ClientError:
    field = error["field"] or None
    return ClientError("invalid", f"{field}: {error['msg'].removeprefix(f'{field}: ')}"
                       if field else error["msg"], field)


class Session:
    busy: ClassVar[set[Session]] = set()  # sessions stepping at full speed, on this server

    def __init__(self, websocket: WebSocket, settings: Settings) -> None:
        self.ws = websocket
        self.settings = settings
        self.outbox = Outbox()
        self.has_mail = asyncio.Event()
        self.sending = asyncio.Lock()  # one sender at a time: messages leave in order
        self.wake = asyncio.Event()
        self.live: LiveRuns | None = None
        self.pacer = Pacer(settings.max_run_steps_per_second)
        self.state = "idle"  # idle | running | paused | done
        self.producer: asyncio.Task | None = None
        self.closed = False
        self.sweeps = SweepRunner(self.post)  # a sweep runs beside the live runs

    # -- the receiver ----------------------------------------------------------------------
    async def serve(self) -> None:
        """Run until the client leaves or stalls; whichever loop ends first ends the others."""
        self.post(welcome(self.settings))
        sender = asyncio.create_task(self._send_loop())
        receiver = asyncio.create_task(self._receive_loop())
        try:
            await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if receiver.done() and not receiver.cancelled() and receiver.exception():
                log.error("the websocket receiver failed", exc_info=receiver.exception())
                await self._close(1011, "internal error")
        finally:
            self.closed = True
            self.sweeps.close()
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
                except (asyncio.CancelledError, WebSocketDisconnect):
                    raise
                except Exception:  # a bug: say so, and keep the connection usable
                    log.exception("a websocket message failed: %.200s", text)
                    self.post(ClientError("internal", "the server could not handle that "
                                          "message; the connection is still open").frame())

    async def handle(self, text: str) -> None:
        await self.dispatch(parse(text, self.settings))

    async def dispatch(self, msg: Any) -> None:
        if isinstance(msg, StartSurface | StartNetwork):
            await self.start(msg)
            return
        if isinstance(msg, StartSweep):
            try:
                await self.sweeps.start(msg)
            except SweepBusy as err:
                raise ClientError("busy", str(err)) from None
            return
        if isinstance(msg, CancelSweep):
            if not self.sweeps.running:
                raise ClientError("no_run", "no sweep to cancel")
            await self.sweeps.stop()
            return
        if isinstance(msg, SetSpeed):
            self.pacer.speed = msg.speed
            self.post({"type": "speed", "speed": msg.speed})
            self.wake.set()
            return
        live = self.live
        if live is None:
            raise ClientError("no_run", f"nothing to {msg.type}: send 'start' first")
        if isinstance(msg, Pause):
            self._set_state("paused")
            if live.runset.pending:  # a run added just before: show it now, not on Play
                await self._apply_changes(live)
        elif isinstance(msg, Resume):
            self._require_unfinished(msg.type)
            self.pacer.budget = None
            self._set_state("running")
        elif isinstance(msg, StepN):
            self._require_unfinished(msg.type)
            self.pacer.budget = msg.n
            self._set_state("running")
        elif isinstance(msg, SetParams):
            self._queue_set(live, msg)
        elif isinstance(msg, Reset):
            await self._stop_producer()
            live.reset(new_weights=msg.new_weights)
            reset: dict[str, Any] = {"type": "reset", "runs": live.heads()}
            if isinstance(live, NetworkLive):
                reset["plane"] = live.plane_json()
            self.post(reset)
            self._set_state("paused")
            self._ensure_producer()
            if live.runset.pending:  # a run added or removed just before: now, not on Play
                await self._apply_changes(live)
        elif isinstance(msg, Stop):
            await self._stop_producer()
            self._finish("stopped")
        elif isinstance(msg, SpectrumRequest):
            await self._spectrum(live, msg)
        elif isinstance(msg, AddRun):
            await self._add_run(live, msg)
        elif isinstance(msg, RemoveRun):
            try:
                live.runset.queue_remove(msg.run)
            except (IndexError, ValueError) as err:
                raise ClientError("invalid", f"run: {err}", "run") from None
            await self._apply_changes(live)

    async def _add_run(self, live: LiveRuns, msg: AddRun) -> None:
        """Build the run and catch it up beside the others (off the loop: up to a second for a
        big network), then it joins them at a step boundary."""
        if live.runset.planned >= self.settings.max_runs:
            raise ClientError("invalid", f"run: at most {self.settings.max_runs} runs at once",
                              "run")
        try:
            msg.check_kind(live.kind)
            run, path = await asyncio.to_thread(live.prepare_run, msg.run)
        except HyperparameterError as err:
            field = f"run.{err.field}"
            raise ClientError("invalid", f"{field}: {str(err).removeprefix(err.field + ' ')}",
                              field) from None
        except ValueError as err:
            raise _invalid(clean_errors([{"loc": (), "msg": str(err)}])[0]) from None
        live.add_run(msg.run, run, path)
        await self._apply_changes(live)

    async def _apply_changes(self, live: LiveRuns) -> None:
        """Runs added or removed: the producer applies them at its next step boundary; when
        nothing steps, now. A finished session with a new run to train is paused again."""
        if self.state == "running":
            self.wake.set()
            return
        for message in await asyncio.to_thread(live.flush):
            self.post(message)
        if live.runset.finished:
            self.state = "done"
        elif self.state == "done":
            self._set_state("paused")
            self._ensure_producer()

    async def _spectrum(self, live: LiveRuns, msg: SpectrumRequest) -> None:
        """Off the event loop; awaited here, so one client computes one spectrum at a time
        (tens of milliseconds) while its runs go on stepping."""
        if not isinstance(live, NetworkLive):
            raise ClientError("no_run", "spectrum: the Hessian's spectrum is for network runs; "
                              "start a network first")
        try:
            self.post(await asyncio.to_thread(spectrum_message, live.runset, msg))
        except SpectrumError as err:
            raise ClientError("invalid", str(err), err.field) from None

    # -- commands ------------------------------------------------------------------------------
    async def start(self, msg: StartSurface | StartNetwork) -> None:
        await self._stop_producer()
        try:
            if isinstance(msg, StartSurface):
                live, config = SurfaceLive.from_message(msg)
            else:  # building the problem trains nothing but may take a moment: off the loop
                live, config = await asyncio.to_thread(NetworkLive.from_message, msg)
        except (ValueError, TypeError, KeyError) as err:
            raise ClientError("invalid", str(err)) from None
        self.live = live
        self.pacer = Pacer(self.settings.max_run_steps_per_second, speed=msg.speed,
                           seconds_per_step=live.seconds_per_step,
                           batch_seconds=THREAD_BATCH_SECONDS if live.threaded else BATCH_SECONDS)
        self.post({"type": "started", "protocol": PROTOCOL_VERSION,
                   "runs": [live.run_info(i) for i in range(len(live.runs))], "config": config})
        self.post({"type": "frame", "t": time.time(), "runs": live.heads()})
        # new runs' state is announced even when it is the old runs' (paused, then paused again)
        self._set_state("paused" if msg.paused else "running", announce=True)
        self._ensure_producer()

    def _queue_set(self, live: LiveRuns, msg: SetParams) -> None:
        n = live.runset.planned  # ids count a run added or removed since the last step boundary
        ids = list(range(n)) if msg.run == "all" else [msg.run]
        if any(not 0 <= i < n for i in ids):
            raise ClientError("invalid", f"run: no run {msg.run}; runs are 0 to {n - 1}", "run")
        values = msg.values
        if not values:
            raise ClientError("invalid", "set: name a value to change, e.g. {\"lr\": 0.1}")
        try:
            live.runset.queue_set(ids, values)
        except HyperparameterError as err:
            raise ClientError("invalid", f"{err.field}: {str(err).removeprefix(err.field + ' ')}",
                              err.field) from None
        if self.state != "running":
            # Apply now so that the next `step` uses it (the producer is idle).
            with live.runset.lock:
                for message in live.messages(list(live.runset.apply_pending())):
                    self.post(message)

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
        live, pacer = self.live, self.pacer
        assert live is not None
        runset = live.runset
        pacer.restart(time.perf_counter())
        # At full speed a network's next batch computes in its thread while the loop sends this
        # one (serialization and compression would otherwise leave the thread idle): at most
        # two batches exist at once, the one leaving and the one computing.
        ahead: asyncio.Future[tuple[list[dict[str, Any]], float]] | None = None
        ahead_n = ahead_runs = 0
        try:
            while True:
                if self.state == "running" and pacer.full_speed:
                    Session.busy.add(self)
                else:
                    Session.busy.discard(self)
                if ahead is not None:  # computing since the last send began: it goes out first
                    n, n_runs, job, ahead = ahead_n, ahead_runs, ahead, None
                    messages, seconds = await job
                    counted = 0  # launched at full speed: not part of a `step n` sent since
                else:
                    n_runs = len(runset.active)
                    if self.state != "running":
                        self.wake.clear()
                        await self.wake.wait()
                        pacer.restart(time.perf_counter())
                        continue
                    n, wait = pacer.next_batch(time.perf_counter(), n_runs, len(Session.busy))
                    if n == 0:
                        await self._sleep_or_wake(wait)
                        continue
                    # Only a batch taken for a `step n` counts against it: one taken at full
                    # speed, with `pause` and `step n` arriving as it computes, does not.
                    counted = n if pacer.budget is not None else 0
                    if self._off_loop(live, n, n_runs):
                        messages, seconds = await asyncio.to_thread(self._batch, live, n)
                    else:
                        messages, seconds = self._batch(live, n)
                for message in messages:
                    self.post(message)
                if pacer.took(counted, n * n_runs, seconds):
                    self._set_state("paused")
                if runset.finished:
                    self.state = "done"
                    await self._deliver()
                    return
                if live.threaded and self.state == "running" and pacer.full_speed:
                    ahead_runs = len(runset.active)
                    ahead_n, _ = pacer.next_batch(time.perf_counter(), ahead_runs,
                                                  len(Session.busy))
                    if ahead_n:
                        ahead = asyncio.ensure_future(
                            asyncio.to_thread(self._batch, live, ahead_n))
                # Send now: woken through the outbox, the sender would queue behind every other
                # session's next batch (tens of milliseconds with 50 at full speed).
                await self._deliver()
                if self.closed:
                    return
                pause = pacer.pause_after_frame()
                if pause:
                    await self._sleep_or_wake(pause)
                elif ahead is None:
                    await asyncio.sleep(0)  # let the receiver and sender in
        finally:
            if ahead is not None:  # its thread finishes the batch; nobody sends it
                ahead.cancel()

    def _off_loop(self, live: LiveRuns, n: int, n_runs: int) -> bool:
        """Whether a batch of n steps goes to a worker thread (threaded kinds, not too short)."""
        return live.threaded and n * n_runs * self.pacer.seconds_per_step > INLINE_SECONDS

    @staticmethod
    def _batch(live: LiveRuns, n: int) -> tuple[list[dict[str, Any]], float]:
        """One batch's messages, serialized where it ran (a worker thread for networks: the
        event loop only moves messages), and the seconds it took there."""
        t0 = time.perf_counter()
        messages = live.messages(live.runset.advance(n))
        return messages, time.perf_counter() - t0

    async def _sleep_or_wake(self, seconds: float) -> None:
        self.wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.001)):
                await self.wake.wait()

    def _finish(self, status: str) -> None:
        live = self.live
        if live is None:
            return
        if status == "stopped":
            live.runset.stop()
        self.post(live.done_json())
        self.state = "done"

    def _set_state(self, state: str, announce: bool = False) -> None:
        if self.state != state or announce:
            self.state = state
            step = 0 if self.live is None else max(r.step_count for r in self.live.runs)
            self.post({"type": "state", "state": state, "step": step})
        self.wake.set()

    # -- the sender ----------------------------------------------------------------------------
    def post(self, message: dict[str, Any]) -> None:
        """Queue a message; a frame right after a frame is merged into it (coalescing)."""
        self.outbox.post(message)
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
                    message = self.outbox.pop()
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
