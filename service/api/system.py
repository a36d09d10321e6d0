"""Health, sign-in, the current user and the region reference list."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlmodel import select

from models.protection import verify_password
from models.regions import Region, RegionLevel, RegionPublic
from models.types import RegionCode, utcnow
from models.users import User, UserPublic
from service.api.params import Limit, Offset
from service.core.audit import record_event
from service.core.paging import Page, paginate
from service.core.security import create_token
from service.deps import CurrentUser, ScopeDep, SessionDep, SettingsDep, request_id
from service.errors import NotFound, Unauthorized

health = APIRouter(tags=["system"])
auth = APIRouter(prefix="/auth", tags=["auth"])
me = APIRouter(tags=["auth"])
regions = APIRouter(prefix="/regions", tags=["regions"])


@health.get("/healthz")
def healthz(session: SessionDep) -> JSONResponse:
    """Liveness and database check."""
    try:
        session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


def authenticate(session: SessionDep, username: str, password: str) -> User | None:
    """The active user with these credentials, or ``None`` (same cost either way)."""
    user = session.exec(select(User).where(User.username == username)).first()
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        return None
    return user


@auth.post("/token", response_model=Token)
def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    """Exchange a username and password for a bearer token."""
    user = authenticate(session, form.username, form.password)
    if user is None:
        record_event(session, actor_user_id=None, action="login_failed", entity="user", request_id=request_id(request))
        session.commit()
        raise Unauthorized("Incorrect username or password")
    user.last_login_at = utcnow()
    record_event(
        session, actor_user_id=user.id, action="login", entity="user", entity_id=user.id, request_id=request_id(request)
    )
    session.commit()
    assert user.id is not None
    token = create_token(user_id=user.id, secret=settings.secret_key, minutes=settings.token_minutes)
    return Token(access_token=token, expires_in=settings.token_minutes * 60)


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
    q: Annotated[str | None, Query(min_length=2, max_length=100, description="Part of the name")] = None,
) -> Page[RegionPublic]:
    """Search the official region list (38 provinces ... 83,763 villages)."""
    stmt = select(Region)
    if parent:
        stmt = stmt.where(Region.parent_code == parent)
    if level:
        stmt = stmt.where(Region.level == level)
    if q:
        stmt = stmt.where(sa.func.lower(Region.name).like(f"%{q.lower()}%"))
    rows, total = paginate(session, stmt, limit=limit, offset=offset, order_by=Region.code)
    return Page(
        items=[RegionPublic.model_validate(r.model_dump()) for r in rows], total=total, limit=limit, offset=offset
    )


@regions.get("/{code}", response_model=RegionPublic)
def get_region(code: str, session: SessionDep, _scope: ScopeDep) -> RegionPublic:
    """One region by its Kemendagri code."""
    region = session.get(Region, code)
    if region is None:
        raise NotFound(f"Region {code} not found")
    return RegionPublic.model_validate(region.model_dump())
