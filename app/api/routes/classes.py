"""A class over HTTP (docs/classroom.md, HTTP): join, pose, submit (re-run and scored here), the
gallery and the teacher's export. The class server is app/api/live/classroom.py."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response

from app.api.errors import ERROR_RESPONSES
from app.api.jsonsafe import SafeJSONResponse, json_safe
from app.api.live.classroom import ClassError
from app.api.schemas.classroom import (
    JoinBody,
    PoseBody,
    RunRefused,
    SubmitBody,
    submitted_run,
)
from app.classroom import nicknames
from app.classroom.challenges import Goal, merge, rank
from app.classroom.store import NotFound, Refused
from app.core.parameters import HyperparameterError

router = APIRouter(prefix="/api/classes", tags=["classes"], responses={
    **ERROR_RESPONSES,
    401: {"description": "no token: the message says which header"},
    403: {"description": "a token not of this class, or a student asking for the teacher's"},
    404: {"description": "no such class (or challenge, submission) on this server"},
})

ClassId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="the class's id")]
TeacherToken = Annotated[str | None, Header(alias="X-Teacher-Token", max_length=200,
                                            description="the token of the teacher's link")]
StudentToken = Annotated[str | None, Header(alias="X-Student-Token", max_length=200,
                                            description="the token a join answered")]
# A network submission is drawn as a small multiple: a coarse boundary, no extras it never shows.
GALLERY_NETWORK = {"boundary": 21, "sharpness_every": 0, "neurons": 0}


def refusal(err: ClassError | str, status: int = 422, field: str | None = None
            ) -> SafeJSONResponse:
    """A 4xx as app/api/errors.py writes them: `message` says why, `detail[].field` where."""
    if isinstance(err, ClassError):
        message, field, status = err.message, err.field, err.status
    else:
        message = err
    if status == 422 and field:  # as every 422 of the API: the field's place in the body
        field = f"body.{field}"
    loc = [] if field is None else field.split(".")
    return SafeJSONResponse({"detail": [{"loc": loc, "field": field or "", "msg": message}],
                             "message": message}, status_code=status)


def _room(request: Request) -> Any:
    return request.app.state.classroom


@router.post("/{class_id}/students", responses={409: {"description": "the class is full"}})
async def join(class_id: ClassId, body: JoinBody, request: Request) -> Any:
    """Join a class with a nickname; answers the student and their token (keep it: a reload
    comes back as the same student)."""
    room = _room(request)
    try:
        student, token = await room.call(room.store.join, class_id, body.nickname,
                                         room.settings.max_students)
    except nicknames.NicknameError as err:
        return refusal(str(err), 422, "nickname")
    except NotFound as err:
        return refusal(str(err), 404, "class")
    except Refused as err:
        return refusal(str(err), 409, "class")
    return {"student": student, "student_token": token}


@router.get("/{class_id}")
async def class_state(class_id: ClassId, request: Request, x_teacher_token: TeacherToken = None,
                      x_student_token: StudentToken = None) -> Any:
    """The class as `welcome` says it (teacher or student token)."""
    room = _room(request)
    try:
        if x_teacher_token is not None:
            await room.require_teacher(class_id, x_teacher_token)
            return await room.welcome(class_id, "teacher")
        student = await room.require_student(class_id, x_student_token)
        return await room.welcome(class_id, "student", student)
    except ClassError as err:
        return refusal(err)


@router.post("/{class_id}/challenges")
async def pose(class_id: ClassId, body: PoseBody, request: Request,
               x_teacher_token: TeacherToken = None) -> Any:
    """Open a challenge (closing the open one), as the socket's `pose` does."""
    room = _room(request)
    try:
        await room.require_teacher(class_id, x_teacher_token)
        return await room.pose(class_id, body.challenge)
    except ClassError as err:
        return refusal(err)


@router.post("/{class_id}/submissions", responses={
    409: {"description": "the challenge is closed"},
    429: {"description": "too soon after this student's last submission"},
    503: {"description": "busy: retry after Retry-After seconds"}})
async def submit(class_id: ClassId, body: SubmitBody, request: Request,
                 x_student_token: StudentToken = None) -> Any:
    """Submit a run for a challenge: re-run here from its config (the challenge's fixed fields
    over it, its budget capping the steps) and scored; the client's numbers are never read."""
    room = _room(request)
    settings = room.settings
    try:
        student, challenge = await room.call(room.admit, class_id, x_student_token,
                                             body.challenge)
    except ClassError as err:
        return refusal(err)
    request_ = merge(body.run, challenge)
    if challenge["kind"] == "network":
        request_ |= GALLERY_NETWORK
    try:
        parsed = submitted_run(challenge["kind"], request_, settings)
    except RunRefused as err:
        return refusal(f"{err.field}: {err.message}", 422, err.field)
    wait = await room.call(room.store.claim_submission, student["id"],
                           settings.submission_interval)
    if wait > 0:
        return SafeJSONResponse(
            {"detail": [{"loc": [], "field": "", "msg": "too soon"}],
             "message": f"one submission every {settings.submission_interval:g} s per student "
                        f"(GRADSCAPE_SUBMISSION_INTERVAL): try again in {wait:.1f} s"},
            status_code=429, headers={"Retry-After": str(max(1, math.ceil(wait)))})
    goal = Goal.of(challenge["goal"])
    try:
        result = await request.app.state.admission.run(
            request, "class submissions", lambda stop: room.rerun(parsed, goal, stop))
    except (HyperparameterError, ValueError) as err:
        return refusal(f"run: {err}", 422, "run")
    config = json_safe(parsed.model_dump(mode="json", exclude_unset=True))
    return await room.keep_submission(class_id, challenge["id"], student["id"], config, result)


