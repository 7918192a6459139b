"""The naive baseline for bench/stream.py: the same core runs, one `send_json` per lockstep step,
no batching, stdlib json. Served by uvicorn as `bench.naive_ws:app`."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from app.api.schemas.ws import client_message
from app.core.runs import SurfaceRun


async def naive(websocket: WebSocket) -> None:
    await websocket.accept()
    msg = client_message.validate_python(await websocket.receive_json())
    runs = [SurfaceRun(msg.resolved_surface, msg.resolved_start, r.to_config()) for r in msg.runs]
    for _ in range(msg.steps):
        for r in runs:
            r.advance(1, None)
        steps = [r.current for r in runs]
        await websocket.send_json({
            "type": "frame", "t": time.time(),
            "runs": [{"id": i, "status": r.status, "lambda_max": r.lambda_max(),
                      "steps": [{"step": s.step, "params": s.params, "grad": s.grad,
                                 "loss": s.loss, "lr": s.lr}]}
                     for i, (r, s) in enumerate(zip(runs, steps, strict=True))],
        })
    await websocket.send_json({"type": "done"})
    await websocket.close()


app = Starlette(routes=[WebSocketRoute("/ws", naive)])
