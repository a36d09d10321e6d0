"""SQL of the households domain: lists, lookups and the caseload filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.households import Business, FacilitatorVillage, Household, KpmGroup
from models.monitoring import BusinessCheckin
from models.organizations import Program, ProgramKind
from models.referrals import Referral, ReferralStatus
from service.core.paging import paginate
from service.core.scope import Scope, within


@dataclass(frozen=True)
class HouseholdFilter:
    """What the household list is narrowed to (all optional)."""

    region: str | None = None
    group_id: int | None = None
    facilitator_id: int | None = None
    pkh_status: str | None = None
    has_business: bool | None = None
    q: str | None = None
    nik_digest: str | None = None


def has_business_clause() -> sa.ColumnElement[bool]:
    """SQL: the household runs at least one business."""
    return sa.exists().where(col(Business.household_id) == col(Household.id))


def household_clauses(f: HouseholdFilter) -> list[Any]:
    """SQL filters of the household list."""
    clauses: list[Any] = []
    if f.region:
        clauses.append(within(Household.village_code, f.region))
    if f.group_id is not None:
        clauses.append(col(Household.group_id) == f.group_id)
    if f.facilitator_id is not None:
        clauses.append(col(Household.facilitator_id) == f.facilitator_id)
    if f.pkh_status:
        clauses.append(col(Household.pkh_status) == f.pkh_status)
    if f.has_business is not None:
        clauses.append(has_business_clause() if f.has_business else ~has_business_clause())
    if f.q:
        pattern = f"%{f.q.lower()}%"
        clauses.append(
            sa.or_(sa.func.lower(Household.head_name).like(pattern), sa.func.lower(Household.pkh_id).like(pattern))
        )
    if f.nik_digest:
        clauses.append(col(Household.nik_hash) == f.nik_digest)
    return clauses


def household_page(
    session: Session, scope: Scope, f: HouseholdFilter, *, limit: int, offset: int
) -> tuple[list[Household], int]:
    """One page of the caller's households that pass ``f``, and how many pass."""
    stmt = select(Household).where(scope.where(Household), *household_clauses(f))
    return paginate(session, stmt, limit=limit, offset=offset, order_by=Household.id)


def businesses_by_household(session: Session, household_ids: Sequence[int]) -> dict[int, list[Business]]:
    """All businesses of the given households (in chunks of 1,000 ids), oldest first."""
    out: dict[int, list[Business]] = {hid: [] for hid in household_ids}
    ids = list(household_ids)
    for start in range(0, len(ids), 1000):
        rows = session.exec(
            select(Business).where(col(Business.household_id).in_(ids[start : start + 1000])).order_by(col(Business.id))
        )
        for b in rows:
            out[b.household_id].append(b)
    return out


def nik_taken(session: Session, digest: str, *, except_id: int | None = None) -> bool:
    """Whether another household holds this NIK (by its keyed hash)."""
    stmt = select(Household.id).where(Household.nik_hash == digest)
    if except_id is not None:
        stmt = stmt.where(col(Household.id) != except_id)
    return session.exec(stmt).first() is not None


def pkh_id_taken(session: Session, pkh_id: str) -> bool:
    return session.exec(select(Household.id).where(Household.pkh_id == pkh_id)).first() is not None


def has_referrals(session: Session, household_id: int) -> bool:
    return session.exec(select(Referral.id).where(Referral.household_id == household_id)).first() is not None


def forget_household(session: Session, household_id: int) -> None:
    """Remove what hangs on a household before it is deleted: its group leadership, its businesses."""
    session.execute(
        sa.update(KpmGroup).where(col(KpmGroup.leader_household_id) == household_id).values(leader_household_id=None)
    )
    session.execute(sa.delete(Business).where(col(Business.household_id) == household_id))


def group_rows(session: Session, scope: Scope, village_code: str | None = None) -> list[tuple[int, str, str]]:
    """The caller's KPM groups (those meeting in ``village_code``, if given): (id, name, village code), by name."""
    clauses = [scope.where(KpmGroup)]
    if village_code is not None:
        clauses.append(col(KpmGroup.village_code) == village_code)
    rows = session.exec(
        select(KpmGroup.id, KpmGroup.name, KpmGroup.village_code).where(*clauses).order_by(col(KpmGroup.name))
    ).all()
    return [(gid, name, code) for gid, name, code in rows if gid is not None]


