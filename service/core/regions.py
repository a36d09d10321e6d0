"""The official region list (Kemendagri codes): names, and checks that codes exist."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from models.regions import Region
from service.errors import InvalidInput


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
