"""uvicorn's websocket protocol, with one change for a classroom server: a session closed for
not reading (close code 1008, see app/api/session.py) is reset. A plain close waits to flush
what the kernel holds for the client, which a client that never reads never allows, so its
socket and megabytes of buffers would stay until it went away.

This reaches into uvicorn's sans-I/O implementation; if that is missing, `protocol()` returns
None and uvicorn's default is used unchanged. (Compressing at zlib level 1 instead of 6 was
tried here too and measured: no gain in bench/stream.py, so it is not done.)
"""

from __future__ import annotations

import contextlib
import socket
import struct
from typing import Any

STALLED_CLOSE_CODE = 1008


def protocol() -> type | None:
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:
        return None

    class GradscapeWebSocketProtocol(WebSocketsSansIOProtocol):
        async def send(self, message: Any) -> None:
            # Before super().send: it first waits for the transport to be writable, which for a
            # client that stopped reading is never.
            if (message.get("type") == "websocket.close"
                    and message.get("code") == STALLED_CLOSE_CODE
                    and self.handshake_complete and self.transport is not None):
                sock = self.transport.get_extra_info("socket")
                if sock is not None:  # linger 0: a reset, and the kernel drops what it held
                    with contextlib.suppress(OSError):
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                        struct.pack("ii", 1, 0))
                self.transport.abort()
                return
            await super().send(message)

    return GradscapeWebSocketProtocol
