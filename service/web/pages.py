"""Server-rendered pages: sign-in, a home page per role, about, language switch, and the
facilitator's caseload (``/kpm``), household matches (``/kpm/{id}``) and screening table
(``/kpm/skrining``, CSV at ``/kpm/skrining.csv``).

Pages authenticate with the same signed token as the API, kept in an HttpOnly cookie; every
form that changes state carries a CSRF token derived from that cookie. Household pages go
through ``service.scoping`` like the API: a household outside the caller's caseload is a 404.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import numpy as np
import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session, select

from mapping import labels
from mapping.matching import ProgramFacts
from models.eligibility import NEEDS, SECTORS
from models.households import Business, Household, KpmGroup
from models.users import Role, User
from service.api.system import authenticate
from service.core.audit import record_event
from service.core.regions import region_names
from service.core.scope import Scope, get_in_scope
from service.core.security import create_token
from service.deps import SESSION_COOKIE, SessionDep, SettingsDep, request_id, user_from_token
from service.errors import NotFound
from service.home import home_summary
from service.i18n import LANGUAGES, translator
from service.matching import age_on, find_matches, months_between, screen_households
from service.settings import Settings

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
LANG_COOKIE = "jejaring_lang"

templates = Jinja2Templates(directory=WEB_DIR / "templates")
router = APIRouter(include_in_schema=False)


def language_of(request: Request, settings: Settings) -> str:
    """The page language: ?lang=, then the cookie, then the default (Bahasa Indonesia)."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return settings.default_language


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page: the user, their scope and the page language."""

    user: User
    scope: Scope
    lang: str


def error_page(request: Request, settings: Settings, user: User | None, status_code: int, message: str) -> HTMLResponse:
    return render(request, settings, "error.html", {"message": message}, status_code=status_code, user=user)


def signed_in(request: Request, session: Session, settings: Settings) -> tuple[User, str] | Response:
    """The signed-in user and the page language, or a redirect to the sign-in page that comes
    back here afterwards."""
    user = user_from_token(session, settings, request.cookies.get(SESSION_COOKIE))
    if user is None:
        target = request.url.path + ("?" + request.url.query if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
    return user, language_of(request, settings)


def csrf_token(session_token: str, settings: Settings) -> str:
    """A per-session token that forms echo back; an attacker's page cannot read it."""
    return hmac.new(settings.secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_ok(sent: object, session_token: str | None, settings: Settings) -> bool:
    """Whether a form's CSRF field matches the session (constant time; any text, never an error)."""
    if not session_token or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode(), csrf_token(session_token, settings).encode())


