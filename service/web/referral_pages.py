"""Server-rendered referral pages: refer a family from its household page (``POST /rujukan/baru``),
the facilitator's board and the agency's inbox (``/rujukan``), one referral with its history and
the moves the viewer may make now (``/rujukan/{id}``, ``POST /rujukan/{id}/aksi``).

Everything goes through ``service.referrals`` (consent, idempotent creation, atomic moves) and
``service.api.referrals.referral_views``, so a page shows a family exactly as the API does:
agency staff never see its NIK, PKH id, address or coordinates. Every form carries the CSRF
token; a refused move re-renders the referral with the reason, never a 500.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from models.households import Household
from models.organizations import Organization, Program
from models.referrals import Consent, ConsentPurpose, DeclineReason, Referral, ReferralStatus
from models.users import Role, User
from service import referrals as svc
from service.api.referrals import ReferralPublic, referral_views
from service.core.scope import Scope
from service.deps import SESSION_COOKIE, SessionDep, SettingsDep, request_id, user_from_token
from service.errors import InvalidInput, NotFound, ServiceError
from service.i18n import translator
from service.settings import Settings
from service.web.pages import csrf_ok, language_of, render, short_date

router = APIRouter(include_in_schema=False)

S = ReferralStatus
REFERRAL_ROLES = (Role.facilitator, Role.agency_staff)
# The facilitator's board: one column a stage, the closed ones last.
BOARD: tuple[tuple[str, tuple[ReferralStatus, ...]], ...] = (
    ("sent", (S.sent,)),
    ("accepted", (S.accepted,)),
    ("enrolled", (S.enrolled,)),
    ("completed", (S.completed,)),
    ("declined", (S.declined,)),
    ("closed", (S.withdrawn, S.dropped)),
)
BOARD_SHOWN = 20  # cards a board column shows; the rest are a link to the paged list
LIST_SIZE = 50
NOTE_MAX = 2000
_DIGITS = re.compile(r"[0-9]{1,9}")
_KEY = re.compile(r"[A-Za-z0-9_-]{8,100}")
_RUPIAH = re.compile(r"[0-9]{1,3}(?:([.,])[0-9]{3})?(?:\1[0-9]{3})*|[0-9]+")


# --- who asks -------------------------------------------------------------------------------------


def _error(
    request: Request, settings: Settings, user: User | None, status_code: int, message: str, **extra: Any
) -> HTMLResponse:
    return render(
        request, settings, "referral_error.html", {"message": message, **extra}, status_code=status_code, user=user
    )


def _viewer(request: Request, session: Session, settings: Settings, *, back: str) -> tuple[User, Scope] | Response:
    """The signed-in facilitator or agency staff and their scope; else sign in (then ``back``), or a 403 page."""
    user = user_from_token(session, settings, request.cookies.get(SESSION_COOKIE))
    if user is None:
        return RedirectResponse("/login?" + urlencode({"next": back}), status_code=303)
    if Role(user.role) not in REFERRAL_ROLES:
        t = translator(language_of(request, settings))
        message = t("ref.err.role").format(role=t(f"role.{Role(user.role).value}"))
        return _error(request, settings, user, 403, message)
    return user, Scope.for_user(session, user)


def _form_viewer(
    request: Request, session: Session, settings: Settings, *, csrf: str, back: str
) -> tuple[User, Scope, Callable[[str], str]] | Response:
    """``_viewer`` for a form post, whose CSRF field must match the session (403 page if not);
    with the page's translator."""
    viewer = _viewer(request, session, settings, back=back)
    if isinstance(viewer, Response):
        return viewer
    user, scope = viewer
    t = translator(language_of(request, settings))
    if not csrf_ok(csrf, request.cookies.get(SESSION_COOKIE), settings):
        return _error(request, settings, user, 403, t("ref.err.csrf"))
    return user, scope, t


def _when(settings: Settings, lang: str) -> Callable[[datetime | None], str]:
    """``27 Nov 2024 14.05`` (id) / ``27 Nov 2024 14:05`` (en), in the programmes' time zone."""
    zone = ZoneInfo(settings.timezone)
    sep = "." if lang == "id" else ":"

    def when(moment: datetime | None) -> str:
        if moment is None:
            return "–"
        local = moment.astimezone(zone)
        return f"{short_date(local.date(), lang)} {local.hour:02d}{sep}{local.minute:02d}"

    return when


