"""A forum's meetings as pages: the form that records one (attendance as checkboxes, commitments
as rows), the meeting page (minutes, attendance, commitments with their follow-up forms), its
printable A4 page with a signature column, and its XLSX export.

Organisers and admins (others: 404); the forms post to ``service.forums``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from models.forums import CommitmentCreate, CommitmentUpdate, MeetingCreate, MeetingPublic
from models.users import Role
from service import forums
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import NotFound, ServiceError
from service.i18n import N_
from service.settings import Settings
from service.web.forum.manage import Field, not_found
from service.web.forum.meeting_sheet import meeting_xlsx
from service.web.forum.words import GATE, BadForm, day, labels, party, refusal, text
from service.web.kit import Gate, Viewer, form_viewer, render, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

# The meeting's own pages are also read by the forum's members (a forum they are not in: 404), who
# follow up the commitments they made; recording meetings and commitments stays with GATE.
MEMBERS_GATE = Gate(roles=(Role.forum_organizer, Role.admin, Role.facilitator, Role.agency_staff))
COMMITMENT_ROWS = 3  # blank commitment rows on the new meeting form
COMMITMENT_FIELDS = ("party", "text", "due_on", "program", "need", "sector", "village")


def _choices_context(session: SessionDep, viewer: Viewer, forum_id: int) -> dict[str, Any]:
    choices = forums.forum_choices_for_forms(session, viewer.scope, forum_id)
    villages = choices.villages if len(choices.villages) <= forums.VILLAGE_CHOICES else []
    return {"choices": choices, "villages": villages, **labels(viewer.t)}


# --- the new meeting form -----------------------------------------------------------------------


def _new_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    forum_id: int,
    *,
    error: str | None = None,
    sent: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        overview = forums.forum_overview(session, viewer.scope, forum_id)
    except NotFound:
        return not_found(request, settings, viewer)
    if not overview.runs:
        return not_found(request, settings, viewer)
    sent = sent or {"held_on": settings.today().isoformat(), "attendance": [], "rows": [{}] * COMMITMENT_ROWS}
    context = {
        "f": overview.forum,
        "members": [m for m in overview.members if m.left_on is None],
        "error": error,
        "sent": sent,
        **_choices_context(session, viewer, forum_id),
    }
    return render(request, settings, "forum_meeting_new.html", context, status_code=status_code, user=viewer.user)


@router.get("/forum/kelola/{forum_id}/rapat/baru", response_class=HTMLResponse)
def meeting_new(forum_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The form that records a meeting: date, place, agenda, minutes, who came, what was promised."""
    viewer = viewer_for(request, session, settings, GATE, back=request.url.path)
    if isinstance(viewer, Response):
        return viewer
    fid = whole_number(forum_id)
    if fid is None:
        return not_found(request, settings, viewer)
    return _new_page(request, session, settings, viewer, fid)


def _commitment_body(row: dict[str, str]) -> dict[str, Any]:
    who = party(row.get("party", ""), "party_id")
    if who is None:
        raise BadForm("party_id")
    program = row.get("program", "").strip()
    program_id = whole_number(program) if program else None
    if program and program_id is None:
        raise BadForm("program_id")
    return {
        "party_kind": who[0],
        "party_id": who[1],
        "text": row.get("text", "").strip(),
        "due_on": day(row.get("due_on", ""), "due_on"),
        "program_id": program_id,
        "need": text(row.get("need", "")),
        "sector": text(row.get("sector", "")),
        "village_code": text(row.get("village", "")),
    }


