"""FastAPI dependencies: the settings, a session, the signed-in user and their scope."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from models.users import User
from service.core.scope import Scope
from service.core.signin_guard import SignInGuard
from service.errors import Forbidden, InvalidInput, PayloadTooLarge, Unauthorized
from service.jobs.queue import JobQueue
from service.people.accounts import PasswordChangeRequired, user_for_token
from service.settings import Settings

SESSION_COOKIE = "jejaring_session"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The user of the bearer token; 401 when there is none or it expired, 403 while the account
    must first choose a new password (a web session's token used as a bearer token)."""
    user = user_for_token(session, token, secret=settings.secret_key)
    if user is None:
        raise Unauthorized()
    request.state.user_id = user.id
    if user.must_change_password:
        raise PasswordChangeRequired()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_scope(session: SessionDep, user: CurrentUser) -> Scope:
    return Scope.for_user(session, user)


ScopeDep = Annotated[Scope, Depends(get_scope)]


def require_admin(scope: ScopeDep) -> Scope:
    """Only administrators pass."""
    if not scope.is_admin:
        raise Forbidden("Only administrators may do this")
    return scope


AdminScope = Annotated[Scope, Depends(require_admin)]


_queue_lock = threading.Lock()


def get_job_queue(request: Request) -> JobQueue:
    """The app's job queue, opened on first use from the app's settings (enqueueing only)."""
    state = request.app.state
    with _queue_lock:
        queue: JobQueue | None = getattr(state, "job_queue", None)
        if queue is None:
            queue = JobQueue(state.settings)
            state.job_queue = queue
        return queue


JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]


def get_signin_guard(request: Request) -> SignInGuard:
    """The app's sign-in rate limits and password-hash slots (built with the app)."""
    guard: SignInGuard = request.app.state.signin_guard
    return guard


SignInGuardDep = Annotated[SignInGuard, Depends(get_signin_guard)]


def client_address(request: Request) -> str:
    """The client's address (the proxy's X-Forwarded-For when uvicorn trusts it)."""
    return request.client.host if request.client else "unknown"


def request_id(request: Request) -> str | None:
    rid: str | None = getattr(request.state, "request_id", None)
    return rid


async def read_upload(request: Request, limit: int) -> tuple[str, bytes, dict[str, Any]]:
    """The uploaded file's name and bytes and the other form fields; 413 past ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise PayloadTooLarge(f"The file is larger than the limit of {limit // (1024 * 1024)} MB; split it")
    try:
        form = await request.form(max_files=1, max_fields=20)
    except Exception as exc:  # starlette raises its own errors for a malformed multipart body
        raise InvalidInput(
            f"Send the file as multipart/form-data in a field named 'file' ({type(exc).__name__})", loc=("body", "file")
        ) from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidInput("Send the file as multipart/form-data in a field named 'file'", loc=("body", "file"))
    data = await upload.read(limit + 1)
    await upload.close()
    if len(data) > limit:
        raise PayloadTooLarge(f"The file is larger than the limit of {limit // (1024 * 1024)} MB; split it")
    if not data:
        raise InvalidInput("The file is empty", loc=("body", "file"))
    fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str)}
    return upload.filename or "upload.csv", data, fields


_NOT_IN_FALLBACK = re.compile(r"[^A-Za-z0-9 ._()-]+")


def attachment(filename: str) -> str:
    """A Content-Disposition header for a download named ``filename`` (RFC 6266): an ASCII name for
    old clients and the exact name in UTF-8, so quotes, dashes or accents in it never break the header."""
    fallback = _NOT_IN_FALLBACK.sub("_", filename).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


__all__ = ["AdminScope", "CurrentUser", "JobQueueDep", "ScopeDep", "SessionDep", "SettingsDep", "SignInGuardDep"]
