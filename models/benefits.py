"""A family's benefit record: what each programme it completed gave it (and what it received
before or outside Jejaring), the certificates waiting for its facilitator's confirmation."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import Field as PydanticField
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from models.organizations import Need, ProgramKind
from models.types import DbId, Name, NoNul, Rupiah, Timestamped, UTCDateTime, enum_column, json_column


class BenefitSource(StrEnum):
    referral = "referral"  # a completed referral entered it
    manual = "manual"  # recorded by hand: received before Jejaring or outside it


class Certificate(StrEnum):
    nib = "nib"
    pirt = "pirt"
    halal = "halal"


BenefitNote = Annotated[str, PydanticField(max_length=500), NoNul]


class Benefit(Timestamped, table=True):
    """One benefit a family received: its kind, the need it met, rupiah, date and who gave it."""

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True, ondelete="CASCADE")
    # The completed referral it came from (one benefit per referral); none for a manual entry.
    referral_id: int | None = Field(default=None, foreign_key="referral.id", unique=True)
    program_id: int | None = Field(default=None, foreign_key="program.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    # A giver or programme outside Jejaring, as the facilitator wrote it (manual entries).
    provider: str | None = Field(default=None, max_length=200)
    program_name: str | None = Field(default=None, max_length=200)
    kind: ProgramKind = enum_column(ProgramKind, name="benefitkind", index=True)
    need: Need = enum_column(Need, name="benefitneed", index=True)
    amount: int | None = Field(default=None, sa_type=sa.BigInteger)
    received_on: date = Field(index=True)
    source: BenefitSource = enum_column(BenefitSource, default=BenefitSource.referral)
    # Certificates the benefit gives (nib, pirt, halal); they reach the business once confirmed.
    certificates: list[str] = json_column(nullable=False, default_factory=list)
    business_id: int | None = Field(default=None, foreign_key="business.id", ondelete="SET NULL")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    note: str | None = Field(default=None, max_length=500)


class BenefitCreate(SQLModel):
    """A benefit received outside Jejaring (or before it), recorded by the family's facilitator."""

    kind: ProgramKind
    need: Need | None = PydanticField(default=None, description="Default: the need the kind meets first")
    amount: Rupiah | None = PydanticField(default=None, description="Rupiah received (grants, loans, equipment)")
    received_on: date
    organization_id: DbId | None = PydanticField(default=None, description="A giver listed in Jejaring")
    provider: Name | None = PydanticField(default=None, description="Or the giver's name (e.g. Kemensos PENA)")
    program_name: Name | None = None
    certificates: list[Certificate] = PydanticField(default_factory=list, max_length=3)
    business_id: DbId | None = PydanticField(default=None, description="The business the certificates belong to")
    note: BenefitNote | None = None

    @model_validator(mode="after")
    def _giver(self) -> BenefitCreate:
        if self.organization_id is None and not (self.provider and self.provider.strip()):
            raise ValueError("name who gave it: organization_id or provider")
        return self


class BenefitConfirm(SQLModel):
    """The facilitator confirms the certificates a completed programme gave the business."""

    business_id: DbId | None = PydanticField(default=None, description="Needed when the family runs several")
    certificates: list[Certificate] | None = PydanticField(
        default=None, max_length=3, description="Default: those the programme gives"
    )


class BenefitPublic(SQLModel):
    id: int
    household_id: int
    kind: str
    need: str
    amount: int | None
    received_on: date
    organization_id: int | None
    organization_name: str | None
    program_id: int | None
    program_name: str | None
    referral_id: int | None
    source: str
    certificates: list[str]
    certificates_pending: bool = PydanticField(description="Certificates waiting for the facilitator's confirmation")
    business_id: int | None
    confirmed_at: datetime | None
    note: str | None
    created_at: datetime
