"""The SQL of the UU PDP rights: a family's requests, the records that carry its data and the
trail of who processed them, the families past retention, and the statements that anonymise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.benefits import Benefit
from models.households import Business, Household, KpmGroup
from models.organizations import Organization, Program
from models.privacy import DataSubjectRequest
from models.referrals import Consent, Referral, ReferralEvent
from models.users import AuditEvent, User


def requests_of(session: Session, household_id: int) -> list[DataSubjectRequest]:
    """The family's requests, oldest first."""
    return list(
        session.exec(
            select(DataSubjectRequest)
            .where(DataSubjectRequest.household_id == household_id)
            .order_by(col(DataSubjectRequest.id))
        )
    )


def businesses_of(session: Session, household_id: int) -> list[Business]:
    return list(session.exec(select(Business).where(Business.household_id == household_id).order_by(col(Business.id))))


def consents_of(session: Session, household_id: int) -> Sequence[Any]:
    """(consent, organisation name) of the family, oldest first."""
    return session.execute(
        sa.select(Consent, col(Organization.name))
        .join(Organization, col(Organization.id) == col(Consent.organization_id))
        .where(col(Consent.household_id) == household_id)
        .order_by(col(Consent.id))
    ).all()


def referrals_of(session: Session, household_id: int) -> Sequence[Any]:
    """(referral, programme name, organisation id, organisation name) of the family, oldest first."""
    return session.execute(
        sa.select(Referral, col(Program.name), col(Organization.id), col(Organization.name))
        .join(Program, col(Program.id) == col(Referral.program_id))
        .join(Organization, col(Organization.id) == col(Program.organization_id))
        .where(col(Referral.household_id) == household_id)
        .order_by(col(Referral.id))
    ).all()


def events_of(session: Session, referral_ids: Sequence[int]) -> list[ReferralEvent]:
    if not referral_ids:
        return []
    return list(
        session.exec(
            select(ReferralEvent)
            .where(col(ReferralEvent.referral_id).in_(list(referral_ids)))
            .order_by(col(ReferralEvent.id))
        )
    )


def audit_trail(session: Session, records: Mapping[str, Sequence[int]]) -> Sequence[Any]:
    """(event, username, role) of every audit row about ``records`` (entity -> ids), oldest first."""
    clauses = [
        sa.and_(col(AuditEvent.entity) == entity, col(AuditEvent.entity_id).in_([str(i) for i in ids]))
        for entity, ids in records.items()
        if ids
    ]
    if not clauses:
        return []
    return session.execute(
        sa.select(AuditEvent, col(User.username), col(User.role))
        .join(User, col(User.id) == col(AuditEvent.actor_user_id), isouter=True)
        .where(sa.or_(*clauses))
        .order_by(col(AuditEvent.id))
    ).all()


def exited_before(session: Session, cutoff: date) -> list[Household]:
    """Families not yet anonymised that left PKH before ``cutoff``."""
    return list(
        session.exec(
            select(Household)
            .where(
                col(Household.exited_on).is_not(None),
                col(Household.exited_on) < cutoff,
                col(Household.anonymised_at).is_(None),
            )
            .order_by(col(Household.id))
        )
    )


def benefits_of(session: Session, household_id: int) -> list[Benefit]:
    return list(session.exec(select(Benefit).where(Benefit.household_id == household_id).order_by(col(Benefit.id))))


def forget_free_text(session: Session, household_id: int) -> None:
    """Empty what the family's referrals and benefits carry about it: notes, match reasons, outcomes."""
    session.execute(sa.update(Benefit).where(col(Benefit.household_id) == household_id).values(note=None))
    referral_ids = sa.select(col(Referral.id)).where(col(Referral.household_id) == household_id)
    session.execute(
        sa.update(Referral)
        .where(col(Referral.household_id) == household_id)
        .values(note=None, match=None, outcome=None)
    )
    session.execute(sa.update(ReferralEvent).where(col(ReferralEvent.referral_id).in_(referral_ids)).values(note=None))
    session.execute(sa.delete(Business).where(col(Business.household_id) == household_id))
    session.execute(
        sa.update(KpmGroup).where(col(KpmGroup.leader_household_id) == household_id).values(leader_household_id=None)
    )
