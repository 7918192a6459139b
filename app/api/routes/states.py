"""Saved view states (app/api/state_store.py): what a link cannot hold, under a short id."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from starlette.concurrency import run_in_threadpool

from app.api.errors import ERROR_RESPONSES
from app.api.jsonsafe import SafeJSONResponse

router = APIRouter(prefix="/api", tags=["states"], responses=ERROR_RESPONSES)

StateId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="a saved state's id")]


def _refusal(status: int, msg: str) -> SafeJSONResponse:
    """The 4xx of app/api/errors.py: the message names the field."""
    return SafeJSONResponse({"detail": [{"loc": ["body"], "field": "body", "msg": msg}],
                             "message": f"body: {msg}"}, status_code=status)


# The body is read by hand (to stop at the size limit): its schema is declared for OpenAPI here.
_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "description": "a page's state"}}}}}


@router.post("/states", openapi_extra=_BODY, responses={
    413: {"description": "the state is larger than max_state_bytes"}})
async def save_state(request: Request) -> Any:
    """Save a page's state (a JSON object); answers its short id, the same for the same state."""
    limit = request.app.state.settings.max_state_bytes
    raw = bytearray()
    async for chunk in request.stream():  # read no more than the limit, however much is sent
        raw += chunk
        if len(raw) > limit:
            return _refusal(413, f"a saved state holds at most {limit:,} bytes "
                                 f"(max_state_bytes, GRADSCAPE_MAX_STATE_BYTES)")
    try:
        state = json.loads(raw)
    except ValueError:
        return _refusal(400, "the body is not JSON")
    if not isinstance(state, dict):
        return _refusal(422, "a saved state is a JSON object")
    key = await run_in_threadpool(request.app.state.state_store.put, state)
    return {"id": key}


@router.get("/states/{state_id}", responses={404: {"description": "no state under this id"}})
async def load_state(request: Request, state_id: StateId) -> Any:
    """A saved state, or 404 (never saved here, or older than the store keeps)."""
    state = await run_in_threadpool(request.app.state.state_store.get, state_id)
    if state is None:
        raise HTTPException(404, f"no saved state {state_id} on this server (states are kept "
                                 f"{request.app.state.settings.state_days} days)")
    return state
