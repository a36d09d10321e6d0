"""Ties between stakeholders: partnerships and forums."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import DbId, Description, Name, Note, RegionCode, Timestamped, Versioned, enum_column


class PartyKind(StrEnum):
    organization = "organization"
    facilitator = "facilitator"
    forum = "forum"


class PartnershipKind(StrEnum):
    mou = "mou"
    co_funding = "co_funding"
    forum_membership = "forum_membership"
    informal = "informal"


class Partnership(Versioned, table=True):
    """A tie between two parties (organisation, facilitator or forum).

    Parties are (kind, id) pairs, so the foreign keys are checked by the service.
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
