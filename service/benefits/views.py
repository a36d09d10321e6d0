"""What each side sees of the benefit record and of the double-funding guard.

The family's facilitator and admins see every detail. The receiving organisation of a referral
sees only that the family is *already funded for this need*: no amount, date, giver or
programme, unless the family agreed to share its benefit record with that organisation
(``Consent.share_benefits``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, Field

from mapping.benefits import FundingWarning
from models.benefits import Benefit, BenefitPublic


class FundingDetail(BaseModel):
    kind: str
    amount: int | None
    received_on: date
    organization_name: str | None
    program_name: str | None


class FundingWarningPublic(BaseModel):
    """``already_funded``: the family received a grant, loan or equipment for ``need`` within the
    guard's period. The referral is not refused."""

    code: str = "already_funded"
    need: str
    since: date | None = Field(description="When the latest such benefit was received (null when withheld)")
    details: list[FundingDetail] | None = Field(
        default=None, description="The benefits found; null for a receiving organisation without the family's consent"
    )


def warning_views(warnings: Sequence[FundingWarning], *, detailed: bool) -> list[FundingWarningPublic]:
    """The warnings as the caller may read them (``detailed``: the family's side, or consented)."""
    return [
        FundingWarningPublic(
            need=w.need,
            since=w.since if detailed else None,
            details=[
                FundingDetail(
                    kind=b.kind,
                    amount=b.amount,
                    received_on=b.received_on,
                    organization_name=b.organization_name,
                    program_name=b.program_name,
                )
                for b in w.benefits
            ]
            if detailed
            else None,
        )
        for w in warnings
    ]


def benefit_public(b: Benefit, organization_name: str | None, program_name: str | None) -> BenefitPublic:
    assert b.id is not None
    return BenefitPublic(
        id=b.id,
        household_id=b.household_id,
        kind=str(b.kind),
        need=str(b.need),
        amount=b.amount,
        received_on=b.received_on,
        organization_id=b.organization_id,
        organization_name=organization_name or b.provider,
        program_id=b.program_id,
        program_name=program_name or b.program_name,
        referral_id=b.referral_id,
        source=str(b.source),
        certificates=list(b.certificates or []),
        certificates_pending=bool(b.certificates) and b.confirmed_at is None,
        business_id=b.business_id,
        confirmed_at=b.confirmed_at,
        note=b.note,
        created_at=b.created_at,
    )