@router.post("/forum/kelola/{forum_id}/rapat/baru")
async def meeting_create(forum_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Record the meeting; 303 to its page, or the form again with why not."""
    form = await request.form()
    values = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    fid = whole_number(forum_id)
    viewer = form_viewer(
        request,
        session,
        settings,
        GATE,
        csrf=values.get("csrf", ""),
        refused=N_("fm.err.csrf"),
        back=f"/forum/kelola/{forum_id}/rapat/baru",
    )
    if isinstance(viewer, Response):
        return viewer
    if fid is None:
        return not_found(request, settings, viewer)
    rows = [{f: values.get(f"c{i}_{f}", "") for f in COMMITMENT_FIELDS} for i in range(COMMITMENT_ROWS)]
    attendance = [v for k, v in form.multi_items() if k == "attendance" and isinstance(v, str)]
    sent = {**values, "attendance": attendance, "rows": rows}
    try:
        came = [party(a, "attendance") for a in attendance]
        body = {
            "held_on": day(values.get("held_on", ""), "held_on"),
            "place": text(values.get("place", "")),
            "agenda": text(values.get("agenda", "")),
            "minutes": text(values.get("minutes", "")),
            "attendance": [{"member_kind": a[0], "member_id": a[1]} for a in came if a],
            "commitments": [_commitment_body(r) for r in rows if r["text"].strip() or r["party"].strip()],
        }
        if body["held_on"] is None:
            raise BadForm("held_on")
        meeting = forums.create_meeting(
            session,
            viewer.scope,
            forum_id=fid,
            data=MeetingCreate.model_validate(body),
            today=settings.today(),
            request_id=request_id(request),
        )
    except (BadForm, ValidationError, ServiceError) as exc:
        session.rollback()
        if isinstance(exc, NotFound):
            return not_found(request, settings, viewer)
        status_code, message = refusal(viewer.t, viewer.lang, exc)
        return _new_page(request, session, settings, viewer, fid, error=message, sent=sent, status_code=status_code)
    return RedirectResponse(f"/forum/rapat/{meeting.id}", status_code=303)


# --- the meeting --------------------------------------------------------------------------------


def _meeting(session: SessionDep, viewer: Viewer, meeting_id: str) -> MeetingPublic | None:
    mid = whole_number(meeting_id)
    if mid is None:
        return None
    try:
        return forums.get_meeting(session, viewer.scope, mid)
    except NotFound:
        return None


def _meeting_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    meeting: MeetingPublic,
    *,
    error: str | None = None,
    where: str = "",
    status_code: int = 200,
) -> Response:
    runs = forums.may_run_meeting(session, viewer.scope, meeting)
    context = {
        "m": meeting,
        "runs": runs,
        "follows": forums.commitments_followed_by(session, viewer.scope, meeting),
        "error": error,
        "where": where,
        **(_choices_context(session, viewer, meeting.forum_id) if runs else labels(viewer.t)),
    }
    return render(request, settings, "forum_meeting.html", context, status_code=status_code, user=viewer.user)


@router.get("/forum/rapat/{meeting_id}", response_class=HTMLResponse)
def meeting_page(meeting_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One meeting: minutes, who came, the commitments and their follow-ups."""
    viewer = viewer_for(request, session, settings, MEMBERS_GATE, back=request.url.path)
    if isinstance(viewer, Response):
        return viewer
    meeting = _meeting(session, viewer, meeting_id)
    if meeting is None:
        return not_found(request, settings, viewer)
    return _meeting_page(request, session, settings, viewer, meeting)


@router.get("/forum/rapat/{meeting_id}/cetak", response_class=HTMLResponse)
def meeting_print(meeting_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The meeting on A4 paper: minutes, attendance with a signature column, commitments."""
    viewer = viewer_for(request, session, settings, MEMBERS_GATE, back=request.url.path)
    if isinstance(viewer, Response):
        return viewer
    meeting = _meeting(session, viewer, meeting_id)
    if meeting is None:
        return not_found(request, settings, viewer)
    forums.record_meeting_export(
        session, viewer.scope, meeting_id=meeting.id, what="print", request_id=request_id(request)
    )
    context = {"m": meeting, **labels(viewer.t)}
    return render(request, settings, "forum_meeting_print.html", context, user=viewer.user)


@router.get("/forum/rapat/{meeting_id}/ekspor.xlsx")
def meeting_export(meeting_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The meeting as a workbook: the meeting, attendance and commitments sheets."""
    viewer = viewer_for(request, session, settings, MEMBERS_GATE, back=request.url.path)
    if isinstance(viewer, Response):
        return viewer
    meeting = _meeting(session, viewer, meeting_id)
    if meeting is None:
        return not_found(request, settings, viewer)
    forums.record_meeting_export(
        session, viewer.scope, meeting_id=meeting.id, what="xlsx", request_id=request_id(request)
    )
    return Response(
        content=meeting_xlsx(meeting, viewer.lang),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="jejaring-rapat-{meeting.id}-{meeting.held_on}.xlsx"'},
    )


def _meeting_write(
    request: Request, session: SessionDep, settings: Settings, viewer: Viewer, meeting_id: int, where: str, action: Any
) -> Response:
    try:
        action()
    except (BadForm, ValidationError, ServiceError) as exc:
        session.rollback()
        meeting = _meeting(session, viewer, str(meeting_id))
        if meeting is None or isinstance(exc, NotFound):
            return not_found(request, settings, viewer)
        status_code, message = refusal(viewer.t, viewer.lang, exc)
        return _meeting_page(
            request, session, settings, viewer, meeting, error=message, where=where, status_code=status_code
        )
    return RedirectResponse(f"/forum/rapat/{meeting_id}#{where}", status_code=303)


@router.post("/forum/rapat/{meeting_id}/komitmen")
def commitment_add(
    meeting_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Field = "",
    party_: Annotated[str, Form(alias="party")] = "",
    text_: Annotated[str, Form(alias="text")] = "",
    due_on: Field = "",
    program: Field = "",
    need: Field = "",
    sector: Field = "",
    village: Field = "",
) -> Response:
    """Add a commitment to the meeting."""
    viewer = form_viewer(
        request, session, settings, GATE, csrf=csrf, refused=N_("fm.err.csrf"), back=f"/forum/rapat/{meeting_id}"
    )
    if isinstance(viewer, Response):
        return viewer
    mid = whole_number(meeting_id)
    if mid is None:
        return not_found(request, settings, viewer)
    row = {"party": party_, "text": text_, "due_on": due_on, "program": program, "need": need, "sector": sector,
           "village": village}  # fmt: skip

    def act() -> None:
        data = CommitmentCreate.model_validate(_commitment_body(row))
        forums.add_commitment(session, viewer.scope, meeting_id=mid, data=data, request_id=request_id(request))

    return _meeting_write(request, session, settings, viewer, mid, "komitmen", act)


@router.post("/forum/komitmen/{commitment_id}")
def commitment_update(
    commitment_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Field = "",
    status: Field = "",
    note: Field = "",
    version: Field = "",
) -> Response:
    """Follow a commitment up: a new status and a note; back to its meeting."""
    viewer = form_viewer(
        request, session, settings, MEMBERS_GATE, csrf=csrf, refused=N_("fm.err.csrf"), back="/forum/kelola"
    )
    if isinstance(viewer, Response):
        return viewer
    cid = whole_number(commitment_id)
    try:
        found = forums.get_commitment(session, viewer.scope, cid) if cid is not None else None
    except NotFound:
        found = None
    if found is None or cid is None:
        return not_found(request, settings, viewer)

    def act() -> None:
        data = CommitmentUpdate.model_validate(
            {"status": status or None, "note": text(note), "version": whole_number(version)}
        )
        forums.update_commitment(session, viewer.scope, commitment_id=cid, data=data, request_id=request_id(request))

    return _meeting_write(request, session, settings, viewer, found.meeting_id, f"c{cid}", act)
