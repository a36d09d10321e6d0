"""SQL of the people domain: accounts and facilitators with their villages and caseloads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.households import Facilitator, FacilitatorVillage, Household, KpmGroup
from models.network import Forum
from models.organizations import Organization
from models.referrals import Referral
from models.users import Role, User, UserSession
from service.core.paging import paginate
from service.core.records import rows_changed
from service.core.scope import Scope, within


def user_by_username(session: Session, username: str) -> User | None:
    """The account with this username, active or not."""
    return session.exec(select(User).where(User.username == username)).first()


def username_taken(session: Session, username: str) -> bool:
    return session.exec(select(User.id).where(User.username == username)).first() is not None


def facilitator_filters(*, region: str | None, q: str | None) -> list[Any]:
    """SQL filters of the facilitator list: serving villages in ``region``, name containing ``q``."""
    clauses: list[Any] = []
    if region:
        serving = select(FacilitatorVillage.facilitator_id).where(within(FacilitatorVillage.village_code, region))
        clauses.append(col(Facilitator.id).in_(serving))
    if q:
        clauses.append(sa.func.lower(Facilitator.name).like(f"%{q.lower()}%"))
    return clauses


def facilitator_page(
    session: Session, scope: Scope, *, region: str | None, q: str | None, limit: int, offset: int
) -> tuple[list[Facilitator], int]:
    """One page of the facilitators the caller may see, and how many there are."""
    stmt = select(Facilitator).where(scope.where(Facilitator), *facilitator_filters(region=region, q=q))
    return paginate(session, stmt, limit=limit, offset=offset, order_by=Facilitator.id)


def villages_of(session: Session, facilitator_ids: Sequence[int]) -> dict[int, list[str]]:
    """The villages each facilitator serves, in code order."""
    out: dict[int, list[str]] = {i: [] for i in facilitator_ids}
    if facilitator_ids:
        rows = session.exec(
            select(FacilitatorVillage.facilitator_id, FacilitatorVillage.village_code)
            .where(col(FacilitatorVillage.facilitator_id).in_(facilitator_ids))
            .order_by(col(FacilitatorVillage.village_code))
        )
        for fid, code in rows:
            out[fid].append(code)
    return out


def caseload_sizes(session: Session, facilitator_ids: Sequence[int]) -> dict[int, int]:
    """How many households each facilitator serves (facilitators without any are left out)."""
    if not facilitator_ids:
        return {}
    rows = session.exec(
        select(Household.facilitator_id, sa.func.count())
        .where(col(Household.facilitator_id).in_(facilitator_ids))
        .group_by(col(Household.facilitator_id))
    ).all()
    return {int(fid): int(n) for fid, n in rows if fid is not None}


def replace_villages(session: Session, facilitator_id: int, codes: Sequence[str]) -> None:
    """Make ``codes`` the facilitator's villages."""
    session.execute(sa.delete(FacilitatorVillage).where(col(FacilitatorVillage.facilitator_id) == facilitator_id))
    for code in dict.fromkeys(codes):
        session.add(FacilitatorVillage(facilitator_id=facilitator_id, village_code=code))


