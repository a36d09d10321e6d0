"""SQL of the referral loop: who sees which referrals, consents, open referrals, moves, capacity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.households import Business, Facilitator, Household
from models.notifications import Notification
from models.organizations import Organization, Program, ProgramStatus
from models.referrals import Consent, ConsentPurpose, Referral, ReferralEvent, ReferralStatus
from models.users import Role
from service.core.records import rows_changed
from service.core.scope import Scope
from service.referrals.rules import OPEN


def referral_filter(scope: Scope) -> sa.ColumnElement[bool]:
    """SQL: the referrals the caller may see (their own as facilitator, their organisation's as agency)."""
    if scope.is_admin:
        return sa.true()
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        return col(Referral.facilitator_id) == scope.facilitator_id
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        return col(Referral.program_id).in_(select(Program.id).where(Program.organization_id == scope.organization_id))
    return sa.false()


def referral_in_scope(session: Session, scope: Scope, referral_id: int) -> Referral | None:
    return session.exec(select(Referral).where(Referral.id == referral_id, referral_filter(scope))).first()


def program_owner(session: Session, program_id: int) -> int | None:
    """The organisation offering a programme."""
    return session.exec(select(Program.organization_id).where(Program.id == program_id)).first()


def program_name_and_owner(session: Session, program_id: int) -> tuple[str, int] | None:
    """A programme's name and the organisation offering it."""
    row = session.exec(select(Program.name, Program.organization_id).where(Program.id == program_id)).first()
    return (row[0], row[1]) if row is not None else None


@dataclass(frozen=True)
class Contacts:
    program: str
    organization: str
    organization_phone: str | None
    family_phone: str | None
    family_phone_shared: bool  # the family's consent to share its phone with the organisation holds


def referral_contacts(session: Session, referral: Referral) -> Contacts | None:
    """Who the two sides of a referral may reach: the organisation's contact phone, and the family's
    phone with whether its consent to share it holds."""
    row = session.exec(
        select(Program.name, Organization.name, Organization.phone)
        .join(Organization, col(Organization.id) == col(Program.organization_id))
        .where(Program.id == referral.program_id)
    ).first()
    if row is None:
        return None
    consent = session.get(Consent, referral.consent_id) if referral.consent_id else None
    shared = consent is not None and consent.share_phone and consent.withdrawn_at is None
    phone = session.exec(select(Household.phone).where(Household.id == referral.household_id)).first()
    return Contacts(row[0], row[1], row[2], phone if shared else None, shared)


def overdue_unnoticed(
    session: Session, *, before: datetime, key_prefix: str
) -> list[tuple[int, ReferralStatus, int, int | None, datetime]]:
    """Open referrals in their status since before ``before`` with no notification keyed
    ``<key_prefix><id>:<status>`` yet: (id, status, programme, facilitator, since), oldest first."""
    key = sa.literal(key_prefix) + sa.cast(col(Referral.id), sa.String) + ":" + sa.cast(col(Referral.status), sa.String)
    noticed = sa.exists().where(col(Notification.once_key) == key)
    rows = session.execute(
        sa.select(
            col(Referral.id),
            col(Referral.status),
            col(Referral.program_id),
            col(Referral.facilitator_id),
            col(Referral.status_changed_at),
        )
        .where(col(Referral.status).in_(OPEN), col(Referral.status_changed_at) < before, ~noticed)
        .order_by(col(Referral.status_changed_at), col(Referral.id))
    ).all()
    return [(int(i), ReferralStatus(s), p, f, at) for i, s, p, f, at in rows if i is not None]


def program_owners(session: Session, program_ids: Sequence[int]) -> dict[int, int]:
    if not program_ids:
        return {}
    rows = session.exec(select(Program.id, Program.organization_id).where(col(Program.id).in_(list(program_ids))))
    return {pid: oid for pid, oid in rows if pid is not None}


def published_program(session: Session, program_id: int) -> Program | None:
    """The programme if it exists and is not a draft."""
    return session.exec(
        select(Program).where(Program.id == program_id, col(Program.status) != ProgramStatus.draft)
    ).first()


def active_consent(session: Session, household_id: int, organization_id: int) -> Consent | None:
    """The family's latest unwithdrawn consent to referrals to this organisation."""
    return session.exec(
        select(Consent)
        .where(
            Consent.household_id == household_id,
            Consent.organization_id == organization_id,
            col(Consent.purpose) == ConsentPurpose.referral,
            col(Consent.withdrawn_at).is_(None),
        )
        .order_by(col(Consent.id).desc())
    ).first()


def active_consents_by_organization(session: Session, household_id: int) -> dict[int, Consent]:
    """The family's unwithdrawn referral consents, the latest per organisation."""
    out: dict[int, Consent] = {}
    rows = session.exec(
        select(Consent)
        .where(
            Consent.household_id == household_id,
            col(Consent.purpose) == ConsentPurpose.referral,
            col(Consent.withdrawn_at).is_(None),
        )
        .order_by(col(Consent.id))
    )
    for c in rows:
        out[c.organization_id] = c  # the latest wins
    return out


def consents_of(session: Session, household_id: int) -> list[Consent]:
    return list(session.exec(select(Consent).where(Consent.household_id == household_id).order_by(col(Consent.id))))


def open_referrals_to(session: Session, household_id: int, organization_id: int) -> list[Referral]:
    """The family's open referrals to any programme of the organisation."""
    return list(
        session.exec(
            select(Referral)
            .join(Program, col(Program.id) == col(Referral.program_id))
            .where(
                Referral.household_id == household_id,
                Program.organization_id == organization_id,
                col(Referral.status).in_(OPEN),
            )
        ).all()
    )


def open_referrals_of(session: Session, household_id: int) -> list[Referral]:
    """The family's open referrals, to any programme."""
    return list(
        session.exec(
            select(Referral)
            .where(Referral.household_id == household_id, col(Referral.status).in_(OPEN))
            .order_by(col(Referral.id))
        )
    )


def open_referral(session: Session, household_id: int, program_id: int, *where: Any) -> Referral | None:
    """The family's open referral to the programme, if any."""
    return session.exec(
        select(Referral).where(
            Referral.household_id == household_id,
            Referral.program_id == program_id,
            col(Referral.status).in_(OPEN),
            *where,
        )
    ).first()


def open_referrals_by_program(session: Session, household_id: int, program_ids: Sequence[int]) -> dict[int, Referral]:
    rows = session.exec(
        select(Referral).where(
            Referral.household_id == household_id,
            col(Referral.program_id).in_(list(program_ids)),
            col(Referral.status).in_(OPEN),
        )
    )
    return {r.program_id: r for r in rows}


def set_status(session: Session, referral: Referral, to: ReferralStatus, *, at: datetime) -> bool:
    """Move the referral from the status (and version) it was read with to ``to``, in one
    ``UPDATE ... WHERE status = :read AND version = :read``; ``False`` when someone moved it first."""
    moved = rows_changed(
        session,
        sa.update(Referral)
        .where(
            col(Referral.id) == referral.id,
            col(Referral.status) == referral.status,
            col(Referral.version) == referral.version,
        )
        .values(status=to, status_changed_at=at, updated_at=at, version=col(Referral.version) + 1),
    )
    return moved == 1


def set_fields(session: Session, referral_id: int | None, values: dict[str, Any]) -> None:
    session.execute(
        sa.update(Referral)
        .where(col(Referral.id) == referral_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def take_place(session: Session, program_id: int, *, at: datetime) -> bool:
    """Take one place of the programme (no limit: always); ``False`` when none is left.

    A place taken changes the programme's record, so its ``version`` moves with it: a form or an
    ``If-Match`` read before the enrolment can no longer write the old number back.
    """
    remaining = col(Program.capacity_remaining)
    taken = rows_changed(
        session,
        sa.update(Program)
        .where(col(Program.id) == program_id, sa.or_(remaining.is_(None), remaining > 0))
        .values(
            capacity_remaining=sa.case((remaining.is_(None), None), else_=remaining - 1),
            version=col(Program.version) + sa.case((remaining.is_(None), 0), else_=1),
            updated_at=at,
        ),
    )
    return taken == 1


def give_back_place(session: Session, program_id: int, *, at: datetime) -> None:
    """Give one place back to the programme, never above its capacity; the version moves with it."""
    remaining, capacity = col(Program.capacity_remaining), col(Program.capacity)
    rows_changed(
        session,
        sa.update(Program)
        .where(
            col(Program.id) == program_id,
            remaining.is_not(None),
            sa.or_(capacity.is_(None), remaining < capacity),
        )
        .values(capacity_remaining=remaining + 1, version=col(Program.version) + 1, updated_at=at),
    )


def events_of(session: Session, referral_ids: Sequence[int]) -> dict[int, list[ReferralEvent]]:
    """The referrals' histories, oldest first."""
    out: dict[int, list[ReferralEvent]] = {rid: [] for rid in referral_ids}
    rows = session.exec(
        select(ReferralEvent)
        .where(col(ReferralEvent.referral_id).in_(list(referral_ids)))
        .order_by(col(ReferralEvent.id))
    )
    for e in rows:
        out.setdefault(e.referral_id, []).append(e)
    return out


def status_counts(session: Session, scope: Scope) -> dict[str, int]:
    """The caller's referrals per status."""
    rows = session.exec(
        select(Referral.status, sa.func.count()).where(referral_filter(scope)).group_by(col(Referral.status))
    ).all()
    return {ReferralStatus(s).value: int(n) for s, n in rows}


def referral_page(
    session: Session,
    scope: Scope,
    *,
    status: ReferralStatus | None,
    program_id: int | None,
    newest_first_by: str,
    limit: int,
    offset: int,
) -> tuple[list[Referral], int]:
    """One page of the caller's referrals, and how many there are."""
    stmt = select(Referral).where(referral_filter(scope))
    if status is not None:
        stmt = stmt.where(col(Referral.status) == status)
    if program_id is not None:
        stmt = stmt.where(col(Referral.program_id) == program_id)
    total = int(session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0)
    if newest_first_by == "oldest":
        order: tuple[Any, ...] = (col(Referral.status_changed_at).asc(), col(Referral.id))
    elif newest_first_by == "sent":
        order = (col(Referral.sent_at).desc(), col(Referral.id).desc())
    else:
        order = (col(Referral.status_changed_at).desc(), col(Referral.id))
    rows = list(session.exec(stmt.order_by(*order).limit(limit).offset(offset)))
    return rows, total


def latest_in(session: Session, scope: Scope, statuses: Sequence[ReferralStatus], limit: int) -> list[Referral]:
    """The caller's referrals in ``statuses``, most recently moved first."""
    return list(
        session.exec(
            select(Referral)
            .where(referral_filter(scope), col(Referral.status).in_(list(statuses)))
            .order_by(col(Referral.status_changed_at).desc(), col(Referral.id).desc())
            .limit(limit)
        )
    )


def view_rows(
    session: Session, referrals: Sequence[Referral]
) -> tuple[
    dict[int, Household],
    dict[int, tuple[Program, str]],
    dict[int, str],
    dict[int, Consent],
    dict[int, list[Business]],
]:
    """What the views of ``referrals`` need, a few queries for the whole page: households,
    programmes with their organisation's name, facilitators' names, consents, businesses."""
    household_ids = {r.household_id for r in referrals}
    households = {
        h.id: h for h in session.exec(select(Household).where(col(Household.id).in_(household_ids))) if h.id is not None
    }
    programs = {
        p.id: (p, name)
        for p, name in session.exec(
            select(Program, Organization.name)
            .join(Organization, col(Organization.id) == col(Program.organization_id))
            .where(col(Program.id).in_({r.program_id for r in referrals}))
        )
        if p.id is not None
    }
    facilitator_ids = {r.facilitator_id for r in referrals if r.facilitator_id}
    facilitators = {
        fid: name
        for fid, name in session.exec(
            select(Facilitator.id, Facilitator.name).where(col(Facilitator.id).in_(facilitator_ids))
        ).all()
        if fid is not None
    }
    consent_ids = {r.consent_id for r in referrals if r.consent_id}
    consents = {
        c.id: c for c in session.exec(select(Consent).where(col(Consent.id).in_(consent_ids))) if c.id is not None
    }
    businesses: dict[int, list[Business]] = {hid: [] for hid in household_ids}
    for b in session.exec(
        select(Business).where(col(Business.household_id).in_(household_ids)).order_by(col(Business.id))
    ):
        businesses[b.household_id].append(b)
    return households, programs, facilitators, consents, businesses
