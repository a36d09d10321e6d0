"""The web kit every page module shares: templates and ``render``, the signed-in viewer and the
gate of each journey, CSRF tokens, the language, and how numbers and dates are written.

Pages authenticate with the same signed token as the API, kept in an HttpOnly cookie; every form
that changes state carries a CSRF token derived from that cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from mapping import labels
from models.eligibility import NEEDS, SECTORS
from models.users import Role, User
from service.core.scope import Scope
from service.deps import SESSION_COOKIE
from service.i18n import LANGUAGES, N_, translator
from service.notifications import unread_count_of
from service.people.accounts import PASSWORD_CHANGE_PATH, user_for_token
from service.settings import Settings

if TYPE_CHECKING:
    from sqlmodel import Session

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
LANG_COOKIE = "jejaring_lang"
LOGIN_COOKIE = "jejaring_login"
_LOGIN_SEED = re.compile(r"[A-Za-z0-9_-]{32}")
_DIGITS = re.compile(r"[0-9]{1,9}")
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")

templates = Jinja2Templates(directory=WEB_DIR / "templates")

Translate = Callable[[str], str]


# --- the language -----------------------------------------------------------------------------


def language_of(request: Request, settings: Settings) -> str:
    """The page language: ?lang=, then the cookie, then the default (Bahasa Indonesia)."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return settings.default_language


# --- who is looking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page: the user, their scope and the page language."""

    user: User
    scope: Scope
    lang: str

    @property
    def t(self) -> Translate:
        return translator(self.lang)


def page_user(request: Request, session: Session, settings: Settings) -> User | None:
    """The user of the session cookie, or ``None``."""
    return user_for_token(session, request.cookies.get(SESSION_COOKIE), secret=settings.secret_key)


