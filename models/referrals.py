"""Referrals of a household to a programme, their status history, and the consent behind them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from models.types import Timestamped, UTCDateTime, Versioned, enum_column, json_column, utcnow


class ReferralStatus(StrEnum):
    sent = "sent"
    accepted = "accepted"
    declined = "declined"
    enrolled = "enrolled"
    completed = "completed"
    dropped = "dropped"
    withdrawn = "withdrawn"


# A referral is open while it may still lead somewhere; a family has at most one open referral per
# programme (the partial unique index below; service.referrals.rules.OPEN is this tuple).
OPEN_STATUSES: tuple[ReferralStatus, ...] = (ReferralStatus.sent, ReferralStatus.accepted, ReferralStatus.enrolled)
OPEN_PREDICATE = "status IN (" + ", ".join(f"'{s.value}'" for s in OPEN_STATUSES) + ")"


class DeclineReason(StrEnum):
    not_eligible = "not_eligible"
    no_capacity = "no_capacity"
    could_not_contact = "could_not_contact"
    family_not_interested = "family_not_interested"
    other = "other"


class ConsentPurpose(StrEnum):
    referral = "referral"


class Consent(Timestamped, table=True):
    """A family's consent to share its data with one organisation for one purpose (UU PDP art. 20).

    Recorded by the facilitator who asked; withdrawing it closes the family's open referrals to
    that organisation.
    """

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    purpose: ConsentPurpose = enum_column(ConsentPurpose, default=ConsentPurpose.referral)
    share_phone: bool = Field(default=False)
    # The family agrees that the organisation sees its benefit record's details (amounts, givers).
    share_benefits: bool = Field(default=False)
    recorded_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by_user_id: int | None = Field(default=None, foreign_key="user.id")


class Referral(Versioned, table=True):
    """A facilitator's referral of a household to a programme; its workflow lives in the service."""

    __table_args__ = (
        sa.UniqueConstraint("created_by_user_id", "idempotency_key"),
        sa.Index(
            "uq_referral_open_household_program",
            "household_id",
            "program_id",
            unique=True,
            sqlite_where=sa.text(OPEN_PREDICATE),
            postgresql_where=sa.text(OPEN_PREDICATE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    facilitator_id: int | None = Field(default=None, foreign_key="facilitator.id", index=True)
    status: ReferralStatus = enum_column(ReferralStatus, default=ReferralStatus.sent, index=True)
    note: str | None = Field(default=None, max_length=2000)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome: dict[str, Any] | None = json_column()
    decline_reason: DeclineReason | None = enum_column(DeclineReason, nullable=True, default=None)
    consent_id: int | None = Field(default=None, foreign_key="consent.id")
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    idempotency_key: str | None = Field(default=None, max_length=100)
    match: dict[str, Any] | None = json_column()  # status and reasons as the facilitator saw them


class ReferralEvent(Timestamped, table=True):
    """One status change of a referral: who, when, from, to, why."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id")
    from_status: ReferralStatus | None = enum_column(
        ReferralStatus, nullable=True, default=None, name="referralevent_from"
    )
    to_status: ReferralStatus = enum_column(ReferralStatus, name="referralevent_to")
    note: str | None = Field(default=None, max_length=2000)
