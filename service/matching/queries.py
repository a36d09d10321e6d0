"""SQL of matching: households as facts or columns, programmes as facts, the catalogue's stamp."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mapping.columns import BUSINESS_FIELDS, HOUSEHOLD_FIELDS, columns_from_rows
from mapping.matching import BusinessFacts, HouseholdFacts, ProgramFacts
from mapping.screening import HouseholdColumns
from models.eligibility import program_ids_in
from models.households import Business, Household
from models.organizations import Location, Organization, Program, ProgramLocation, ProgramServiceArea
from models.referrals import Referral, ReferralStatus
from models.types import age_on, months_between
from models.users import AuditEvent
from service.core.scope import in_processing


def household_facts(session: Session, households: Sequence[Household], *, today: date) -> list[HouseholdFacts]:
    """Facts of ``households`` for the rules, with their businesses and completed programmes (2 queries)."""
    ids = [h.id for h in households if h.id is not None]
    businesses: dict[int, list[BusinessFacts]] = defaultdict(list)
    completed: dict[int, set[int]] = defaultdict(set)
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        rows = session.exec(select(Business).where(col(Business.household_id).in_(chunk)).order_by(col(Business.id)))
        for b in rows:
            businesses[b.household_id].append(
                BusinessFacts(
                    business_id=b.id,
                    sector=b.sector,
                    age_months=months_between(b.started_on, today) if b.started_on else None,
                    monthly_revenue=b.monthly_revenue,
                    workers=b.workers,
                    has_nib=b.has_nib,
                    has_pirt=b.has_pirt,
                    has_halal=b.has_halal,
                    needs=frozenset(b.needs or ()),
                )
            )
        for hid, pid in session.exec(
            select(Referral.household_id, Referral.program_id).where(
                col(Referral.household_id).in_(chunk), col(Referral.status) == ReferralStatus.completed
            )
        ):
            completed[hid].add(pid)
    return [
        HouseholdFacts(
            household_id=h.id or 0,
            village_code=h.village_code,
            head_age=age_on(h.head_birth_date, today) if h.head_birth_date else None,
            head_sex=h.head_sex,
            pkh_status=h.pkh_status,
            years_in_pkh=max(0, today.year - h.pkh_joined_year) if h.pkh_joined_year else None,
            dtsen_decile=h.dtsen_decile,
            prse=h.prse,
            disability=h.disability,
            elderly=h.elderly,
            agreed_to_graduate=h.agreed_to_graduate,
            school_age_children=h.school_age_children,
            completed_programs=frozenset(completed.get(h.id or 0, ())),
            businesses=tuple(businesses.get(h.id or 0, ())),
            latitude=h.latitude,
            longitude=h.longitude,
        )
        for h in households
    ]


def load_columns(session: Session, where: Sequence[Any], *, today: date) -> HouseholdColumns:
    """The households matching ``where`` as screening columns, read column-wise (3 queries, no
    ORM objects): exactly what ``HouseholdColumns.from_facts(household_facts(...))`` gives."""
    where = [*where, in_processing()]  # a restricted or anonymised family is never screened
    households = session.execute(
        sa.select(*(getattr(Household, f) for f in HOUSEHOLD_FIELDS)).where(*where).order_by(col(Household.id))
    ).all()
    chosen = sa.select(col(Household.id)).where(*where).scalar_subquery()
    businesses = session.execute(
        sa.select(*(getattr(Business, f) for f in BUSINESS_FIELDS))
        .where(col(Business.household_id).in_(chosen))
        .order_by(col(Business.household_id), col(Business.id))
    ).all()
    done = session.execute(
        sa.select(col(Referral.program_id), col(Referral.household_id)).where(
            col(Referral.household_id).in_(chosen), col(Referral.status) == ReferralStatus.completed
        )
    ).all()
    return columns_from_rows(households, businesses, [(p, h) for p, h in done], today=today)


def program_facts(
    session: Session, where: Sequence[Any]
) -> tuple[list[ProgramFacts], dict[int, list[tuple[float, float]]]]:
    """Programmes matching ``where`` with their service areas and location points (3 queries)."""
    rows = session.exec(
        select(Program, Organization.name, Organization.verified_at)
        .join(Organization, col(Organization.id) == col(Program.organization_id))
        .where(*where)
    ).all()
    ids = [p.id for p, _, _ in rows]
    areas: dict[int, list[str]] = defaultdict(list)
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    if ids:
        for pid, code in session.exec(
            select(ProgramServiceArea.program_id, ProgramServiceArea.region_code).where(
                col(ProgramServiceArea.program_id).in_(ids)
            )
        ):
            areas[pid].append(code)
        for pid, lat, lon in session.exec(
            select(ProgramLocation.program_id, Location.latitude, Location.longitude)
            .join(Location, col(Location.id) == col(ProgramLocation.location_id))
            .where(
                col(ProgramLocation.program_id).in_(ids),
                col(Location.latitude).is_not(None),
                col(Location.longitude).is_not(None),
            )
        ):
            if lat is not None and lon is not None:
                points[pid].append((lat, lon))
    facts = [
        ProgramFacts(
            program_id=p.id or 0,
            name=p.name,
            organization_name=org_name,
            organization_verified=verified_at is not None,
            kind=p.kind,
            status=p.status,
            eligibility=p.eligibility,
            service_area=tuple(sorted(areas.get(p.id or 0, ()))),
            sectors=tuple(p.sectors or ()),
            opens_on=p.opens_on,
            closes_on=p.closes_on,
            valid_from=p.valid_from,
            valid_to=p.valid_to,
            capacity=p.capacity,
            capacity_remaining=p.capacity_remaining,
        )
        for p, org_name, verified_at in rows
    ]
    return facts, dict(points)


def catalogue_stamp(session: Session) -> tuple[Any, ...]:
    """One row that changes whenever anything a compiled catalogue holds may have changed.

    Per table: row count and latest ``updated_at`` (inserts, deletes, edits); for versioned
    tables also the sum of versions and the highest id, which catch an edit committed with an
    older timestamp than the newest row and a delete followed by an insert.
    """

    def stats(model: Any, versioned: bool) -> list[Any]:
        cols = [sa.func.count(), sa.func.max(model.updated_at)]
        if versioned:
            cols += [sa.func.coalesce(sa.func.sum(model.version), 0), sa.func.max(model.id)]
        return [sa.select(c).select_from(model).scalar_subquery() for c in cols]

    query = sa.select(
        *stats(Program, True),
        *stats(Organization, True),
        *stats(Location, True),
        *stats(ProgramServiceArea, False),
        *stats(ProgramLocation, False),
    )
    return tuple(session.execute(query).one())


def village_centre(session: Session, village_code: str) -> tuple[float, float] | None:
    """The centre of a village's known household points (for a family without its own place)."""
    row = session.exec(
        select(sa.func.avg(Household.latitude), sa.func.avg(Household.longitude)).where(
            Household.village_code == village_code,
            col(Household.latitude).is_not(None),
            col(Household.longitude).is_not(None),
        )
    ).one()
    if row[0] is None:
        return None
    return float(row[0]), float(row[1])


