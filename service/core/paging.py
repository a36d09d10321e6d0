"""Paginated lists: ``{"items": [...], "total": N, "limit": L, "offset": O}``."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")
R = TypeVar("R")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def paginate(
    session: Session, stmt: SelectOfScalar[R], *, limit: int, offset: int, order_by: Any
) -> tuple[list[R], int]:
    """Run ``stmt`` for one page, ordered for stable paging, and count all its rows."""
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    order = order_by if isinstance(order_by, tuple | list) else (order_by,)
    rows = list(session.exec(stmt.order_by(*order).limit(limit).offset(offset)))
    return rows, int(total or 0)
