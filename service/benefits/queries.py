"""The benefit record's SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mapping.benefits import PastBenefit
from models.benefits import Benefit
from models.households import Business
from models.organizations import Organization, Program


def _named() -> Any:
    """Benefits with their giver's and programme's names (listed ones, else as written by hand)."""
    return (
        select(Benefit, Organization.name, Program.name)
        .outerjoin(Organization, col(Organization.id) == col(Benefit.organization_id))
        .outerjoin(Program, col(Program.id) == col(Benefit.program_id))
    )


def benefit_page(
    session: Session, household_id: int, *, limit: int, offset: int
) -> tuple[list[tuple[Benefit, str | None, str | None]], int]:
    """One page of the family's benefits, newest first, with the giver's and programme's names."""
    where = col(Benefit.household_id) == household_id
    total = session.scalar(sa.select(sa.func.count()).select_from(Benefit).where(where)) or 0
    rows = session.exec(
        _named()
        .where(where)
        .order_by(col(Benefit.received_on).desc(), col(Benefit.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [(b, o, p) for b, o, p in rows], int(total)


def named_benefit(session: Session, benefit_id: int) -> tuple[Benefit, str | None, str | None] | None:
    row = session.exec(_named().where(col(Benefit.id) == benefit_id)).first()
    return (row[0], row[1], row[2]) if row is not None else None


def past_benefits(session: Session, household_ids: Sequence[int]) -> dict[int, list[PastBenefit]]:
    """Every benefit of the families, as the double-funding guard reads them (one query)."""
    out: dict[int, list[PastBenefit]] = {}
    if not household_ids:
        return out
    rows = session.exec(_named().where(col(Benefit.household_id).in_(sorted(set(household_ids))))).all()
    for b, org_name, program_name in rows:
        assert b.id is not None
        out.setdefault(b.household_id, []).append(
            PastBenefit(
                benefit_id=b.id,
                kind=str(b.kind),
                need=str(b.need),
                received_on=b.received_on,
                amount=b.amount,
                organization_id=b.organization_id,
                organization_name=org_name or b.provider,
                program_name=program_name or b.program_name,
                referral_id=b.referral_id,
            )
        )
    return out


def businesses_of(session: Session, household_id: int) -> list[Business]:
    return list(session.exec(select(Business).where(Business.household_id == household_id).order_by(col(Business.id))))


def benefit_of_referral(session: Session, referral_id: int) -> Benefit | None:
    return session.exec(select(Benefit).where(Benefit.referral_id == referral_id)).first()
