"""The partnerships page (``/kemitraan``) of agency staff, facilitators and forum organisers (and
admins): their ties, the proposals waiting for their answer (confirm, decline), their own
proposals waiting for the other side, a form to propose a tie to a party found by name, and a
form to end an agreed tie. Plain forms with the session's CSRF token; every write goes through
``service.partnerships``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.network import REFERENCE_MAX, PartnershipCreate, PartnershipKind, PartnershipUpdate, PartyKind
from models.users import Role
from service import partnerships
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.i18n import N_
from service.settings import Settings
from service.web.kit import (
    Gate,
    Viewer,
    error_page,
    form_viewer,
    render,
    short_date,
    viewer_for,
    whole_number,
)

router = APIRouter(include_in_schema=False)

GATE = Gate(roles=(Role.agency_staff, Role.facilitator, Role.forum_organizer, Role.admin))
PATH = "/kemitraan"
NOTE_MAX = 2000
SEARCH_MAX = 100
KINDS = [k.value for k in PartnershipKind]
DONE = {"proposed", "confirmed", "declined", "ended"}


def _day(raw: str) -> date | None:
    """A form's date (``YYYY-MM-DD``, as ``<input type=date>`` sends it); ValueError if malformed."""
    raw = raw.strip()
    return date.fromisoformat(raw) if raw else None


def _page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    *,
    search: str = "",
    error: str | None = None,
    sent: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    board = partnerships.partnership_board(session, viewer.scope)
    choices = partnerships.party_choices(session, viewer.scope, search) if board.party else []
    done = request.query_params.get("ok")
    context: dict[str, Any] = {
        "board": board,
        "search": search,
        "choices": choices,
        "kinds": KINDS,
        "error": error,
        "sent": sent or {},
        "done": done if done in DONE else None,
        "day": lambda d: short_date(d, viewer.lang),
        "reference_max": REFERENCE_MAX,
        "note_max": NOTE_MAX,
        "today": settings.today().isoformat(),
    }
    return render(request, settings, "partnerships.html", context, status_code=status_code, user=viewer.user)


@router.get(PATH, response_class=HTMLResponse)
def partnerships_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Ties, proposals to answer, the propose form (``?cari=`` finds the other party by name)."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    search = (request.query_params.get("cari") or "")[:SEARCH_MAX].replace("\x00", "")
    return _page(request, session, settings, viewer, search=search)


def _error_text(viewer: Viewer, exc: Exception) -> tuple[int, str]:
    t = viewer.t
    if isinstance(exc, InvalidInput):
        field = exc.loc[-1] if exc.loc else ""
        key = {
            "party_b_id": "pt.err.party",
            "party_a_id": "pt.err.party",
            "ended_on": "pt.err.ended_on",
        }.get(str(field), "pt.err.form")
        return 422, t(key)
    if isinstance(exc, Forbidden):
        return 403, t("pt.err.forbidden")
    if isinstance(exc, Conflict):
        return 409, t("pt.err.conflict")
    return 404, t("pt.err.not_found")


@router.post(PATH)
def propose(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    party: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    started_on: Annotated[str, Form()] = "",
    ended_on: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    cari: Annotated[str, Form()] = "",
) -> Response:
    """Propose a tie from the caller's side to the party chosen; 303 back to the page."""
    viewer = form_viewer(request, session, settings, GATE, csrf=csrf, refused=N_("pt.err.csrf"), back=PATH)
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    sent = {"party": party, "kind": kind, "started_on": started_on, "ended_on": ended_on,
            "reference": reference, "note": note}  # fmt: skip
    search = cari[:SEARCH_MAX].replace("\x00", "")

    def again(status_code: int, message: str) -> Response:
        return _page(request, session, settings, viewer, search=search, error=message, sent=sent,
                     status_code=status_code)  # fmt: skip

    own = partnerships.own_party(viewer.scope)
    if own is None:
        return again(403, t("pt.err.no_side"))
    other_kind, _, other_raw = party.partition(":")
    other_id = whole_number(other_raw)
    if other_kind not in {k.value for k in PartyKind} or other_id is None:
        return again(422, t("pt.err.pick"))
    if kind not in KINDS:
        return again(422, t("pt.err.kind"))
    if "\x00" in reference + note or len(reference.strip()) > REFERENCE_MAX or len(note.strip()) > NOTE_MAX:
        return again(422, t("pt.err.text").format(reference=REFERENCE_MAX, note=NOTE_MAX))
    try:
        start, end = _day(started_on), _day(ended_on)
    except ValueError:
        return again(422, t("pt.err.date"))
    data = PartnershipCreate(
        party_a_kind=own[0],
        party_a_id=own[1],
        party_b_kind=PartyKind(other_kind),
        party_b_id=other_id,
        kind=PartnershipKind(kind),
        started_on=start,
        ended_on=end,
        reference=reference.strip() or None,
        note=note.strip() or None,
    )
    try:
        partnerships.propose_partnership(session, viewer.scope, data=data, request_id=request_id(request))
    except (InvalidInput, Forbidden, Conflict, NotFound) as exc:
        return again(*_error_text(viewer, exc))
    return RedirectResponse(f"{PATH}?ok=proposed", status_code=303)


@router.post(PATH + "/{partnership_id}")
def change(
    partnership_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    ended_on: Annotated[str, Form()] = "",
) -> Response:
    """Confirm or decline a proposal made to the caller's side, or end an agreed tie; 303 back."""
    viewer = form_viewer(request, session, settings, GATE, csrf=csrf, refused=N_("pt.err.csrf"), back=PATH)
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    pid = whole_number(partnership_id)
    if pid is None:
        return error_page(request, settings, viewer.user, 404, t("pt.err.not_found"))
    if status not in ("confirmed", "declined", "ended"):
        return _page(request, session, settings, viewer, error=t("pt.err.status"), status_code=422)
    try:
        end = _day(ended_on) if status == "ended" else None
    except ValueError:
        return _page(request, session, settings, viewer, error=t("pt.err.date"), status_code=422)
    data = PartnershipUpdate.model_validate({"status": status, "ended_on": end})
    try:
        partnerships.update_partnership(
            session, viewer.scope, partnership_id=pid, data=data, today=settings.today(), request_id=request_id(request)
        )
    except NotFound:
        return error_page(request, settings, viewer.user, 404, t("pt.err.not_found"))
    except (InvalidInput, Forbidden, Conflict) as exc:
        return _page(request, session, settings, viewer, error=_error_text(viewer, exc)[1],
                     status_code=_error_text(viewer, exc)[0])  # fmt: skip
    return RedirectResponse(f"{PATH}?ok={status}", status_code=303)
