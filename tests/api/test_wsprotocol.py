"""The server's permessage-deflate: ISA-L's compressor where installed, read by a plain zlib
inflater the way a browser reads it (one window kept across messages)."""

from __future__ import annotations

import random
import zlib

from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode

from app.wsprotocol import deflate_factory


def negotiate(offer: list[tuple[str, str | None]] | None = None):
    """The server side of a handshake in which the client offers permessage-deflate."""
    client = ClientPerMessageDeflateFactory(client_max_window_bits=True)
    params = client.get_request_params() if offer is None else offer
    response, extension = deflate_factory().process_request_params(params, [])
    return response, extension


def messages() -> list[bytes]:
    """Frames like the live ones, some longer than the 4 KB window, some repeating earlier ones."""
    rng = random.Random(3)
    out = []
    for k in range(60):
        steps = [f"[{rng.uniform(-2, 2)!r},{rng.uniform(-2, 2)!r}]" for _ in range(rng.choice(
            (1, 40, 400)))]
        out.append(f'{{"type":"frame","t":{k},"params":[{",".join(steps)}]}}'.encode())
    return out + out[:5]


def test_the_encoder_is_isal_and_a_zlib_inflater_reads_every_message() -> None:
    response, extension = negotiate()
    assert ("server_max_window_bits", "12") in response
    assert type(extension.encoder).__module__.startswith("isal")
    inflater = zlib.decompressobj(wbits=-12)  # what the client holds: a 4 KB window
    for data in messages():
        frame = extension.encode(Frame(Opcode.TEXT, data))
        assert frame.rsv1  # compressed
        assert inflater.decompress(bytes(frame.data) + b"\x00\x00\xff\xff") == data


def test_zlib_when_asked_and_without_context_takeover(monkeypatch) -> None:
    monkeypatch.setenv("GRADSCAPE_DEFLATE", "zlib")
    _, extension = negotiate()
    assert type(extension.encoder).__module__ == "zlib"
    monkeypatch.delenv("GRADSCAPE_DEFLATE")
    # A client asking the server not to keep context gets a fresh zlib compressor per message.
    _, extension = negotiate([("server_no_context_takeover", None)])
    assert extension.local_no_context_takeover
    data = messages()[2]
    frame = extension.encode(Frame(Opcode.TEXT, data))
    assert zlib.decompressobj(wbits=-12).decompress(bytes(frame.data) + b"\x00\x00\xff\xff") \
        == data
