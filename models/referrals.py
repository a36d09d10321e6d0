"""Referrals of a household to a programme, and their status history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

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


class Referral(Versioned, table=True):
    """A facilitator's referral of a household to a programme; its workflow lives in the service."""

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    facilitator_id: int | None = Field(default=None, foreign_key="facilitator.id", index=True)
    status: ReferralStatus = enum_column(ReferralStatus, default=ReferralStatus.sent, index=True)
    note: str | None = Field(default=None, max_length=2000)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome: dict[str, Any] | None = json_column()


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
