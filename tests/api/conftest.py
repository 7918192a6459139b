"""Fixtures of the API tests."""

from __future__ import annotations

import pytest

from tests.api.wsutil import Reader


@pytest.fixture()
def conn(client):
    """A /ws connection past its `welcome` (a test module may define its own, asking more of it)."""
    with client.websocket_connect("/ws") as ws:
        reader = Reader(ws)
        assert reader.next()["type"] == "welcome"
        yield reader
