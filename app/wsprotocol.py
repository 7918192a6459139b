"""uvicorn's websocket protocol with three changes for a classroom server.

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
3. The compressor is ISA-L's (the `isal` package) where it is installed: the same deflate
   format, inflated by every browser and by zlib, at a quarter of zlib's time (0.42 vs 1.63 us
   a run-step at level 1, 12-bit window; 44 vs 49 bytes). `GRADSCAPE_DEFLATE=zlib` turns it off.
   ISA-L has levels 0 to 3: a zlib level above 3 means its 3.

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
# zlib's memory level: 5 keeps a connection's compressor to tens of kilobytes.
MEMORY_LEVEL = 5
# ISA-L's: 2 ("small", 164 KB a connection) compresses these frames as fast as its default (5,
# 228 KB): measured 0.52 us a run-step for both.
ISAL_MEMORY_LEVEL = 2


def deflate_factory() -> Any:
    """permessage-deflate as this server offers it: zlib level 1, 12-bit windows, and ISA-L's
    compressor when a connection keeps its context (browsers' default) and `isal` is there."""
    from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

    level = int(os.environ.get("GRADSCAPE_DEFLATE_LEVEL", "1"))

    class Factory(ServerPerMessageDeflateFactory):
        def process_request_params(self, params: Any, accepted: Any) -> Any:
            response, extension = super().process_request_params(params, accepted)
            if not extension.local_no_context_takeover:  # else zlib, made anew per message
                fast = isal_compressobj(level, extension.local_max_window_bits)
                if fast is not None:
                    extension.encoder = fast
            return response, extension

    return Factory(server_max_window_bits=12, client_max_window_bits=12,
                   compress_settings={"memLevel": MEMORY_LEVEL, "level": level})


def isal_compressobj(level: int, window_bits: int) -> Any | None:
    """A raw-deflate compressor from ISA-L, or None (not installed, or turned off)."""
    if os.environ.get("GRADSCAPE_DEFLATE", "isal") != "isal":
        return None
    try:
        from isal import isal_zlib
    except ImportError:
        return None
    return isal_zlib.compressobj(min(level, 3), isal_zlib.DEFLATED, -window_bits,
                                  ISAL_MEMORY_LEVEL)


def protocol() -> type | None:
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:
        return None

    class GradscapeWebSocketProtocol(WebSocketsSansIOProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.config.ws_per_message_deflate:
                from websockets.server import ServerProtocol

                self.conn = ServerProtocol(
                    extensions=[deflate_factory()],
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