def group_names(session: Session, group_ids: Sequence[int]) -> dict[int, str]:
    """Names of the given KPM groups."""
    if not group_ids:
        return {}
    rows = session.exec(select(KpmGroup.id, KpmGroup.name).where(col(KpmGroup.id).in_(list(group_ids)))).all()
    return {gid: name for gid, name in rows if gid is not None}


def caseload_households(session: Session, scope: Scope, clauses: Sequence[Any]) -> list[Household]:
    """The caller's households passing ``clauses``, ordered by PKH id."""
    stmt = select(Household).where(scope.where(Household), *clauses).order_by(col(Household.pkh_id))
    return list(session.exec(stmt).all())


def count_households(session: Session, *where: Any) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(Household).where(*where)) or 0)


def has_business_in(sector: str) -> sa.ColumnElement[bool]:
    """SQL: the household runs a business in ``sector``."""
    return sa.exists().where(col(Business.household_id) == col(Household.id), col(Business.sector) == sector)


# --- KPM groups -------------------------------------------------------------------------------


def group_page(
    session: Session, scope: Scope, *, village_code: str | None, limit: int, offset: int
) -> tuple[list[KpmGroup], int]:
    """One page of the caller's KPM groups (in ``village_code``), by village and name."""
    stmt = select(KpmGroup).where(scope.where(KpmGroup))
    if village_code is not None:
        stmt = stmt.where(col(KpmGroup.village_code) == village_code)
    order = (col(KpmGroup.village_code), sa.func.lower(KpmGroup.name), col(KpmGroup.id))
    return paginate(session, stmt, limit=limit, offset=offset, order_by=order)


def member_counts(session: Session, group_ids: Sequence[int]) -> dict[int, int]:
    """How many families (not anonymised) each of the given groups holds."""
    if not group_ids:
        return {}
    rows = session.exec(
        select(Household.group_id, sa.func.count(col(Household.id)))
        .where(col(Household.group_id).in_(list(group_ids)), col(Household.anonymised_at).is_(None))
        .group_by(col(Household.group_id))
    ).all()
    return {gid: int(n) for gid, n in rows if gid is not None}


def household_names(session: Session, scope: Scope, household_ids: Sequence[int]) -> dict[int, str]:
    """The head's name of each of the given households the caller may see."""
    if not household_ids:
        return {}
    rows = session.exec(
        select(Household.id, Household.head_name).where(
            col(Household.id).in_(list(household_ids)), scope.where(Household)
        )
    ).all()
    return {hid: name for hid, name in rows if hid is not None}


def groups_in_village(session: Session, village_code: str) -> list[KpmGroup]:
    """Every KPM group meeting in ``village_code`` (whoever's), oldest first."""
    return list(session.exec(select(KpmGroup).where(KpmGroup.village_code == village_code).order_by(col(KpmGroup.id))))


def facilitator_village_codes(session: Session, facilitator_id: int) -> set[str]:
    """The villages a facilitator serves."""
    rows = session.exec(
        select(FacilitatorVillage.village_code).where(FacilitatorVillage.facilitator_id == facilitator_id)
    ).all()
    return set(rows)


def households_in_scope(session: Session, scope: Scope, household_ids: Sequence[int]) -> list[Household]:
    """Those of the given households that the caller may see (their caseload; admins: all)."""
    if not household_ids:
        return []
    stmt = select(Household).where(col(Household.id).in_(list(household_ids)), scope.where(Household))
    return list(session.exec(stmt).all())


def group_members(session: Session, scope: Scope, group_id: int) -> list[Household]:
    """The caller's households in a group, by head's name."""
    stmt = (
        select(Household)
        .where(col(Household.group_id) == group_id, scope.where(Household))
        .order_by(sa.func.lower(Household.head_name), col(Household.id))
    )
    return list(session.exec(stmt).all())


def group_candidates(session: Session, scope: Scope, *, village_code: str, group_id: int) -> list[Household]:
    """The caller's households of a village not in the given group, by head's name."""
    stmt = (
        select(Household)
        .where(
            col(Household.village_code) == village_code,
            sa.or_(col(Household.group_id).is_(None), col(Household.group_id) != group_id),
            scope.where(Household),
        )
        .order_by(sa.func.lower(Household.head_name), col(Household.id))
    )
    return list(session.exec(stmt).all())