def revoke_sessions(session: Session, user_id: int, *, now: datetime, keep: str | None = None) -> int:
    """End every live session of the user (but ``keep``); how many were live."""
    stmt = sa.update(UserSession).where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
    if keep is not None:
        stmt = stmt.where(col(UserSession.id) != keep)
    result = session.execute(stmt.values(revoked_at=now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def drop_expired_sessions(session: Session, user_id: int, *, now: datetime) -> None:
    """Forget the user's sessions that have expired (their tokens are refused anyway)."""
    session.execute(
        sa.delete(UserSession).where(col(UserSession.user_id) == user_id, col(UserSession.expires_at) <= now)
    )


# --- accounts as administrators see them ---------------------------------------------------------


def account_page(session: Session, *, role: Role | None, limit: int, offset: int) -> tuple[list[User], int]:
    """One page of the accounts (of ``role``), by username, and how many there are."""
    stmt = select(User)
    if role is not None:
        stmt = stmt.where(User.role == role)
    return paginate(session, stmt, limit=limit, offset=offset, order_by=(col(User.username), col(User.id)))


def link_names(session: Session, users: Sequence[User]) -> dict[tuple[str, int], str]:
    """The names of the facilitators, organisations and forums ``users`` act for."""
    out: dict[tuple[str, int], str] = {}
    for kind, model, attr in (
        ("facilitator", Facilitator, "facilitator_id"),
        ("organization", Organization, "organization_id"),
        ("forum", Forum, "forum_id"),
    ):
        ids = {getattr(u, attr) for u in users if getattr(u, attr) is not None}
        if ids:
            rows = session.execute(sa.select(col(model.id), col(model.name)).where(col(model.id).in_(ids)))
            out.update({(kind, int(i)): str(name) for i, name in rows})
    return out


def named_choices(session: Session, model: Any, *, limit: int) -> list[tuple[int, str]]:
    """(id, name) of a facilitator, organisation or forum table, by name (the first ``limit``)."""
    rows = session.execute(
        sa.select(col(model.id), col(model.name)).order_by(col(model.name), col(model.id)).limit(limit)
    )
    return [(int(i), str(n)) for i, n in rows]


def facilitator_accounts(session: Session, facilitator_id: int) -> tuple[int, int]:
    """How many accounts act for the facilitator, and how many of them are active."""
    row = session.exec(
        select(sa.func.count(), sa.func.count().filter(col(User.is_active).is_(True))).where(
            User.facilitator_id == facilitator_id
        )
    ).one()
    return int(row[0]), int(row[1] or 0)


# --- moving a caseload -----------------------------------------------------------------------------


def caseload_households(session: Session, facilitator_id: int, *, limit: int) -> list[tuple[int, str, str, str]]:
    """(id, PKH id, head's name, village) of the facilitator's households, by village and name."""
    rows = session.execute(
        sa.select(col(Household.id), col(Household.pkh_id), col(Household.head_name), col(Household.village_code))
        .where(col(Household.facilitator_id) == facilitator_id)
        .order_by(col(Household.village_code), col(Household.head_name), col(Household.id))
        .limit(limit)
    )
    return [(int(i), str(p), str(n), str(v)) for i, p, n, v in rows]


def in_caseload(session: Session, facilitator_id: int, household_ids: Sequence[int]) -> set[int]:
    """Which of ``household_ids`` the facilitator serves."""
    found: set[int] = set()
    for start in range(0, len(household_ids), 500):
        chunk = household_ids[start : start + 500]
        found.update(
            session.exec(
                select(Household.id).where(Household.facilitator_id == facilitator_id, col(Household.id).in_(chunk))
            ).all()  # type: ignore[arg-type]
        )
    return found


def move_caseload(
    session: Session, source: int, target: int, *, household_ids: Sequence[int] | None
) -> tuple[int, int, int]:
    """Give ``target`` the source's households (all, or ``household_ids``), the groups that move
    whole and those households' referrals that the source holds; each row's version moves on.
    Returns (households, groups, referrals) moved."""
    chosen: list[Any] = [col(Household.facilitator_id) == source]
    if household_ids is not None:
        chosen.append(col(Household.id).in_(list(household_ids)))
    moving = sa.select(col(Household.id)).where(*chosen)
    groups: list[Any] = [col(KpmGroup.facilitator_id) == source]
    if household_ids is not None:  # a group moves when none of its source households stays behind
        stays = (
            sa.select(col(Household.id))
            .where(
                col(Household.group_id) == col(KpmGroup.id),
                col(Household.facilitator_id) == source,
                col(Household.id).not_in(list(household_ids)),
            )
            .exists()
        )
        groups += [col(KpmGroup.id).in_(select(Household.group_id).where(*chosen)), ~stays]
    moved_groups = rows_changed(
        session, sa.update(KpmGroup).where(*groups).values(facilitator_id=target, version=col(KpmGroup.version) + 1)
    )
    moved_referrals = rows_changed(
        session,
        sa.update(Referral)
        .where(col(Referral.facilitator_id) == source, col(Referral.household_id).in_(moving))
        .values(facilitator_id=target, version=col(Referral.version) + 1),
    )
    moved_households = rows_changed(
        session, sa.update(Household).where(*chosen).values(facilitator_id=target, version=col(Household.version) + 1)
    )
    return moved_households, moved_groups, moved_referrals
