"""One class's sockets in a process (app/api/live/class_hub.py), without a server: each socket has
its own sender, so a stalled phone never delays the others and is closed at the send timeout."""

from __future__ import annotations

import asyncio

from app.api.live.class_hub import ALL, TEACHERS, Hub, Member, student_audience
from app.classroom.broker import LocalBroker


class FakeSocket:
    def __init__(self, stalled: bool = False) -> None:
        self.sent: list[str] = []
        self.closed_with: int | None = None
        self.stalled = stalled

    async def send_text(self, text: str) -> None:
        if self.stalled:
            await asyncio.Event().wait()  # never reads
        self.sent.append(text)

    async def close(self, code: int = 1000) -> None:
        self.closed_with = code


def test_a_stalled_socket_delays_nobody_and_is_closed() -> None:
    async def main() -> tuple[FakeSocket, FakeSocket, Member]:
        async def nothing(hub: Hub) -> None:
            return None

        hub = Hub(LocalBroker(), "abc", nothing)
        fast, slow = FakeSocket(), FakeSocket(stalled=True)
        quick, stuck = Member(fast, send_timeout=0.2), Member(slow, send_timeout=0.2)
        hub.add(quick)
        hub.add(stuck)
        for k in range(5):
            hub.dispatch({"to": [ALL], "msg": {"type": "view", "seq": k}})
        await asyncio.sleep(0.05)
        assert len(fast.sent) == 5  # at once, whatever the stalled one does
        await asyncio.sleep(0.4)
        return fast, slow, stuck

    fast, slow, stuck = asyncio.run(main())
    assert stuck.closed and slow.closed_with == 1011 and slow.sent == []


def test_audiences() -> None:
    async def main() -> dict[str, list[str]]:
        async def nothing(hub: Hub) -> None:
            return None

        hub = Hub(LocalBroker(), "abc", nothing)
        sockets = {name: FakeSocket() for name in ("teacher", "ada", "bob", "viewer")}
        members = {name: Member(s, 1.0) for name, s in sockets.items()}
        members["teacher"].role = "teacher"
        for i, name in enumerate(("ada", "bob")):
            members[name].role, members[name].student_id = "student", i + 1
        for m in members.values():
            hub.add(m)
        hub.dispatch({"to": [ALL], "msg": {"type": "cleared"}})
        hub.dispatch({"to": [TEACHERS], "msg": {"type": "submission", "n": 1}})
        hub.dispatch({"to": [student_audience(1)], "msg": {"type": "submission", "n": 2}})
        await asyncio.sleep(0.05)
        return {name: s.sent for name, s in sockets.items()}

    sent = asyncio.run(main())
    assert len(sent["teacher"]) == 2 and len(sent["ada"]) == 2
    assert len(sent["bob"]) == 1 and len(sent["viewer"]) == 1  # "cleared" only
