"""Writing records safely: optimistic concurrency and existence checks shared by every domain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from models.regions import Region
from service.errors import Conflict, InvalidInput


def update_versioned(session: Session, obj: Any, changes: dict[str, Any], *, expected_version: int, what: str) -> None:
    """Apply ``changes`` to ``obj`` only if it is still at ``expected_version``; bump the version.

    The check and the write are one UPDATE ... WHERE version = :expected, so two editors
    racing cannot both win. The caller commits.
    """
    model = type(obj)
    if obj.version != expected_version:
        raise Conflict(
            f"{what} {obj.id} was changed by someone else (version {obj.version}, "
            f"you sent {expected_version}); reload it and apply your change again"
        )
    values = dict(changes)
    values["version"] = expected_version + 1
    result = session.execute(
        sa.update(model)
        .where(model.id == obj.id, model.version == expected_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(f"{what} {obj.id} was changed by someone else; reload it and try again")
    session.flush()
    session.refresh(obj)


def require_regions(
    session: Session, codes: Iterable[str], *, loc: tuple[str | int, ...], level: str | None = None
) -> None:
    """Raise 422 naming the first code that is not in the official list (or not of ``level``)."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return
    found = dict(
        session.exec(select(Region.code, Region.level).where(Region.code.in_(wanted))).all()  # type: ignore[attr-defined]
    )
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


def require_row(
    session: Session, model: type[Any], record_id: int | None, *, loc: tuple[str | int, ...], what: str
) -> Any:
    """Return the referenced row or raise 422 saying the reference does not exist."""
    if record_id is None:
        return None
    row = session.get(model, record_id)
    if row is None:
        raise InvalidInput(f"{what} {record_id} does not exist", loc=loc, kind="unknown_reference")
    return row
