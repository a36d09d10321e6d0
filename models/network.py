"""Ties between stakeholders: partnerships and forums."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import (
    DbId,
    Description,
    Name,
    Note,
    RegionCode,
    Timestamped,
    UTCDateTime,
    Version,
    Versioned,
    WebAddress,
    enum_column,
)


class PartyKind(StrEnum):
    organization = "organization"
    facilitator = "facilitator"
    forum = "forum"


class PartnershipKind(StrEnum):
    mou = "mou"
    co_funding = "co_funding"
    forum_membership = "forum_membership"
    informal = "informal"


class PartnershipStatus(StrEnum):
    """A partnership's life: party A proposes it, party B confirms or declines it, either side
    ends a confirmed one. Only confirmed (and, before their end date, ended) ties count in the
    network."""

    proposed = "proposed"
    confirmed = "confirmed"
    declined = "declined"
    ended = "ended"


REFERENCE_MAX = 500


class Partnership(Versioned, table=True):
    """A tie between two parties (organisation, facilitator or forum).

    Parties are (kind, id) pairs, so the foreign keys are checked by the service. Party A is the
    side that proposed it (``proposed_by_*``); it counts in the network from the later of
    ``started_on`` and ``confirmed_on`` up to ``ended_on`` (inclusive).
    """

    __table_args__ = (
        sa.CheckConstraint(
            "NOT (party_a_kind = party_b_kind AND party_a_id = party_b_id)",
            name="not_self",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    party_a_kind: PartyKind = enum_column(PartyKind, name="partnership_party_a")
    party_a_id: int = Field(index=True)
    party_b_kind: PartyKind = enum_column(PartyKind, name="partnership_party_b")
    party_b_id: int = Field(index=True)
    kind: PartnershipKind = enum_column(PartnershipKind)
    started_on: date | None = None
    ended_on: date | None = None
    note: Note | None = Field(default=None, max_length=2000)
    status: PartnershipStatus = enum_column(PartnershipStatus, index=True, default=PartnershipStatus.proposed)
    reference: str | None = Field(default=None, max_length=REFERENCE_MAX)  # document number or link
    proposed_by_kind: PartyKind | None = enum_column(PartyKind, nullable=True, name="partnership_proposer")
    proposed_by_id: int | None = None
    proposed_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    answered_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_on: date | None = None  # the local date party B confirmed it (None: before the workflow)
    expiry_noticed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the MoU expiry notice went out


class PartnershipPublic(SQLModel):
    """A partnership as the API shows it (no personal data: parties are organisations,
    facilitators and forums, named by their public names)."""

    id: int
    version: int
    party_a_kind: PartyKind
    party_a_id: int
    party_a_name: str
    party_b_kind: PartyKind
    party_b_id: int
    party_b_name: str
    kind: PartnershipKind
    status: PartnershipStatus
    started_on: date | None
    ended_on: date | None
    confirmed_on: date | None
    reference: str | None
    note: str | None
    proposed_by_kind: PartyKind | None
    proposed_by_id: int | None
    created_at: datetime


class PartnershipCreate(SQLModel):
    """A proposal: party A (the caller's side) proposes a tie to party B, who confirms it."""

    party_a_kind: PartyKind = Field(description="The proposing side: your organisation, yourself, your forum")
    party_a_id: DbId
    party_b_kind: PartyKind = Field(description="The other side, who confirms or declines")
    party_b_id: DbId
    kind: PartnershipKind
    started_on: date | None = None
    ended_on: date | None = Field(default=None, description="Its end (an MoU's expiry); counts up to and on it")
    reference: WebAddress | None = Field(default=None, description="Document number or link")
    note: Note | None = None


class PartnershipUpdate(SQLModel):
    """Party B answers a proposal (confirmed, declined); either side ends a confirmed tie."""

    status: Literal["confirmed", "declined", "ended"]
    ended_on: date | None = Field(default=None, description="With ended: its last day (default today)")
    version: Version | None = Field(default=None, description="The version you read (optional; or If-Match)")


class ForumBase(SQLModel):
    name: Name = Field(max_length=200, unique=True)
    region_code: RegionCode = Field(foreign_key="region.code", max_length=13, index=True)
    organizer_organization_id: DbId | None = Field(default=None, foreign_key="organization.id")
    description: Description | None = Field(default=None, max_length=4000)


class Forum(ForumBase, Versioned, table=True):
    """A forum of facilitators and agencies for a region, e.g. a forum CSR or "Sinergi Kreatif"."""

    id: int | None = Field(default=None, primary_key=True)


class MemberRole(StrEnum):
    """A member's place in the forum's structure."""

    chair = "chair"
    secretary = "secretary"
    treasurer = "treasurer"
    member = "member"


class ForumMember(Timestamped, table=True):
    """An organisation or facilitator in a forum, with its role and the dates it joined and left."""

    __table_args__ = (
        sa.CheckConstraint("left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
    )

    forum_id: int = Field(foreign_key="forum.id", primary_key=True, ondelete="CASCADE")
    member_kind: PartyKind = enum_column(PartyKind, primary_key=True, name="forummember_kind")
    member_id: int = Field(primary_key=True)
    joined_on: date | None = None
    role: MemberRole = enum_column(
        MemberRole,
        name="forummember_role",
        default=MemberRole.member,
        sa_column_kwargs={"server_default": MemberRole.member.value},
    )
    left_on: date | None = None


class ForumPublic(ForumBase):
    id: int
    version: int
