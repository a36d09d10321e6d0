"""Business monitoring: a business's dated check-ins (revenue, costs, workers, channels, certificates)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from models.households import SalesChannel
from models.types import MAX_ID, Note, Timestamped, enum_column, json_column


class Certification(StrEnum):
    """A certificate a micro-business may hold (the ``has_*`` facts of ``Business``)."""

    nib = "nib"
    pirt = "pirt"
    halal = "halal"


CERTIFICATE_FACTS = {Certification.nib: "has_nib", Certification.pirt: "has_pirt", Certification.halal: "has_halal"}
"""Which of the business's facts each certificate sets."""


class LoanStatus(StrEnum):
    """How the repayment of a loan from a completed loan programme stands."""

    current = "current"
    late = "late"
    repaid = "repaid"


MAX_REVENUE = 1_000_000_000_000
SignedRupiah = Annotated[int, PydanticField(ge=-MAX_REVENUE, le=MAX_REVENUE)]
"""Rupiah as sent: a negative amount reaches the use case, which says what is wrong with it."""


class BusinessCheckinBase(SQLModel):
    checked_on: date = Field(description="The day of the visit (not in the future, not before the business started)")
    monthly_revenue: int = Field(sa_type=sa.BigInteger, description="Omzet per month, rupiah")
    monthly_costs: int | None = Field(default=None, sa_type=sa.BigInteger, description="Costs per month, rupiah")
    workers: int | None = Field(default=None, ge=0, le=1000)
    loan_status: LoanStatus | None = enum_column(LoanStatus, nullable=True, default=None)
    note: Note | None = Field(default=None, max_length=2000)


class BusinessCheckinCreate(SQLModel):
    """A check-in as sent: ``sales_channels`` / ``certifications`` left out keep the business's own."""

    checked_on: date
    monthly_revenue: SignedRupiah
    monthly_costs: SignedRupiah | None = None
    workers: int | None = PydanticField(default=None, ge=0, le=1000)
    sales_channels: list[SalesChannel] | None = PydanticField(default=None, max_length=len(SalesChannel))
    certifications: list[Certification] | None = PydanticField(default=None, max_length=len(Certification))
    loan_status: LoanStatus | None = PydanticField(
        default=None, description="Only where the family completed a loan programme"
    )
    note: Note | None = None
    confirm_jump: bool = PydanticField(
        default=False, description="Confirms a revenue more than 100 times the previous check-in's"
    )


class BusinessCheckin(BusinessCheckinBase, Timestamped, table=True):
    """One visit's facts about a business; the latest (by ``checked_on``) are the business's current facts."""

    __table_args__ = (sa.Index("ix_businesscheckin_business_id_checked_on", "business_id", "checked_on"),)

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", ondelete="CASCADE")
    household_id: int = Field(foreign_key="household.id", index=True, ondelete="CASCADE")
    sales_channels: list[str] = json_column(nullable=False, default_factory=list)
    certifications: list[str] = json_column(nullable=False, default_factory=list)
    recorded_by_user_id: int | None = Field(default=None, foreign_key="user.id", ge=1, le=MAX_ID)


class BusinessCheckinPublic(BusinessCheckinBase):
    id: int
    business_id: int
    household_id: int
    sales_channels: list[str]
    certifications: list[str]
    recorded_by_user_id: int | None
    created_at: datetime
