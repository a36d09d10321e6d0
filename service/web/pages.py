"""Server-rendered pages: sign-in, a home page per role, about, language switch.

Pages authenticate with the same signed token as the API, kept in an HttpOnly cookie; every
form that changes state carries a CSRF token derived from that cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from models.users import Role, User
from service.api.system import authenticate
from service.audit import record_event
from service.deps import SESSION_COOKIE, SessionDep, SettingsDep, request_id, user_from_token
from service.home import home_summary
from service.i18n import LANGUAGES, translator
from service.security import create_token
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


def csrf_token(session_token: str, settings: Settings) -> str:
    """A per-session token that forms echo back; an attacker's page cannot read it."""
    return hmac.new(settings.secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()[:32]


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
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


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
    if token and not hmac.compare_digest(csrf, csrf_token(token, settings)):
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
