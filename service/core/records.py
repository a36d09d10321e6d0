"""Writing records safely: optimistic concurrency and existence checks shared by every domain."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlmodel import Session

from service.errors import Conflict, InvalidInput


def rows_changed(session: Session, statement: sa.Update | sa.Delete) -> int:
    """Run an UPDATE or DELETE in the session's transaction; return how many rows it changed."""
    result = cast(CursorResult[Any], session.execute(statement.execution_options(synchronize_session=False)))
    return int(result.rowcount)


class StaleVersion(Conflict):
    """409: the record was changed since the caller read it (``current``: its version now, if known)."""

    def __init__(self, message: str, *, what: str, record_id: Any, current: int | None) -> None:
        super().__init__(message)
        self.what, self.record_id, self.current = what, record_id, current


def require_version(obj: Any, expected_version: int | None, *, what: str) -> int:
    """Raise 409 when ``obj`` is no longer at the version the caller read (422 when none was sent)."""
    if expected_version is None:
        raise InvalidInput(
            "send the version you read: the body's version, or the ETag in an If-Match header",
            loc=("body", "version"),
            kind="missing",
        )
    if obj.version != expected_version:
        raise StaleVersion(
            f"{what} {obj.id} was changed by someone else (version {obj.version}, "
            f"you sent {expected_version}); reload it and apply your change again",
            what=what,
            record_id=obj.id,
            current=obj.version,
        )
    return expected_version


def update_versioned(
    session: Session, obj: Any, changes: dict[str, Any], *, expected_version: int | None, what: str
) -> None:
    """Apply ``changes`` to ``obj`` only if it is still at ``expected_version``; bump the version.

    The check and the write are one UPDATE ... WHERE version = :expected, so two editors
    racing cannot both win. The caller commits.
    """
    model = type(obj)
    expected = require_version(obj, expected_version, what=what)
    values = dict(changes)
    values["version"] = expected + 1
    changed = rows_changed(
        session, sa.update(model).where(model.id == obj.id, model.version == expected).values(**values)
    )
    if changed != 1:
        session.rollback()
        raise StaleVersion(
            f"{what} {obj.id} was changed by someone else; reload it and try again",
            what=what,
            record_id=obj.id,
            current=None,
        )
    session.flush()
    session.refresh(obj)


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
