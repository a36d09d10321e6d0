"""Health, sign-in, the current user and the region reference list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from models.regions import RegionLevel, RegionPublic
from models.types import NoNul, RegionCode
from models.users import UserPublic
from service.api.params import Limit, Offset, SignInForm
from service.core import regions as region_list
from service.core.paging import Page
from service.db import database_reachable
from service.deps import (
    CurrentUser,
    ScopeDep,
    SessionDep,
    SettingsDep,
    SignInGuardDep,
    client_address,
    oauth2_scheme,
    request_id,
)
from service.errors import Unauthorized
from service.people import accounts

health = APIRouter(tags=["system"])
auth = APIRouter(prefix="/auth", tags=["auth"])
me = APIRouter(tags=["auth"])
regions = APIRouter(prefix="/regions", tags=["regions"])


@health.get("/healthz")
def healthz(session: SessionDep) -> JSONResponse:
    """Liveness and database check."""
    if not database_reachable(session):
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@auth.post(
    "/token",
    response_model=Token,
    responses={
        403: {"description": "The account must first set a new password on the web (/akun/sandi)"},
        429: {"description": "Too many attempts for this account or from this address; see Retry-After"},
        503: {"description": "Too many sign-ins at once; see Retry-After"},
    },
)
def sign_in(
    form: Annotated[SignInForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    guard: SignInGuardDep,
) -> Token:
    """Exchange a username and password for a bearer token (rate-limited per account and address)."""
    done = accounts.sign_in(
        session,
        username=form.username,
        password=form.password,
        secret=settings.secret_key,
        minutes=settings.token_minutes,
        request_id=request_id(request),
        guard=guard,
        address=client_address(request),
        refuse_demo=settings.environment == "production",
        refuse_password_change=True,
    )
    if done is None:
        raise Unauthorized("Incorrect username or password")
    return Token(access_token=done.token, expires_in=settings.token_minutes * 60)


@auth.post("/logout", status_code=204)
def sign_out(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Response:
    """End the session of the bearer token this is called with; the token is refused from now on."""
    if not accounts.sign_out(session, token, secret=settings.secret_key, request_id=request_id(request)):
        raise Unauthorized()
    return Response(status_code=204)


@me.get("/me", response_model=UserPublic)
def read_me(user: CurrentUser) -> UserPublic:
    """The signed-in account: role and the facilitator, organisation or forum it acts for."""
    return UserPublic.model_validate(user.model_dump())


@regions.get("", response_model=Page[RegionPublic])
def list_regions(
    session: SessionDep,
    _scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    parent: Annotated[RegionCode | None, Query(description="Direct children of this code")] = None,
    level: RegionLevel | None = None,
    q: Annotated[str | None, Query(min_length=2, max_length=100, description="Part of the name"), NoNul] = None,
) -> Page[RegionPublic]:
    """Search the official region list (38 provinces ... 83,763 villages)."""
    return region_list.list_regions(session, parent=parent, level=level, q=q, limit=limit, offset=offset)


@regions.get("/{code}", response_model=RegionPublic)
def get_region(code: Annotated[str, Path(max_length=13), NoNul], session: SessionDep, _scope: ScopeDep) -> RegionPublic:
    """One region by its Kemendagri code."""
    return region_list.get_region(session, code)