def _day(settings: Settings, lang: str) -> Callable[[datetime | None], str]:
    zone = ZoneInfo(settings.timezone)
    return lambda moment: short_date(moment.astimezone(zone).date(), lang) if moment else "–"


# --- the refer form on the household page ---------------------------------------------------------


@dataclass(frozen=True)
class ReferForm:
    """What a match on the household page offers: its open referral, or a form to refer."""

    program_id: int
    organization_name: str
    consent: Consent | None  # the family's active consent for the programme's organisation
    open_id: int | None = None
    open_status: ReferralStatus | None = None
    mine: bool = False  # the open referral is the viewer's (its page opens for them)
    can_refer: bool = False
    key: str = ""  # the Idempotency-Key of this rendering of the form


def household_referrals(
    session: Session, scope: Scope, household: Household, matches: Sequence[dict[str, Any]], settings: Settings
) -> dict[str, Any]:
    """Context of the household page: ``refer[program_id]`` for matches with an open referral
    (any section) and, for the family's facilitator, for each eligible or unknown match."""
    program_ids = [int(m["program_id"]) for m in matches]
    if not program_ids:
        return {"refer": {}}
    owners = dict(
        session.exec(
            select(Program.id, Program.organization_id).where(Program.id.in_(program_ids))  # type: ignore[union-attr]
        ).all()
    )
    consents: dict[int, Consent] = {}
    for c in session.exec(
        select(Consent)
        .where(
            Consent.household_id == household.id,
            Consent.purpose == ConsentPurpose.referral,
            Consent.withdrawn_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(Consent.id)  # type: ignore[arg-type]
    ):
        consents[c.organization_id] = c  # the latest wins
    open_referrals = {
        r.program_id: r
        for r in session.exec(
            select(Referral).where(
                Referral.household_id == household.id,
                Referral.program_id.in_(program_ids),  # type: ignore[attr-defined]
                Referral.status.in_(svc.OPEN),  # type: ignore[attr-defined]
            )
        )
    }
    may_refer = scope.role is Role.facilitator and scope.facilitator_id is not None
    refer: dict[int, ReferForm] = {}
    for m in matches:
        pid = int(m["program_id"])
        consent = consents.get(owners.get(pid, -1))
        existing = open_referrals.get(pid)
        if existing is not None:
            mine = existing.facilitator_id is not None and existing.facilitator_id == scope.facilitator_id
            refer[pid] = ReferForm(pid, m["organization_name"], consent, existing.id, existing.status, mine)
        elif may_refer and m["status"] in ("eligible", "unknown"):
            refer[pid] = ReferForm(pid, m["organization_name"], consent, can_refer=True, key=secrets.token_urlsafe(18))
    zone = ZoneInfo(settings.timezone)
    return {"refer": refer, "local_date": lambda moment: moment.astimezone(zone).date()}


def _open_referral_of(session: Session, scope: Scope, household_id: int, program_id: int) -> Referral | None:
    return session.exec(
        select(Referral).where(
            Referral.household_id == household_id,
            Referral.program_id == program_id,
            Referral.status.in_(svc.OPEN),  # type: ignore[attr-defined]
            svc.referral_filter(scope),
        )
    ).first()


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
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record the family's consent (when ticked and not yet given) and refer it; 303 to the referral."""
    back = f"/kpm/{household_id}" if _DIGITS.fullmatch(household_id) else "/kpm"
    viewer = _form_viewer(request, session, settings, csrf=csrf, back=back)
    if isinstance(viewer, Response):
        return viewer
    user, scope, t = viewer
    if not (_DIGITS.fullmatch(household_id) and _DIGITS.fullmatch(program_id)):
        return _error(request, settings, user, 404, t("error.household_not_found"))
    if not _KEY.fullmatch(key):
        return _error(request, settings, user, 422, t("ref.err.key"), back=back)
    note_text = note.strip() or None
    if note_text and len(note_text) > NOTE_MAX:
        return _error(request, settings, user, 422, t("ref.err.note").format(n=NOTE_MAX), back=back)
    hid, pid = int(household_id), int(program_id)

    def create() -> tuple[Referral, bool]:
        return svc.create_referral(
            session,
            scope,
            household_id=hid,
            program_id=pid,
            note=note_text,
            idempotency_key=key,
            today=settings.today(),
            request_id=request_id(request),
        )

    try:
        try:
            referral, _ = create()
        except InvalidInput as exc:
            if exc.kind != "consent_required":
                raise
            # Consent is recorded only when it is all that is missing (and the family gave it).
            program = session.get(Program, pid)
            assert program is not None  # create_referral found it before asking for consent
            if consent != "ya":
                org = session.get(Organization, program.organization_id)
                message = t("ref.err.consent").format(org=org.name if org else "–")
                return _error(request, settings, user, 422, message, back=back)
            svc.record_consent(
                session,
                scope,
                household_id=hid,
                organization_id=program.organization_id,
                purpose=ConsentPurpose.referral,
                share_phone=share_phone == "ya",
                request_id=request_id(request),
            )
            referral, _ = create()
    except NotFound:
        return _error(request, settings, user, 404, t("error.household_not_found"))
    except ServiceError as exc:
        session.rollback()
        existing = _open_referral_of(session, scope, hid, pid) if exc.status_code == 409 else None
        return _error(
            request,
            settings,
            user,
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


def _status_counts(session: Session, scope: Scope) -> dict[str, int]:
    rows = session.exec(
        select(Referral.status, sa.func.count()).where(svc.referral_filter(scope)).group_by(Referral.status)
    ).all()
    return {ReferralStatus(s).value: int(n) for s, n in rows}


@router.get("/rujukan", response_class=HTMLResponse)
def referrals_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Facilitators: their referrals by stage. Agency staff: referrals to their programmes, newest first."""
    viewer = _viewer(
        request, session, settings, back=request.url.path + ("?" + request.url.query if request.url.query else "")
    )
    if isinstance(viewer, Response):
        return viewer
    user, scope = viewer
    lang = language_of(request, settings)
    t = translator(lang)
    raw_status = request.query_params.get("status") or ""
    raw_page = request.query_params.get("hal") or "1"
    if raw_status and raw_status not in ReferralStatus.__members__:
        return _error(request, settings, user, 422, t("error.bad_filter").format(field=t("home.status")))
    if not _DIGITS.fullmatch(raw_page) or int(raw_page) < 1:
        return _error(request, settings, user, 422, t("error.bad_filter").format(field=t("page.label")))
    f = ListFilter(ReferralStatus(raw_status) if raw_status else None, int(raw_page))
    unlinked = (scope.role is Role.facilitator and scope.facilitator_id is None) or (
        scope.role is Role.agency_staff and scope.organization_id is None
    )
    today = settings.today()
    counts = _status_counts(session, scope)
    context: dict[str, Any] = {
        "f": f,
        "counts": counts,
        "total": sum(counts.values()),
        "unlinked": unlinked,
        "when": _day(settings, lang),
        "statuses": list(ReferralStatus),
        "action": "/rujukan",
    }
    mine = select(Referral).where(svc.referral_filter(scope))
    if scope.role is Role.facilitator and f.status is None:
        columns = []
        shown: list[Referral] = []
        for name, statuses in BOARD:
            rows = list(
                session.exec(
                    mine.where(col(Referral.status).in_(statuses))
                    .order_by(col(Referral.status_changed_at).desc(), col(Referral.id).desc())
                    .limit(BOARD_SHOWN)
                )
            )
            shown += rows
            columns.append((name, statuses, rows, sum(counts.get(s.value, 0) for s in statuses)))
        views = {v.id: v for v in referral_views(session, scope, shown, today=today)}
        context["board"] = [(name, statuses, [views[r.id] for r in rows], n) for name, statuses, rows, n in columns]  # type: ignore[index]
        return render(request, settings, "referral_list.html", context, user=user)
    stmt = mine if f.status is None else mine.where(Referral.status == f.status)
    count = int(session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0)
    pages = max(1, -(-count // LIST_SIZE))
    page = min(f.page, pages)
    rows = list(
        session.exec(
            stmt.order_by(col(Referral.sent_at).desc(), col(Referral.id).desc())
            .offset((page - 1) * LIST_SIZE)
            .limit(LIST_SIZE)
        )
    )
    context.update(
        rows=referral_views(session, scope, rows, today=today), count=count, page=page, pages=pages, board=None
    )
    return render(request, settings, "referral_list.html", context, user=user)


# --- one referral ---------------------------------------------------------------------------------


def _side(scope: Scope, view: ReferralPublic, referral: Referral) -> str | None:
    if scope.role is Role.agency_staff and scope.organization_id == view.program.organization_id:
        return svc.AGENCY
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        return svc.FACILITATOR if referral.facilitator_id == scope.facilitator_id else None
    return None


def _detail(
    request: Request,
    session: Session,
    settings: Settings,
    user: User,
    scope: Scope,
    referral_id: int,
    *,
    error: str | None = None,
    detail: str | None = None,
    sent: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    lang = language_of(request, settings)
    t = translator(lang)
    try:
        referral = svc.get_referral(session, scope, referral_id)
    except NotFound:
        return _error(request, settings, user, 404, t("ref.err.not_found"))
    view = referral_views(session, scope, [referral], today=settings.today(), with_events=True)[0]
    side = _side(scope, view, referral)
    actions = [to for to, who in svc.TRANSITIONS.get(referral.status, {}).items() if who == side]
    context = {
        "v": view,
        "side": side,
        "actions": actions,
        "reasons": list(DeclineReason),
        "error": error,
        "detail": detail,
        "sent": sent or {},  # what a refused form held, to fill it again
        "when": _when(settings, lang),
    }
    return render(request, settings, "referral_detail.html", context, status_code=status_code, user=user)


@router.get("/rujukan/{referral_id}", response_class=HTMLResponse)
def referral_page(referral_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One referral: the family as the viewer may see it, the match when referred, its history, the moves."""
    viewer = _viewer(request, session, settings, back=request.url.path)
    if isinstance(viewer, Response):
        return viewer
    user, scope = viewer
    if not _DIGITS.fullmatch(referral_id):
        return _error(request, settings, user, 404, translator(language_of(request, settings))("ref.err.not_found"))
    return _detail(request, session, settings, user, scope, int(referral_id))


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
    back = f"/rujukan/{referral_id}" if _DIGITS.fullmatch(referral_id) else "/rujukan"
    viewer = _form_viewer(request, session, settings, csrf=csrf, back=back)
    if isinstance(viewer, Response):
        return viewer
    user, scope, t = viewer
    if not _DIGITS.fullmatch(referral_id):
        return _error(request, settings, user, 404, t("ref.err.not_found"))
    rid = int(referral_id)

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
            request,
            session,
            settings,
            user,
            scope,
            rid,
            error=message,
            detail=detail,
            sent=sent,
            status_code=status_code,
        )

    if to not in ReferralStatus.__members__:
        return again(422, t("ref.err.move"))
    move_to = ReferralStatus(to)
    try:
        referral = svc.get_referral(session, scope, rid)
    except NotFound:
        return _error(request, settings, user, 404, t("ref.err.not_found"))
    if _DIGITS.fullmatch(version) and int(version) != referral.version:
        # The page was read before someone else moved the referral: show it as it is now.
        now = t(f"ref.s.{referral.status.value}")
        return again(409, t("ref.err.stale").format(status=now))
    note_text = note.strip() or None
    if note_text and len(note_text) > NOTE_MAX:
        return again(422, t("ref.err.note").format(n=NOTE_MAX))
    decline: DeclineReason | None = None
    if move_to is S.declined:
        if reason not in DeclineReason.__members__:
            return again(422, t("ref.err.reason"))
        decline = DeclineReason(reason)
    outcome: svc.Outcome | None = None
    if move_to is S.completed:
        try:
            amount = _rupiah_amount(benefit_amount)
        except ValueError:
            return again(422, t("ref.err.amount"))
        try:
            outcome = svc.Outcome(
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
        svc.move_referral(
            session,
            scope,
            referral_id=rid,
            move=svc.Move(status=move_to, note=note_text, reason=decline, outcome=outcome),
            request_id=request_id(request),
        )
    except NotFound:
        return _error(request, settings, user, 404, t("ref.err.not_found"))
    except ServiceError as exc:
        session.rollback()
        key = {409: "ref.err.conflict", 403: "ref.err.side"}.get(exc.status_code, "ref.err.move")
        return again(exc.status_code, t(key), exc.message)
    return RedirectResponse(f"/rujukan/{rid}", status_code=303)
