"""The person's own account: ``/akun/sandi``, where anyone signed in sets a new password (the
current one required), and where an account given a temporary password is sent before any other
page works."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.users import User
from service.deps import SESSION_COOKIE, SessionDep, SettingsDep, request_id
from service.errors import InvalidInput
from service.i18n import N_, translator
from service.people import accounts
from service.settings import Settings
from service.web.kit import form_csrf_ok, language_of, page_user, render, safe_next, sign_in_redirect

router = APIRouter(include_in_schema=False)

# What each refusal of the use case reads as on the page (InvalidInput.kind).
ERRORS = {
    "wrong": N_("acct.err.current"),
    "too_short": N_("acct.err.short"),
    "too_long": N_("acct.err.long"),
    "same": N_("acct.err.same"),
}


def _form(
    request: Request, settings: Settings, user: User, *, next: str | None, error: str | None = None, status: int = 200
) -> HTMLResponse:
    t = translator(language_of(request, settings))
    context: dict[str, Any] = {
        "next": safe_next(next),
        "error": t(error).format(n=accounts.PASSWORD_MIN) if error else None,
        "forced": user.must_change_password,
        "min": accounts.PASSWORD_MIN,
        "max": accounts.PASSWORD_MAX,
    }
    return render(request, settings, "account_password.html", context, status_code=status, user=user)


@router.get("/akun/sandi", response_class=HTMLResponse)
def password_page(request: Request, session: SessionDep, settings: SettingsDep, next: str | None = None) -> Response:
    """The form to set a new password."""
    user = page_user(request, session, settings)
    if user is None:
        return sign_in_redirect(request)
    return _form(request, settings, user, next=next)


@router.post("/akun/sandi", response_class=HTMLResponse)
def password_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
    current: Annotated[str, Form(max_length=400)] = "",
    new: Annotated[str, Form(max_length=400)] = "",
    confirm: Annotated[str, Form(max_length=400)] = "",
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Check the current password and store the new one; 303 to where the person was going."""
    user = page_user(request, session, settings)
    if user is None:
        return sign_in_redirect(request, "/akun/sandi")
    if not form_csrf_ok(request, settings, csrf):
        return _form(request, settings, user, next=next, error=N_("acct.err.csrf"), status=403)
    if "\x00" in current + new + confirm:
        return _form(request, settings, user, next=next, error=N_("form.err.nul"), status=422)
    if new != confirm:
        return _form(request, settings, user, next=next, error=N_("acct.err.mismatch"), status=422)
    assert user.id is not None
    try:
        accounts.change_password(
            session,
            user_id=user.id,
            current_password=current,
            new_password=new,
            keep_session_id=accounts.session_id_of(request.cookies.get(SESSION_COOKIE), secret=settings.secret_key),
            request_id=request_id(request),
        )
    except InvalidInput as exc:
        session.rollback()
        return _form(request, settings, user, next=next, error=ERRORS.get(exc.kind, "acct.err.short"), status=422)
    return RedirectResponse(safe_next(next), status_code=303)