def put_in_group(session: Session, household_ids: Sequence[int], group_id: int | None) -> None:
    """Set the households' group, moving each one's version on."""
    session.execute(
        sa.update(Household)
        .where(col(Household.id).in_(list(household_ids)))
        .values(group_id=group_id, version=Household.version + 1)
        .execution_options(synchronize_session=False)
    )


def leaders_leaving(session: Session, household_ids: Sequence[int], *, staying_in: int | None) -> list[int]:
    """The groups (other than ``staying_in``) whose leader is one of the given households."""
    if not household_ids:
        return []
    stmt = select(KpmGroup.id).where(col(KpmGroup.leader_household_id).in_(list(household_ids)))
    if staying_in is not None:
        stmt = stmt.where(col(KpmGroup.id) != staying_in)
    return [gid for gid in session.exec(stmt).all() if gid is not None]


def drop_leaders(session: Session, group_ids: Sequence[int]) -> None:
    """The given groups lose their leader (who left them); their versions move on."""
    if not group_ids:
        return
    session.execute(
        sa.update(KpmGroup)
        .where(col(KpmGroup.id).in_(list(group_ids)))
        .values(leader_household_id=None, version=KpmGroup.version + 1)
        .execution_options(synchronize_session=False)
    )


# --- business check-ins -------------------------------------------------------------------------

_NEWEST_FIRST = (col(BusinessCheckin.checked_on).desc(), col(BusinessCheckin.id).desc())


def checkin_page(session: Session, business_id: int, *, limit: int, offset: int) -> tuple[list[BusinessCheckin], int]:
    """One page of a business's check-ins, newest first (by day, then by when recorded)."""
    stmt = select(BusinessCheckin).where(col(BusinessCheckin.business_id) == business_id)
    return paginate(session, stmt, limit=limit, offset=offset, order_by=_NEWEST_FIRST)


def latest_checkin(session: Session, business_id: int, *, on_or_before: date | None = None) -> BusinessCheckin | None:
    """A business's latest check-in (the latest up to ``on_or_before``, if given)."""
    stmt = select(BusinessCheckin).where(col(BusinessCheckin.business_id) == business_id)
    if on_or_before is not None:
        stmt = stmt.where(col(BusinessCheckin.checked_on) <= on_or_before)
    return session.exec(stmt.order_by(*_NEWEST_FIRST).limit(1)).first()


def checkin_revenues(session: Session, business_ids: Sequence[int]) -> dict[int, list[tuple[date, int]]]:
    """Each business's check-ins as (day, revenue), oldest first (recorded order within a day)."""
    out: dict[int, list[tuple[date, int]]] = {bid: [] for bid in business_ids}
    if not out:
        return out
    rows = session.exec(
        select(col(BusinessCheckin.business_id), col(BusinessCheckin.checked_on), col(BusinessCheckin.monthly_revenue))
        .where(col(BusinessCheckin.business_id).in_(list(out)))
        .order_by(col(BusinessCheckin.checked_on), col(BusinessCheckin.id))
    )
    for bid, day, revenue in rows:
        out[bid].append((day, revenue))
    return out


def last_checked_by_household(session: Session, household_ids: Sequence[int]) -> dict[int, dict[int, date | None]]:
    """For each household, each of its businesses and the day of its latest check-in (``None``: never)."""
    out: dict[int, dict[int, date | None]] = {hid: {} for hid in household_ids}
    ids = list(household_ids)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        latest = (
            select(col(BusinessCheckin.business_id), sa.func.max(col(BusinessCheckin.checked_on)).label("last"))
            .group_by(col(BusinessCheckin.business_id))
            .subquery()
        )
        rows = session.execute(
            sa.select(col(Business.household_id), col(Business.id), latest.c.last)
            .outerjoin(latest, latest.c.business_id == Business.id)
            .where(col(Business.household_id).in_(chunk))
        )
        for hid, bid, last in rows:
            out[hid][bid] = last
    return out


def completed_loan(session: Session, household_id: int) -> bool:
    """Whether the household completed a referral to a loan programme."""
    stmt = (
        sa.select(col(Referral.id))
        .join(Program, col(Program.id) == col(Referral.program_id))
        .where(
            col(Referral.household_id) == household_id,
            col(Referral.status) == ReferralStatus.completed,
            col(Program.kind) == ProgramKind.loan,
        )
        .limit(1)
    )
    return session.execute(stmt).first() is not None
