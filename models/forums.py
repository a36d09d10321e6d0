"""A forum's own work: its work plan, its meetings with attendance, and the commitments made there.

Forums and their members are in ``models.network`` (they are ties of the network); parties
(an organisation or a facilitator) are (kind, id) pairs whose existence the service checks.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from models.network import MemberRole
from models.organizations import Need, Sector
from models.types import (
    DbId,
    Description,
    Name,
    NoNul,
    Note,
    RegionCode,
    Timestamped,
    Version,
    Versioned,
    enum_column,
    json_column,
)

Title = Annotated[str, PydanticField(min_length=1, max_length=300), NoNul]
Place = Annotated[str, PydanticField(max_length=300), NoNul]
Minutes = Annotated[str, PydanticField(max_length=20000), NoNul]


class MemberKind(StrEnum):
    """Who can be a forum's member, own a plan item or make a commitment."""

    organization = "organization"
    facilitator = "facilitator"


class WorkItemStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class CommitmentStatus(StrEnum):
    open = "open"
    done = "done"
    dropped = "dropped"


# --- the forum (the table is models.network.Forum) ---------------------------------------------


class ForumCreate(SQLModel):
    name: Name
    region_code: RegionCode
    description: Description | None = None
    organizer_organization_id: DbId | None = None
    organizer_user_ids: list[DbId] | None = PydanticField(
        default=None, max_length=50, description="Accounts (role forum_organizer) that run this forum"
    )


class ForumUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    name: Name | None = None
    region_code: RegionCode | None = None
    description: Description | None = None
    organizer_organization_id: DbId | None = None
    organizer_user_ids: list[DbId] | None = PydanticField(
        default=None, max_length=50, description="Replaces the forum's organisers (admins only)"
    )


class ForumDetail(SQLModel):
    id: int
    name: str
    region_code: str
    region_name: str | None = None
    description: str | None
    organizer_organization_id: int | None
    organizer_user_ids: list[int]
    members: int = 0
    version: int
    created_at: datetime
    updated_at: datetime


# --- members (the table is models.network.ForumMember) ----------------------------------------


class ForumMemberCreate(SQLModel):
    member_kind: MemberKind
    member_id: DbId
    role: MemberRole = MemberRole.member
    joined_on: date | None = None
    left_on: date | None = None


class ForumMemberUpdate(SQLModel):
    role: MemberRole | None = None
    joined_on: date | None = None
    left_on: date | None = None


class ForumMemberPublic(SQLModel):
    forum_id: int
    member_kind: MemberKind
    member_id: int
    name: str
    role: MemberRole
    joined_on: date | None
    left_on: date | None


# --- the work plan ----------------------------------------------------------------------------


class WorkItem(Versioned, table=True):
    """One line of a forum's work plan: what, who carries it, by when, and how far it is."""

    __tablename__ = "forum_work_item"

    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    owner_kind: MemberKind | None = enum_column(MemberKind, nullable=True, name="workitem_owner_kind", default=None)
    owner_id: int | None = Field(default=None)
    due_on: date | None = None
    status: WorkItemStatus = enum_column(WorkItemStatus, default=WorkItemStatus.planned)
    note: str | None = Field(default=None, max_length=2000)


class WorkItemCreate(SQLModel):
    title: Title
    owner_kind: MemberKind | None = None
    owner_id: DbId | None = None
    due_on: date | None = None
    status: WorkItemStatus = WorkItemStatus.planned
    note: Note | None = None


class WorkItemUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (or send its ETag in If-Match)")
    title: Title | None = None
    owner_kind: MemberKind | None = None
    owner_id: DbId | None = None
    due_on: date | None = None
    status: WorkItemStatus | None = None
    note: Note | None = None


class WorkItemPublic(SQLModel):
    id: int
    forum_id: int
    title: str
    owner_kind: MemberKind | None
    owner_id: int | None
    owner_name: str | None = None
    due_on: date | None
    status: WorkItemStatus
    note: str | None
    version: int


# --- meetings, attendance, commitments --------------------------------------------------------