def sign_in_redirect(request: Request, back: str | None = None) -> RedirectResponse:
    """To the sign-in page, coming back to ``back`` (this page by default) afterwards."""
    target = back or request.url.path + ("?" + request.url.query if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def password_change_redirect(user: User) -> RedirectResponse | None:
    """To the password page while the account must choose a new password (no other page works
    until it has), else ``None``."""
    if user.must_change_password:
        return RedirectResponse(PASSWORD_CHANGE_PATH, status_code=303)
    return None


def signed_in(request: Request, session: Session, settings: Settings) -> tuple[User, str] | Response:
    """The signed-in user and the page language, or a redirect to the sign-in page that comes
    back here afterwards (or to the password page while a new password is due)."""
    user = page_user(request, session, settings)
    if user is None:
        return sign_in_redirect(request)
    return password_change_redirect(user) or (user, language_of(request, settings))


@dataclass(frozen=True)
class Gate:
    """Who may enter a journey's pages, and what the others see.

    ``roles`` pass; any other role gets ``refused_status`` with the message ``refused`` (a key
    formatted with ``{role}``). With ``linked``, a role that acts for a facilitator, organisation
    or forum must be linked to one (403 ``home.not_linked`` otherwise).
    """

    roles: tuple[Role, ...]
    refused: str = N_("error.not_found")
    refused_status: int = 404
    linked: bool = True
    template: str = "error.html"


def viewer_for(
    request: Request, session: Session, settings: Settings, gate: Gate, *, back: str | None = None
) -> Viewer | Response:
    """The page's viewer if ``gate`` lets them in; else the sign-in redirect, the password page
    (a new password is due) or the refusal page."""
    user = page_user(request, session, settings)
    if user is None:
        return sign_in_redirect(request, back)
    change = password_change_redirect(user)
    if change is not None:
        return change
    lang = language_of(request, settings)
    t = translator(lang)
    role = Role(user.role)
    if role not in gate.roles:
        message = t(gate.refused).format(role=t(f"role.{role.value}"))
        return error_page(request, settings, user, gate.refused_status, message, template=gate.template)
    scope = Scope.for_user(session, user)
    if gate.linked and not scope.linked:
        return error_page(request, settings, user, 403, t("home.not_linked"), template=gate.template)
    return Viewer(user, scope, lang)


def form_viewer(
    request: Request,
    session: Session,
    settings: Settings,
    gate: Gate,
    *,
    csrf: object,
    refused: str,
    back: str | None = None,
) -> Viewer | Response:
    """The viewer of a form post (``viewer_for``) whose CSRF field ``csrf`` matches the session;
    otherwise a 403 page (the gate's template) with the message ``refused`` (a key)."""
    viewer = viewer_for(request, session, settings, gate, back=back)
    if isinstance(viewer, Response):
        return viewer
    if not form_csrf_ok(request, settings, csrf):
        return error_page(request, settings, viewer.user, 403, viewer.t(refused), template=gate.template)
    return viewer


# --- CSRF -------------------------------------------------------------------------------------


def csrf_token(session_token: str, settings: Settings) -> str:
    """A per-session token that forms echo back; an attacker's page cannot read it."""
    return hmac.new(settings.secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_ok(sent: object, session_token: str | None, settings: Settings) -> bool:
    """Whether a form's CSRF field matches the session (constant time; any text, never an error)."""
    if not session_token or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode(), csrf_token(session_token, settings).encode())


def form_csrf_ok(request: Request, settings: Settings, sent: object) -> bool:
    """``csrf_ok`` against this request's session cookie."""
    return csrf_ok(sent, request.cookies.get(SESSION_COOKIE), settings)


def login_csrf(request: Request, settings: Settings) -> tuple[str, str | None]:
    """The sign-in form's CSRF token, tied to a pre-session cookie (there is no session yet), and
    the cookie value to set when the browser has none: another site cannot sign a browser in."""
    seed = request.cookies.get(LOGIN_COOKIE, "")
    fresh = None
    if not _LOGIN_SEED.fullmatch(seed):
        seed = fresh = secrets.token_urlsafe(24)
    return csrf_token("login:" + seed, settings), fresh


def login_csrf_ok(request: Request, settings: Settings, sent: object) -> bool:
    """Whether the sign-in form's token matches this browser's pre-session cookie."""
    seed = request.cookies.get(LOGIN_COOKIE, "")
    return bool(_LOGIN_SEED.fullmatch(seed)) and csrf_ok(sent, "login:" + seed, settings)


# --- rendering --------------------------------------------------------------------------------


def render(
    request: Request,
    settings: Settings,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    user: User | None = None,
) -> HTMLResponse:
    """The template ``name`` in the page language, with the translator, the CSRF token and the
    language switch's way back."""
    lang = language_of(request, settings)
    token = request.cookies.get(SESSION_COOKIE, "")
    ctx = {
        "lang": lang,
        "t": translator(lang),
        "user": user,
        "csrf": csrf_token(token, settings) if token else "",
        "path": request.url.path,
        "here": here(request),
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def error_page(
    request: Request,
    settings: Settings,
    user: User | None,
    status_code: int,
    message: str,
    *,
    template: str = "error.html",
    **extra: Any,
) -> HTMLResponse:
    """An error page with ``message`` (already in the page language) and ``status_code``."""
    return render(request, settings, template, {"message": message, **extra}, status_code=status_code, user=user)


def here(request: Request) -> str:
    """This page's path and query without ``lang``: where the language switch comes back to."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
    return request.url.path + ("?" + query if query else "")


def safe_next(target: str | None) -> str:
    """``target`` if it is a path of this site, else ``/`` (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


# --- reading what the browser sent -----------------------------------------------------------


def whole_number(raw: str | None) -> int | None:
    """A path or query value of at most nine digits as an int, else ``None`` (never an error)."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    return int(raw)


def page_window(count: int, per_page: int, page: int) -> tuple[int, int, int]:
    """(page, pages, first row index): ``page`` clamped to the last page."""
    pages = max(1, -(-count // per_page))
    page = min(page, pages)
    return page, pages, (page - 1) * per_page


# --- a schema's refusals in the page language -------------------------------------------------

_LIMIT_KEYS = {
    "string_too_long": (N_("form.err.too_long"), "max_length"),
    "url_too_long": (N_("form.err.too_long"), "max_length"),
    "too_long": (N_("form.err.too_many"), "max_length"),
    "less_than_equal": (N_("form.err.too_large"), "le"),
    "greater_than_equal": (N_("form.err.too_small"), "ge"),
}


def schema_message(err: Any, lang: str) -> str:
    """A schema error in the page language: limits of length and size by name, else pydantic's text."""
    t = translator(lang)
    ctx = err.get("ctx") or {}
    if err.get("type") in _LIMIT_KEYS:
        key, bound = _LIMIT_KEYS[err["type"]]
        limit = ctx.get(bound)
        if isinstance(limit, int):
            return t(key).format(n=f"{limit:,}".replace(",", "." if lang == "id" else ","))
    if "NUL" in str(err.get("msg", "")):
        return t("form.err.nul")
    return str(err.get("msg", ""))


# --- how things are written ------------------------------------------------------------------


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


def moment_text(settings: Settings, lang: str) -> Callable[[datetime | None], str]:
    """``27 Nov 2024 14.05`` (id) / ``27 Nov 2024 14:05`` (en), in the programmes' time zone."""
    zone = ZoneInfo(settings.timezone)
    sep = "." if lang == "id" else ":"

    def when(moment: datetime | None) -> str:
        if moment is None:
            return "–"
        local = moment.astimezone(zone)
        return f"{short_date(local.date(), lang)} {local.hour:02d}{sep}{local.minute:02d}"

    return when


def day_text(settings: Settings, lang: str) -> Callable[[datetime | None], str]:
    """The local day of a moment, as ``short_date`` writes it."""
    zone = ZoneInfo(settings.timezone)
    return lambda moment: short_date(moment.astimezone(zone).date(), lang) if moment else "–"


def value_word(value: Any, lang: str) -> str:
    """A choice value (sector, need, PKH status, sex, yes/no) in the page language."""
    return labels.value_label(value, lang)


def csv_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value.startswith(_CSV_FORMULA) else value


templates.env.filters["rupiah"] = rupiah
templates.env.globals.update(
    decimal=decimal,
    short_date=short_date,
    value_word=value_word,
    NEEDS=NEEDS,
    SECTORS=SECTORS,
    unread_notices=unread_count_of,
)
