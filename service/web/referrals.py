"""The referral pages, for both sides of the loop: the refer form's post (``/rujukan/baru``), the
facilitator's board and the agency's inbox (``/rujukan``), one referral with its moves
(``/rujukan/{id}``, ``/rujukan/{id}/aksi``).

Every form carries the session's CSRF token; every write goes through ``service.referrals``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from models.referrals import DeclineReason, ReferralStatus
from models.users import Role
from service import referrals
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import NotFound, ServiceError
from service.i18n import N_
from service.settings import Settings
from service.web.kit import (
    Gate,
    Viewer,
    day_text,
    error_page,
    form_viewer,
    moment_text,
    page_window,
    render,
    viewer_for,
    whole_number,
)

if TYPE_CHECKING:
    from sqlmodel import Session

router = APIRouter(include_in_schema=False)

S = ReferralStatus
GATE = Gate(
    roles=(Role.facilitator, Role.agency_staff),
    refused=N_("ref.err.role"),
    refused_status=403,
    linked=False,
    template="referral_error.html",
)
BOARD_SHOWN = 20  # cards a board column shows; the rest are a link to the paged list
LIST_SIZE = 50
NOTE_MAX = 2000
_KEY = re.compile(r"[A-Za-z0-9_-]{8,100}")
_RUPIAH = re.compile(r"[0-9]{1,3}(?:([.,])[0-9]{3})?(?:\1[0-9]{3})*|[0-9]+")


def _error(
    request: Request, settings: Settings, viewer: Viewer, status_code: int, message: str, **extra: Any
) -> Response:
    return error_page(request, settings, viewer.user, status_code, message, template=GATE.template, **extra)


# --- the refer form on the household page ---------------------------------------------------------


@router.post("/rujukan/baru")
def refer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    household_id: Annotated[str, Form()] = "",
    program_id: Annotated[str, Form()] = "",
    key: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
    share_phone: Annotated[str, Form()] = "",
    share_benefits: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record the family's consent (when ticked and not yet given) and refer it; 303 to the referral."""
    hid, pid = whole_number(household_id), whole_number(program_id)
    back = f"/kpm/{hid}" if hid is not None else "/kpm"
    viewer = form_viewer(request, session, settings, GATE, csrf=csrf, refused=N_("ref.err.csrf"), back=back)
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    if hid is None or pid is None:
        return _error(request, settings, viewer, 404, t("error.household_not_found"))
    if not _KEY.fullmatch(key):
        return _error(request, settings, viewer, 422, t("ref.err.key"), back=back)
    note_text = note.strip() or None
    if note_text and len(note_text) > NOTE_MAX:
        return _error(request, settings, viewer, 422, t("ref.err.note").format(n=NOTE_MAX), back=back)
    if "\x00" in note:
        return _error(request, settings, viewer, 422, t("form.err.nul"), back=back)
    try:
        referral = referrals.refer_with_consent(
            session,
            viewer.scope,
            household_id=hid,
            program_id=pid,
            note=note_text,
            idempotency_key=key,
            consent_given=consent == "ya",
            share_phone=share_phone == "ya",
            share_benefits=share_benefits == "ya",
            today=settings.today(),
            request_id=request_id(request),
        )
    except referrals.ConsentNeeded as exc:
        return _error(request, settings, viewer, 422, t("ref.err.consent").format(org=exc.organization), back=back)
    except NotFound:
        return _error(request, settings, viewer, 404, t("error.household_not_found"))
    except ServiceError as exc:
        session.rollback()
        existing = referrals.open_referral_of(session, viewer.scope, hid, pid) if exc.status_code == 409 else None
        return _error(
            request,
            settings,
            viewer,
            exc.status_code,
            t("ref.err.refer"),
            detail=exc.message,
            back=back,
            existing=existing,
        )
    return RedirectResponse(f"/rujukan/{referral.id}", status_code=303)


