"""uvicorn's websocket protocol with two changes for a classroom server.

1. A session closed for not reading (close code 1008, see app/api/session.py) is reset. A plain
   close waits to flush what the kernel holds for the client, which a client that never reads
   never allows, so its socket and megabytes of buffers would stay until it went away.
2. permessage-deflate at zlib level 1 (`GRADSCAPE_DEFLATE_LEVEL`; uvicorn uses 6): deflate was
   31% of the server's time streaming at full speed (py-spy); A/B in one session, 4 runs each,
   one client: level 6 gave 105k-186k run-steps/s, level 1 a steady 170k-179k. The window stays
   at uvicorn's 12 bits and memLevel 5: zlib's own 15 and 8 compress a frame 20% faster (1.25
   vs 1.58 us a run-step) but their 64 KB buffers fragmented the heap, and the server's RSS
   crept from 78 to 163 MB over 3,000 connect/disconnect cycles (flat at 91-92 MB with 12 and
   5; bench/load.py [2b]). Compressing in a thread (zlib lets go of the GIL) was slower too:
   the thread waited for the GIL at every hand-over.

This reaches into uvicorn's sans-I/O implementation; if that is missing, `protocol()` returns
None and uvicorn's default is used unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import os
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
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            level = int(os.environ.get("GRADSCAPE_DEFLATE_LEVEL", "1"))
            if self.config.ws_per_message_deflate and level != 6:
                from websockets.extensions.permessage_deflate import (
                    ServerPerMessageDeflateFactory,
                )
                from websockets.server import ServerProtocol

                self.conn = ServerProtocol(
                    extensions=[ServerPerMessageDeflateFactory(
                        server_max_window_bits=12, client_max_window_bits=12,
                        compress_settings={"memLevel": 5, "level": level})],
                    max_size=self.config.ws_max_size,
                    logger=logging.getLogger("uvicorn.error"),
                )

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
