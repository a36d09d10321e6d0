"""Accounts, roles and the audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import Timestamped, UTCDateTime, Versioned, enum_column, json_column, utcnow


class Role(StrEnum):
    admin = "admin"
    facilitator = "facilitator"
    agency_staff = "agency_staff"
    forum_organizer = "forum_organizer"


class User(Versioned, table=True):
    """A person who signs in; the role and its link decide what they may see."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    full_name: str | None = Field(default=None, max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = enum_column(Role)
    facilitator_id: int | None = Field(default=None, foreign_key="facilitator.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    forum_id: int | None = Field(default=None, foreign_key="forum.id", index=True)
    is_active: bool = Field(default=True)
    must_change_password: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="Set by an administrator's reset: the person chooses a new password at next sign-in",
    )
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserPublic(SQLModel):
    id: int
    username: str
    full_name: str | None
    role: Role
    facilitator_id: int | None
    organization_id: int | None
    forum_id: int | None
    is_active: bool


class AuditEvent(Timestamped, table=True):
    """Who did what to which record. Holds ids and field names, never personal data."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40, index=True)
    entity_id: str | None = Field(default=None, max_length=40)
    request_id: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] | None = json_column()
    role: str | None = Field(default=None, max_length=20, description="The actor's role when it acted")
    outcome: str = Field(default="ok", max_length=10, description="ok, or denied for a refused attempt")
    prev_hash: str | None = Field(default=None, max_length=64, description="row_hash of the row before")
    row_hash: str | None = Field(
        default=None, max_length=64, description="SHA-256 over this row's content and prev_hash (the chain)"
    )


class UserSession(SQLModel, table=True):
    """A signed-in session: the bearer token's id (``jti``). A token counts only while its row
    exists, is not revoked and has not expired, so sign-out, password reset and deactivation end it."""

    __tablename__ = "user_session"

    id: str = Field(primary_key=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
