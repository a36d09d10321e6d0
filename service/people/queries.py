"""SQL of the people domain: accounts and facilitators with their villages and caseloads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.households import Facilitator, FacilitatorVillage, Household
from models.users import User, UserSession
from service.core.paging import paginate
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


def revoke_sessions(session: Session, user_id: int, *, now: datetime) -> int:
    """End every live session of the user; how many were live."""
    result = session.execute(
        sa.update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def drop_expired_sessions(session: Session, user_id: int, *, now: datetime) -> None:
    """Forget the user's sessions that have expired (their tokens are refused anyway)."""
    session.execute(
        sa.delete(UserSession).where(col(UserSession.user_id) == user_id, col(UserSession.expires_at) <= now)
    )
