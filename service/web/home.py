"""The pages everyone shares: sign-in and sign-out, the language switch, each role's home page
and the about page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.users import Role
from service.deps import SESSION_COOKIE, SessionDep, SettingsDep, SignInGuardDep, client_address, request_id
from service.errors import ServiceUnavailable, TooManyRequests
from service.i18n import LANGUAGES, N_
from service.people import accounts
from service.people.home import home_summary
from service.settings import Settings
from service.web.kit import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    csrf_ok,
    login_csrf,
    login_csrf_ok,
    page_user,
    password_change_redirect,
    render,
    safe_next,
)

router = APIRouter(include_in_schema=False)


def _login_form(
    request: Request,
    settings: Settings,
    *,
    next: str | None,
    error: str | None = None,
    username: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The sign-in form with its CSRF token (and the pre-session cookie it is tied to, if new)."""
    token, fresh = login_csrf(request, settings)
    context = {"next": safe_next(next), "error": error, "username": username, "login_csrf": token}
    response = render(request, settings, "login.html", context, status_code=status_code)
    if fresh:
        response.set_cookie(
            LOGIN_COOKIE, fresh, httponly=True, samesite="lax", secure=settings.environment == "production"
        )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep, next: str | None = None) -> HTMLResponse:
    return _login_form(request, settings, next=next)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    guard: SignInGuardDep,
    next: Annotated[str | None, Form()] = None,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    if not login_csrf_ok(request, settings, csrf):
        return _login_form(
            request, settings, next=next, error=N_("login.csrf"), username=username.replace("\x00", ""), status_code=403
        )
    # A NUL is in no username (and PostgreSQL cannot compare text holding one): a failed sign-in.
    if "\x00" in username + password:
        return _login_form(
            request, settings, next=next, error="login.failed", username=username.replace("\x00", ""), status_code=401
        )
    try:
        done = accounts.sign_in(
            session,
            username=username,
            password=password,
            secret=settings.secret_key,
            minutes=settings.token_minutes,
            request_id=request_id(request),
            guard=guard,
            address=client_address(request),
            refuse_demo=settings.environment == "production",
        )
    except (TooManyRequests, ServiceUnavailable) as exc:
        error = N_("login.throttled") if isinstance(exc, TooManyRequests) else N_("login.busy")
        refused = _login_form(request, settings, next=next, error=error, username=username, status_code=exc.status_code)
        refused.headers.update(exc.headers or {})
        return refused
    if done is None:
        return _login_form(request, settings, next=next, error="login.failed", username=username, status_code=401)
    target = safe_next(next)
    if done.user.must_change_password:
        target = accounts.PASSWORD_CHANGE_PATH + ("?" + urlencode({"next": target}) if target != "/" else "")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        done.token,
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep, csrf: Annotated[str, Form()] = "") -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and not csrf_ok(csrf, token, settings):
        return HTMLResponse("Invalid form token; reload the page and try again.", status_code=403)
    if token:
        accounts.sign_out(session, token, secret=settings.secret_key, request_id=request_id(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    user = page_user(request, session, settings)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    change = password_change_redirect(user)
    if change is not None:
        return change
    summary = home_summary(session, user)
    return render(request, settings, f"home_{Role(user.role).value}.html", {"s": summary}, user=user)


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    return render(request, settings, "about.html", {}, user=page_user(request, session, settings))