class Meeting(Versioned, table=True):
    """A forum meeting: when, where, the agenda and the minutes."""

    __tablename__ = "forum_meeting"

    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True, ondelete="CASCADE")
    held_on: date = Field(index=True)
    place: str | None = Field(default=None, max_length=300)
    agenda: str | None = Field(default=None, max_length=4000)
    minutes: str | None = Field(default=None, sa_type=sa.Text)


class MeetingAttendance(Timestamped, table=True):
    """A member who came to a meeting."""

    __tablename__ = "forum_meeting_attendance"

    meeting_id: int = Field(foreign_key="forum_meeting.id", primary_key=True, ondelete="CASCADE")
    member_kind: MemberKind = enum_column(MemberKind, primary_key=True, name="attendance_kind")
    member_id: int = Field(primary_key=True)


class Commitment(Versioned, table=True):
    """What a party promised at a meeting, by when, and what became of it."""

    __tablename__ = "forum_commitment"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="forum_meeting.id", index=True, ondelete="CASCADE")
    forum_id: int = Field(foreign_key="forum.id", index=True, ondelete="CASCADE")
    party_kind: MemberKind = enum_column(MemberKind, name="commitment_party_kind")
    party_id: int = Field(index=True)
    text: str = Field(max_length=2000)
    due_on: date | None = Field(default=None, index=True)
    program_id: int | None = Field(default=None, foreign_key="program.id", ondelete="SET NULL")
    need: Need | None = enum_column(Need, nullable=True, name="commitment_need", default=None)
    sector: Sector | None = enum_column(Sector, nullable=True, name="commitment_sector", default=None)
    village_code: str | None = Field(default=None, foreign_key="region.code", max_length=13)
    status: CommitmentStatus = enum_column(CommitmentStatus, default=CommitmentStatus.open, index=True)
    note: str | None = Field(default=None, max_length=2000)
    follow_ups: list[dict[str, Any]] = json_column(nullable=False, default_factory=list)


class AttendanceIn(SQLModel):
    member_kind: MemberKind
    member_id: DbId


class CommitmentCreate(SQLModel):
    party_kind: MemberKind
    party_id: DbId
    text: Annotated[str, PydanticField(min_length=1, max_length=2000), NoNul]
    due_on: date | None = None
    program_id: DbId | None = None
    need: Need | None = None
    sector: Sector | None = None
    village_code: RegionCode | None = None


class MeetingCreate(SQLModel):
    held_on: date
    place: Place | None = None
    agenda: Description | None = None
    minutes: Minutes | None = None
    attendance: list[AttendanceIn] = PydanticField(default_factory=list, max_length=500)
    commitments: list[CommitmentCreate] = PydanticField(default_factory=list, max_length=200)


class CommitmentUpdate(SQLModel):
    version: Version | None = Field(default=None, description="The version you read (optional: checked when sent)")
    status: CommitmentStatus | None = None
    note: Note | None = None
    due_on: date | None = None


class FollowUp(SQLModel):
    at: datetime
    status: CommitmentStatus
    note: str | None
    by_user_id: int | None


class CommitmentPublic(SQLModel):
    id: int
    meeting_id: int
    forum_id: int
    party_kind: MemberKind
    party_id: int
    party_name: str
    text: str
    due_on: date | None
    program_id: int | None
    program_name: str | None = None
    need: str | None
    sector: str | None
    village_code: str | None
    village_name: str | None = None
    status: CommitmentStatus
    note: str | None
    follow_ups: list[FollowUp]
    version: int


class AttendeePublic(SQLModel):
    member_kind: MemberKind
    member_id: int
    name: str
    role: MemberRole | None = None


class MeetingSummary(SQLModel):
    id: int
    forum_id: int
    held_on: date
    place: str | None
    agenda: str | None
    attendees: int
    commitments: int
    version: int


class MeetingPublic(SQLModel):
    id: int
    forum_id: int
    forum_name: str
    held_on: date
    place: str | None
    agenda: str | None
    minutes: str | None
    attendance: list[AttendeePublic]
    commitments: list[CommitmentPublic]
    version: int
    created_at: datetime