# --- the board and the inbox ----------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """``/rujukan?status=&hal=``; ``query`` builds the pager's links."""

    status: ReferralStatus | None = None
    page: int = 1

    def query(self, *, page: int = 1) -> str:
        params = {"status": self.status.value} if self.status else {}
        if page > 1:
            params["hal"] = str(page)
        return urlencode(params)


@router.get("/rujukan", response_class=HTMLResponse)
def referrals_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Facilitators: their referrals by stage. Agency staff: referrals to their programmes, newest first."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    scope, t = viewer.scope, viewer.t
    raw_status = request.query_params.get("status") or ""
    page = whole_number(request.query_params.get("hal") or "1")
    if raw_status and raw_status not in ReferralStatus.__members__:
        return _error(request, settings, viewer, 422, t("error.bad_filter").format(field=t("home.status")))
    if page is None or page < 1:
        return _error(request, settings, viewer, 422, t("error.bad_filter").format(field=t("page.label")))
    f = ListFilter(ReferralStatus(raw_status) if raw_status else None, page)
    today = settings.today()
    counts = referrals.status_counts(session, scope)
    context: dict[str, Any] = {
        "f": f,
        "counts": counts,
        "total": sum(counts.values()),
        "unlinked": not scope.linked,
        "when": day_text(settings, viewer.lang),
        "statuses": list(ReferralStatus),
        "action": "/rujukan",
    }
    if scope.role is Role.facilitator and f.status is None:
        columns = referrals.board(
            session, scope, counts, shown=BOARD_SHOWN, today=today, overdue_days=settings.referral_overdue_days
        )
        context["board"] = [(c.name, c.statuses, c.cards, c.total) for c in columns]
        return render(request, settings, "referral_list.html", context, user=viewer.user)
    count = counts.get(f.status.value, 0) if f.status else sum(counts.values())
    page, pages, start = page_window(count, LIST_SIZE, f.page)
    found = referrals.list_referrals(
        session,
        scope,
        status=f.status,
        program_id=None,
        order="sent",
        limit=LIST_SIZE,
        offset=start,
        today=today,
        overdue_days=settings.referral_overdue_days,
    )
    context.update(rows=found.items, count=found.total, page=page, pages=pages, board=None)
    return render(request, settings, "referral_list.html", context, user=viewer.user)


# --- one referral ---------------------------------------------------------------------------------