@router.get("/{class_id}/gallery")
async def gallery(class_id: ClassId, request: Request,
                  challenge: Annotated[int | None, Query(ge=1, description="a challenge's id; "
                                                         "default: the open one, else the last")
                                       ] = None,
                  x_teacher_token: TeacherToken = None,
                  x_student_token: StudentToken = None) -> Any:
    """A challenge's submissions, best first (names hidden: "Student 3"): the teacher's, or a
    student's while the teacher spotlights one run (that run alone)."""
    room = _room(request)
    store = room.store
    try:
        state = await room.class_state(class_id)
        if x_teacher_token is not None or x_student_token is None:
            await room.require_teacher(class_id, x_teacher_token)
            teacher = True
        else:
            await room.require_student(class_id, x_student_token)
            teacher = False
            if state["spotlight"] is None:
                raise ClassError("only the teacher sees the gallery (a student sees the run "
                                 "the teacher spotlights)", "teacher_token", "not_teacher", 403)
    except ClassError as err:
        return refusal(err)
    hidden = state["names_hidden"]
    spotlight = None
    if state["spotlight"] is not None:
        try:
            spotlight = await room.call(store.submission, class_id, state["spotlight"], hidden)
        except NotFound:
            spotlight = None
    if not teacher:
        return {"challenge": None if spotlight is None else await room.call(
                    store.challenge, class_id, spotlight["challenge"]),
                "submissions": [s for s in [spotlight] if s], "names_hidden": hidden,
                "spotlight": spotlight}
    try:
        if challenge is not None:
            shown = await room.call(store.challenge, class_id, challenge)
        else:
            shown = (await room.call(store.open_challenge, class_id)
                     or next(iter(reversed(await room.call(store.challenges, class_id))), None))
    except NotFound as err:
        return refusal(str(err), 404, "challenge")
    subs = [] if shown is None else await room.call(store.submissions, class_id, shown["id"],
                                                     None, hidden)
    if shown is not None:
        subs = rank(subs, Goal.of(shown["goal"]))
    return {"challenge": shown, "submissions": subs, "names_hidden": hidden,
            "spotlight": spotlight}


async def _export(request: Request, class_id: str, token: str | None) -> dict[str, Any]:
    room = _room(request)
    await room.require_teacher(class_id, token)
    store = room.store
    state = await room.class_state(class_id)
    return json_safe({
        "class": {k: state[k] for k in ("id", "name", "created")},
        "challenges": await room.call(store.challenges, class_id),
        "students": await room.call(store.students, class_id),
        "submissions": await room.call(store.submissions, class_id),
    })


@router.get("/{class_id}/export.json")
async def export_json(class_id: ClassId, request: Request,
                      x_teacher_token: TeacherToken = None) -> Any:
    """Everything the class did, with nicknames (the teacher's record)."""
    try:
        data = await _export(request, class_id, x_teacher_token)
    except ClassError as err:
        return refusal(err)
    return SafeJSONResponse(data, headers={
        "Content-Disposition": f'attachment; filename="class-{class_id}.json"'})


CSV_COLUMNS = ("submission", "challenge", "title", "student", "nickname", "optimizer", "lr",
               "final", "score", "ok", "reason", "steps", "created", "config")


def _cell(value: Any) -> Any:
    """A spreadsheet opens a cell starting with = + - @ as a formula: such text is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


@router.get("/{class_id}/export.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
async def export_csv(class_id: ClassId, request: Request,
                     x_teacher_token: TeacherToken = None) -> Any:
    """The submissions as a spreadsheet, one row each."""
    try:
        data = await _export(request, class_id, x_teacher_token)
    except ClassError as err:
        return refusal(err)
    titles = {c["id"]: c["title"] for c in data["challenges"]}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for s in data["submissions"]:
        writer.writerow([_cell(v) for v in (
            s["id"], s["challenge"], titles.get(s["challenge"]), s["student"], s["nickname"],
            s.get("optimizer"), s.get("lr"), s.get("final"), s.get("score"), s.get("ok"),
            s.get("reason"), s.get("steps"), s["created"],
            json.dumps(s["config"], separators=(",", ":")))])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="class-{class_id}.csv"'})
