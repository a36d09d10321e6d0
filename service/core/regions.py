"""The official region list (Kemendagri codes): names, and checks that codes exist."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.regions import Region, RegionPublic
from service.core.paging import Page, paginate
from service.errors import InvalidInput, NotFound


def region_names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """The names of ``codes`` (codes not in the list are left out)."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return {}
    return dict(session.exec(select(Region.code, Region.name).where(col(Region.code).in_(wanted))).all())


def require_regions(
    session: Session, codes: Iterable[str], *, loc: tuple[str | int, ...], level: str | None = None
) -> None:
    """Raise 422 naming the first code that is not in the official list (or not of ``level``)."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return
    found = dict(session.exec(select(Region.code, Region.level).where(col(Region.code).in_(wanted))).all())
    for code in wanted:
        if code not in found:
            raise InvalidInput(
                f"region code {code} does not exist in the Kemendagri list",
                loc=loc,
                kind="unknown_region",
            )
        if level is not None and found[code] != level:
            raise InvalidInput(
                f"region code {code} is a {found[code]}, a {level} is needed",
                loc=loc,
                kind="wrong_region_level",
            )


def list_regions(
    session: Session, *, parent: str | None, level: str | None, q: str | None, limit: int, offset: int
) -> Page[RegionPublic]:
    """Search the official region list: children of ``parent``, of ``level``, named like ``q``."""
    stmt = select(Region)
    if parent:
        stmt = stmt.where(Region.parent_code == parent)
    if level:
        stmt = stmt.where(Region.level == level)
    if q:
        stmt = stmt.where(sa.func.lower(Region.name).like(f"%{q.lower()}%"))
    rows, total = paginate(session, stmt, limit=limit, offset=offset, order_by=Region.code)
    items = [RegionPublic.model_validate(r.model_dump()) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


def get_region(session: Session, code: str) -> RegionPublic:
    """One region by its Kemendagri code (404 when it is not in the list)."""
    region = session.get(Region, code)
    if region is None:
        raise NotFound(f"Region {code} not found")
    return RegionPublic.model_validate(region.model_dump())
