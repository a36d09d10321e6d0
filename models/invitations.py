"""Invitations of organisations to forums: sent by the forum's organiser, answered by the
organisation's staff; an accepted one makes the organisation a member."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import DbId, Timestamped, UTCDateTime, Version, enum_column


class InvitationStatus(StrEnum):
    sent = "sent"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


PENDING_PREDICATE = "status = 'sent'"


class ForumInvitation(Timestamped, table=True):
    """One invitation of an organisation to a forum and its answer; at most one per forum and
    organisation waits for its answer (two organisers inviting at once: the second is refused)."""

    __tablename__ = "forum_invitation"
    __table_args__ = (
        sa.Index(
            "uq_forum_invitation_pending",
            "forum_id",
            "organization_id",
            unique=True,
            sqlite_where=sa.text(PENDING_PREDICATE),
            postgresql_where=sa.text(PENDING_PREDICATE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    status: InvitationStatus = enum_column(InvitationStatus, default=InvitationStatus.sent, index=True)
    invited_by: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by: int | None = Field(default=None, foreign_key="user.id")
    version: int = Field(default=1, nullable=False)


class InvitationCreate(SQLModel):
    organization_id: DbId


class InvitationAnswer(SQLModel):
    status: InvitationStatus = Field(
        description="accepted or declined (the invited organisation's staff); withdrawn (the forum's organiser)"
    )
    version: Version | None = Field(default=None, description="The version you read (optional)")


class InvitationPublic(SQLModel):
    id: int
    forum_id: int
    forum_name: str
    organization_id: int
    organization_name: str
    status: InvitationStatus
    created_at: datetime
    answered_at: datetime | None
    joined_on: date | None = Field(default=None, description="Accepted: the day it became a member")
    version: int