def render(
    request: Request,
    settings: Settings,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    user: User | None = None,
) -> HTMLResponse:
    lang = language_of(request, settings)
    token = request.cookies.get(SESSION_COOKIE, "")
    ctx = {
        "lang": lang,
        "t": translator(lang),
        "user": user,
        "csrf": csrf_token(token, settings) if token else "",
        "path": request.url.path,
        "here": _here(request),
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _here(request: Request) -> str:
    """This page's path and query without ``lang``: where the language switch comes back to."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
    return request.url.path + ("?" + query if query else "")


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep, next: str | None = None) -> HTMLResponse:
    return render(request, settings, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    user = authenticate(session, username, password)
    if user is None:
        record_event(session, actor_user_id=None, action="login_failed", entity="user", request_id=request_id(request))
        session.commit()
        return render(
            request,
            settings,
            "login.html",
            {"next": _safe_next(next), "error": "login.failed", "username": username},
            status_code=401,
        )
    assert user.id is not None
    record_event(
        session, actor_user_id=user.id, action="login", entity="user", entity_id=user.id, request_id=request_id(request)
    )
    session.commit()
    token = create_token(user_id=user.id, secret=settings.secret_key, minutes=settings.token_minutes)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
    )
    return response


@router.post("/logout")
def logout(request: Request, settings: SettingsDep, csrf: Annotated[str, Form()] = "") -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and not csrf_ok(csrf, token, settings):
        return HTMLResponse("Invalid form token; reload the page and try again.", status_code=403)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    user = user_from_token(session, settings, request.cookies.get(SESSION_COOKIE))
    if user is None:
        return RedirectResponse("/login", status_code=303)
    summary = home_summary(session, user)
    return render(request, settings, f"home_{Role(user.role).value}.html", {"s": summary}, user=user)


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    user = user_from_token(session, settings, request.cookies.get(SESSION_COOKIE))
    return render(request, settings, "about.html", {}, user=user)


# --- Caseload, household matches and screening (facilitators; admins see every household) ------

PAGE_SIZE = 50
NEAR_MISSES_SHOWN = 10  # the closest misses; the rest are counted, not listed
# The screening table pages its rows so that a page stays well under 200 KB uncompressed (weak
# signal, no compression on the wire): a row costs about SCREEN_ROW_BYTES plus SCREEN_CELL_BYTES a
# programme column. A caseload of 350 against the handful of programmes of its area fits on one
# page; an admin's view of every household against every programme is paged.
SCREEN_BYTES = 170_000
SCREEN_ROW_BYTES = 120
SCREEN_CELL_BYTES = 45
SCREEN_MAX_ROWS = 500
CHOICES = ("ya", "tidak", "semua")
HOUSEHOLD_ROLES = (Role.facilitator, Role.admin)
_DIGITS = re.compile(r"[0-9]{1,9}")
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def rupiah(amount: int | float | None) -> str:
    """``1500000`` -> ``Rp 1.500.000`` (Indonesian grouping, whatever the page language)."""
    if amount is None:
        return "–"
    return "Rp " + f"{round(amount):,}".replace(",", ".")


def decimal(value: float | None, lang: str, digits: int = 1) -> str:
    """A decimal number with the page language's separator: ``2,3`` (id) or ``2.3`` (en)."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def short_date(day: date | None, lang: str) -> str:
    """``2024-11-27`` -> ``27 Nov 2024``."""
    if day is None:
        return "–"
    months = translator(lang)("months.short").split()
    return f"{day.day} {months[day.month - 1]} {day.year}"


def value_word(value: Any, lang: str) -> str:
    """A choice value (sector, need, PKH status, sex, yes/no) in the page language."""
    return labels.value_label(value, lang)


templates.env.filters["rupiah"] = rupiah
templates.env.globals.update(
    decimal=decimal, short_date=short_date, value_word=value_word, NEEDS=NEEDS, SECTORS=SECTORS
)


class BadFilter(Exception):
    """A query parameter of the caseload filter that is not one of the form's options."""

    def __init__(self, label_key: str) -> None:
        super().__init__(label_key)
        self.label_key = label_key


@dataclass(frozen=True)
class CaseloadFilter:
    """The caseload filter of ``/kpm`` and ``/kpm/skrining``, as read from the query string."""

    business: str = "semua"
    need: str | None = None
    sector: str | None = None
    group_id: int | None = None
    eligible: str = "semua"
    page: int = 1

    def query(self, *, page: int = 1) -> str:
        """The query string of this filter (on ``page``), for links."""
        params = {"usaha": self.business}
        if self.need:
            params["kebutuhan"] = self.need
        if self.sector:
            params["sektor"] = self.sector
        if self.group_id is not None:
            params["kelompok"] = str(self.group_id)
        if self.eligible != "semua":
            params["layak"] = self.eligible
        if page > 1:
            params["hal"] = str(page)
        return urlencode(params)


def parse_filter(params: Mapping[str, str], *, groups: Mapping[int, str], default_business: str) -> CaseloadFilter:
    """Read the filter; an unknown value raises ``BadFilter`` naming the field (never echoing it)."""

    def choice(name: str, label_key: str, allowed: Sequence[str], default: str | None) -> str | None:
        value = params.get(name)
        if value is None or value == "":
            return default
        if value not in allowed:
            raise BadFilter(label_key)
        return value

    business = choice("usaha", "kpm.f.business", CHOICES, default_business) or default_business
    eligible = choice("layak", "kpm.f.eligible", CHOICES, "semua") or "semua"
    need = choice("kebutuhan", "kpm.f.need", NEEDS, None)
    sector = choice("sektor", "kpm.f.sector", SECTORS, None)
    group_id = None
    raw_group = params.get("kelompok")
    if raw_group:
        if not _DIGITS.fullmatch(raw_group) or int(raw_group) not in groups:
            raise BadFilter("kpm.f.group")
        group_id = int(raw_group)
    raw_page = params.get("hal") or "1"
    if not _DIGITS.fullmatch(raw_page) or int(raw_page) < 1:
        raise BadFilter("page.label")
    return CaseloadFilter(business, need, sector, group_id, eligible, int(raw_page))


@dataclass
class Caseload:
    """The filtered caseload with what its pages show; ``codes`` when it was screened."""

    total: int
    households: list[Household]
    businesses: dict[int, list[Business]]
    programs: list[ProgramFacts]
    codes: Any  # numpy int8, programmes x households: 2 eligible, 1 unknown, 0 ineligible


def load_caseload(session: Session, scope: Scope, f: CaseloadFilter, *, today: date, screen: bool) -> Caseload:
    """The caller's households that pass ``f``, ordered by PKH id, with their businesses."""
    mine = scope.where(Household)
    total = int(session.scalar(sa.select(sa.func.count()).select_from(Household).where(mine)) or 0)
    clauses: list[Any] = [mine]
    if f.group_id is not None:
        clauses.append(Household.group_id == f.group_id)
    has_business = sa.exists().where(Business.household_id == Household.id)  # type: ignore[arg-type]
    if f.business == "ya":
        clauses.append(has_business)
    elif f.business == "tidak":
        clauses.append(~has_business)
    if f.sector:
        same_sector = (Business.household_id == Household.id, Business.sector == f.sector)
        clauses.append(sa.exists().where(*same_sector))  # type: ignore[arg-type]
    households = list(session.exec(select(Household).where(*clauses).order_by(Household.pkh_id)).all())
    businesses: dict[int, list[Business]] = defaultdict(list)
    ids = [h.id for h in households]
    for chunk in range(0, len(ids), 1000):
        wanted = Business.household_id.in_(ids[chunk : chunk + 1000])  # type: ignore[attr-defined]
        by_id = select(Business).where(wanted).order_by(Business.id)  # type: ignore[arg-type]
        for b in session.exec(by_id):
            businesses[b.household_id].append(b)
    if f.need:
        # Needs are a JSON list: filtered here, the same way on SQLite and PostgreSQL.
        households = [h for h in households if any(f.need in (b.needs or ()) for b in businesses[h.id or 0])]
    programs: list[ProgramFacts] = []
    codes = np.zeros((0, len(households)), dtype=np.int8)
    if screen or f.eligible != "semua":
        screened_ids, programs, codes = screen_households(session, households, today=today)
        # One column per household, in the order of the list (the screening may sort by id).
        column_of = {hid: j for j, hid in enumerate(screened_ids)}
        codes = codes[:, [column_of[h.id or 0] for h in households]]
        if f.eligible != "semua":
            has_eligible = (codes == 2).any(axis=0)
            keep = has_eligible if f.eligible == "ya" else ~has_eligible
            households = [h for h, k in zip(households, keep, strict=True) if k]
            codes = codes[:, keep]
    return Caseload(total, households, dict(businesses), programs, codes)


def _group_choices(session: Session, scope: Scope) -> dict[int, str]:
    """The caller's KPM groups for the filter's select: name, and the village when they span several."""
    rows = session.exec(
        select(KpmGroup.id, KpmGroup.name, KpmGroup.village_code).where(scope.where(KpmGroup)).order_by(KpmGroup.name)
    ).all()
    villages = {code for _, _, code in rows}
    if len(villages) <= 1:
        return {gid: name for gid, name, _ in rows if gid is not None}
    names = region_names(session, list(villages))
    return {gid: f"{name} · {names.get(code, code)}" for gid, name, code in rows if gid is not None}


def _filter_summary(f: CaseloadFilter, groups: Mapping[int, str], lang: str) -> list[str]:
    """What the filter keeps, in words: ``["dengan usaha mikro", "bidang usaha: kuliner"]``."""
    t = translator(lang)
    parts = []
    if f.business == "ya":
        parts.append(t("kpm.d.with_business"))
    elif f.business == "tidak":
        parts.append(t("kpm.d.without_business"))
    if f.sector:
        parts.append(f"{t('kpm.f.sector').lower()}: {value_word(f.sector, lang)}")
    if f.need:
        parts.append(f"{t('kpm.f.need').lower()}: {value_word(f.need, lang)}")
    if f.group_id is not None:
        parts.append(groups.get(f.group_id, ""))
    if f.eligible == "ya":
        parts.append(t("kpm.d.eligible"))
    elif f.eligible == "tidak":
        parts.append(t("kpm.d.not_eligible"))
    return parts


def _error_page(
    request: Request, settings: Settings, user: User | None, status_code: int, message: str
) -> HTMLResponse:
    return render(request, settings, "error.html", {"message": message}, status_code=status_code, user=user)


def _household_viewer(request: Request, session: Session, settings: Settings) -> tuple[User, Scope] | Response:
    """The signed-in facilitator or admin and their scope; else a redirect to sign in, or a 403 page."""
    user = user_from_token(session, settings, request.cookies.get(SESSION_COOKIE))
    if user is None:
        target = request.url.path + ("?" + request.url.query if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
    if Role(user.role) not in HOUSEHOLD_ROLES:
        t = translator(language_of(request, settings))
        message = t("error.households_forbidden").format(role=t(f"role.{Role(user.role).value}"))
        return _error_page(request, settings, user, 403, message)
    return user, Scope.for_user(session, user)


def _caseload_request(
    request: Request, session: Session, settings: Settings, *, default_business: str, screen: bool
) -> dict[str, Any] | Response:
    """Shared by the caseload and screening pages: who asks, their groups, the filter and the rows."""
    viewer = _household_viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    user, scope = viewer
    lang = language_of(request, settings)
    groups = _group_choices(session, scope)
    try:
        f = parse_filter(request.query_params, groups=groups, default_business=default_business)
    except BadFilter as exc:
        t = translator(lang)
        return _error_page(request, settings, user, 422, t("error.bad_filter").format(field=t(exc.label_key)))
    caseload = load_caseload(session, scope, f, today=settings.today(), screen=screen)
    return {
        "user": user,
        "lang": lang,
        "f": f,
        "groups": groups,
        "caseload": caseload,
        "summary": _filter_summary(f, groups, lang),
        "unlinked": Role(user.role) is Role.facilitator and user.facilitator_id is None,
    }


def _pages(count: int, per_page: int, page: int) -> tuple[int, int, int]:
    """(page, pages, first row index): ``page`` clamped to the last page."""
    pages = max(1, -(-count // per_page))
    page = min(page, pages)
    return page, pages, (page - 1) * per_page


@router.get("/kpm", response_class=HTMLResponse)
def caseload_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The facilitator's households, filtered, 50 a page."""
    data = _caseload_request(request, session, settings, default_business="semua", screen=False)
    if isinstance(data, Response):
        return data
    caseload: Caseload = data["caseload"]
    page, pages, start = _pages(len(caseload.households), PAGE_SIZE, data["f"].page)
    rows = caseload.households[start : start + PAGE_SIZE]
    villages = region_names(session, [h.village_code for h in rows])
    group_names = dict(
        session.exec(
            select(KpmGroup.id, KpmGroup.name).where(KpmGroup.id.in_({h.group_id for h in rows if h.group_id}))  # type: ignore[union-attr]
        ).all()
    )
    context = {
        **data,
        "action": "/kpm",
        "rows": rows,
        "villages": villages,
        "group_names": group_names,
        "page": page,
        "pages": pages,
    }
    return render(request, settings, "kpm_list.html", context, user=data["user"])


def _screening_columns(caseload: Caseload) -> list[tuple[int, ProgramFacts, int, int]]:
    """Programmes with at least one eligible or unknown household: (row in codes, programme, eligible, unknown)."""
    columns = []
    for i, program in enumerate(caseload.programs):
        eligible = int((caseload.codes[i] == 2).sum())
        unknown = int((caseload.codes[i] == 1).sum())
        if eligible or unknown:
            columns.append((i, program, eligible, unknown))
    columns.sort(key=lambda c: (-c[2], -c[3], c[1].name))
    return columns


@router.get("/kpm/skrining", response_class=HTMLResponse)
def screening_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Households x programmes: who is eligible (✓), may be (?) or is not (–)."""
    data = _caseload_request(request, session, settings, default_business="ya", screen=True)
    if isinstance(data, Response):
        return data
    caseload: Caseload = data["caseload"]
    columns = _screening_columns(caseload)
    row_bytes = SCREEN_ROW_BYTES + SCREEN_CELL_BYTES * len(columns)
    per_page = max(PAGE_SIZE, min(SCREEN_MAX_ROWS, SCREEN_BYTES // row_bytes))
    page, pages, start = _pages(len(caseload.households), per_page, data["f"].page)
    indexes = [i for i, *_ in columns]
    rows = [
        (h, caseload.codes[indexes, j].tolist() if indexes else [])
        for j, h in enumerate(caseload.households[start : start + per_page], start=start)
    ]
    context = {**data, "action": "/kpm/skrining", "columns": columns, "rows": rows, "page": page, "pages": pages}
    return render(request, settings, "kpm_screening.html", context, user=data["user"])


def csv_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value.startswith(_CSV_FORMULA) else value


@router.get("/kpm/skrining.csv")
def screening_csv(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The screening table as CSV (all rows, no paging): PKH id, head's name, one column a programme."""
    data = _caseload_request(request, session, settings, default_business="ya", screen=True)
    if isinstance(data, Response):
        return data
    caseload: Caseload = data["caseload"]
    t = translator(data["lang"])
    columns = _screening_columns(caseload)
    words = {2: t("scr.eligible"), 1: t("scr.unknown"), 0: t("scr.ineligible")}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t("kpm.col.pkh_id"), t("kpm.col.head")] + [csv_cell(p.name) for _, p, _, _ in columns])
    for j, h in enumerate(caseload.households):
        writer.writerow(
            [csv_cell(h.pkh_id), csv_cell(h.head_name)] + [words[int(caseload.codes[i, j])] for i, *_ in columns]
        )
    filename = f"skrining-kpm-{settings.today().isoformat()}.csv"
    return Response(
        # A byte-order mark so that spreadsheet programs read the file as UTF-8.
        content="\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _match_sections(matches: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Eligible (best first), needs data (fewest unknowns first), near misses (fewest failures first)."""
    sections: dict[str, list[dict[str, Any]]] = {"eligible": [], "unknown": [], "ineligible": []}
    for m in matches:
        sections[m["status"]].append(m)
    sections["eligible"].sort(key=lambda m: -m["score"])
    sections["unknown"].sort(key=lambda m: (m["unknowns"], -m["score"]))
    sections["ineligible"].sort(key=lambda m: (m["failing"], -m["score"]))
    return sections


@router.get("/kpm/{household_id}", response_class=HTMLResponse)
def household_page(household_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One family: profile, businesses and its ranked programmes with reasons."""
    viewer = _household_viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    user, scope = viewer
    lang = language_of(request, settings)
    not_found = translator(lang)("error.household_not_found")
    if not _DIGITS.fullmatch(household_id):
        return _error_page(request, settings, user, 404, not_found)
    try:
        household: Household = get_in_scope(session, scope, Household, int(household_id), "Household")
    except NotFound:
        return _error_page(request, settings, user, 404, not_found)
    today = settings.today()
    own = Business.household_id == household.id
    businesses = session.exec(select(Business).where(own).order_by(Business.id)).all()  # type: ignore[arg-type]
    group = session.get(KpmGroup, household.group_id) if household.group_id else None
    found = find_matches(session, household, today=today, lang=lang, max_ineligible=NEAR_MISSES_SHOWN)
    context = {
        "h": household,
        "age": age_on(household.head_birth_date, today) if household.head_birth_date else None,
        "group": group.name if group else None,
        "village": region_names(session, [household.village_code]).get(household.village_code),
        "businesses": [(b, months_between(b.started_on, today) if b.started_on else None) for b in businesses],
        "sections": _match_sections(found.items),
        "counts": found.counts,
    }
    # The matches' refer forms and open referrals; imported here since referral_pages imports this module.
    from service.web.referral_pages import household_referrals

    context.update(household_referrals(session, scope, household, found.items, settings))
    return render(request, settings, "kpm_household.html", context, user=user)