def referenced_program_names(session: Session, programs: Sequence[ProgramFacts]) -> dict[int, str]:
    """Names of the programmes that ``programs``' rules ask to have completed."""
    wanted = {pid for p in programs for pid in program_ids_in(p.eligibility)}
    if not wanted:
        return {}
    rows = session.exec(select(Program.id, Program.name).where(col(Program.id).in_(wanted))).all()
    return {pid: name for pid, name in rows if pid is not None}


def count_households(session: Session, where: Sequence[Any]) -> int:
    """How many households match ``where`` (and may be processed)."""
    return int(session.exec(select(sa.func.count()).select_from(Household).where(*where, in_processing())).one())


def referred_household_ids(session: Session, program_ids: Sequence[int]) -> set[int]:
    """Households ever referred to one of ``program_ids``."""
    if not program_ids:
        return set()
    rows = session.exec(select(Referral.household_id).where(col(Referral.program_id).in_(list(program_ids))))
    return set(rows)


def audit_times(session: Session, *, actor_user_id: int, action: str, since: datetime) -> list[datetime]:
    """When the user's audit events of ``action`` since ``since`` happened, oldest first."""
    rows = session.exec(
        select(AuditEvent.at)
        .where(AuditEvent.actor_user_id == actor_user_id, AuditEvent.action == action, col(AuditEvent.at) >= since)
        .order_by(col(AuditEvent.at))
    )
    return list(rows)