def _detail(
    request: Request,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    referral_id: int,
    *,
    error: str | None = None,
    detail: str | None = None,
    sent: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        referral = referrals.read_referral(session, viewer.scope, referral_id, request_id=request_id(request))
    except NotFound:
        return _error(request, settings, viewer, 404, viewer.t("ref.err.not_found"))
    view = referrals.referral_views(
        session,
        viewer.scope,
        [referral],
        today=settings.today(),
        with_events=True,
        overdue_days=settings.referral_overdue_days,
        funding_months=settings.double_funding_months,
    )[0]
    side = referrals.side_of(session, viewer.scope, referral)
    context = {
        "v": view,
        "side": side,
        "actions": referrals.moves_for(referral.status, side),
        "chats": referrals.chat_links(session, referral, side=side, lang=viewer.lang, public_url=settings.public_url),
        "reasons": list(DeclineReason),
        "error": error,
        "detail": detail,
        "sent": sent or {},  # what a refused form held, to fill it again
        "when": moment_text(settings, viewer.lang),
    }
    return render(request, settings, "referral_detail.html", context, status_code=status_code, user=viewer.user)


@router.get("/rujukan/{referral_id}", response_class=HTMLResponse)
def referral_page(referral_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One referral: the family as the viewer may see it, the match when referred, its history, the moves."""
    viewer = viewer_for(request, session, settings, GATE, back=request.url.path)
    if isinstance(viewer, Response):
        return viewer
    rid = whole_number(referral_id)
    if rid is None:
        return _error(request, settings, viewer, 404, viewer.t("ref.err.not_found"))
    return _detail(request, session, settings, viewer, rid)


def _rupiah_amount(raw: str) -> int | None:
    """``Rp 1.500.000`` / ``1,500,000`` / ``1500000`` -> 1500000; '' -> None; anything else -> ValueError."""
    text = raw.strip()
    if text[:2].lower() == "rp":
        text = text[2:].strip()
    text = text.replace(" ", "")
    if not text:
        return None
    if not _RUPIAH.fullmatch(text):
        raise ValueError(raw)
    return int(text.replace(".", "").replace(",", ""))


@router.post("/rujukan/{referral_id}/aksi")
def referral_move(
    referral_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    to: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    benefit_amount: Annotated[str, Form()] = "",
    training_completed: Annotated[str, Form()] = "",
    certificate_obtained: Annotated[str, Form()] = "",
    loan_granted: Annotated[str, Form()] = "",
) -> Response:
    """Apply one move through ``service.referrals.move_referral``; 303 back, or the page with why not."""
    rid = whole_number(referral_id)
    back = f"/rujukan/{rid}" if rid is not None else "/rujukan"
    viewer = form_viewer(request, session, settings, GATE, csrf=csrf, refused=N_("ref.err.csrf"), back=back)
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    if rid is None:
        return _error(request, settings, viewer, 404, t("ref.err.not_found"))
    sent = {
        "to": to,
        "note": note,
        "reason": reason,
        "benefit_amount": benefit_amount,
        "training_completed": training_completed,
        "certificate_obtained": certificate_obtained,
        "loan_granted": loan_granted,
    }

    def again(status_code: int, message: str, detail: str | None = None) -> Response:
        return _detail(
            request, session, settings, viewer, rid, error=message, detail=detail, sent=sent, status_code=status_code
        )

    if to not in ReferralStatus.__members__:
        return again(422, t("ref.err.move"))
    move_to = ReferralStatus(to)
    try:
        referral = referrals.get_referral(session, viewer.scope, rid)
    except NotFound:
        return _error(request, settings, viewer, 404, t("ref.err.not_found"))
    read_version = whole_number(version)
    if read_version is not None and read_version != referral.version:
        # The page was read before someone else moved the referral: show it as it is now.
        return again(409, t("ref.err.stale").format(status=t(f"ref.s.{referral.status.value}")))
    note_text = note.strip() or None
    if note_text and len(note_text) > NOTE_MAX:
        return again(422, t("ref.err.note").format(n=NOTE_MAX))
    if "\x00" in note:
        return again(422, t("form.err.nul"))
    decline: DeclineReason | None = None
    if move_to is S.declined:
        if reason not in DeclineReason.__members__:
            return again(422, t("ref.err.reason"))
        decline = DeclineReason(reason)
    outcome: referrals.Outcome | None = None
    if move_to is S.completed:
        try:
            amount = _rupiah_amount(benefit_amount)
        except ValueError:
            return again(422, t("ref.err.amount"))
        try:
            outcome = referrals.Outcome(
                benefit_amount=amount,
                training_completed=training_completed == "ya",
                certificate_obtained=certificate_obtained == "ya",
                loan_granted=loan_granted == "ya",
                note=note_text,
            )
        except ValidationError as exc:
            fields = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
            return again(422, t("ref.err.amount") if "benefit_amount" in fields else t("ref.err.outcome"))
    try:
        referrals.move_referral(
            session,
            viewer.scope,
            referral_id=rid,
            move=referrals.Move(status=move_to, note=note_text, reason=decline, outcome=outcome),
            request_id=request_id(request),
            today=settings.today(),
        )
    except NotFound:
        return _error(request, settings, viewer, 404, t("ref.err.not_found"))
    except ServiceError as exc:
        session.rollback()
        key = {409: "ref.err.conflict", 403: "ref.err.side"}.get(exc.status_code, "ref.err.move")
        return again(exc.status_code, t(key), exc.message)
    return RedirectResponse(f"/rujukan/{rid}", status_code=303)
