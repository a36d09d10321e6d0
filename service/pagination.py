"""Paginated lists: ``{"items": [...], "total": N, "limit": L, "offset": O}``."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Query
from pydantic import BaseModel
from sqlmodel import Session

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1-500)")]
Offset = Annotated[int, Query(ge=0, description="Rows to skip")]


def paginate(
    session: Session, stmt: sa.Select[Any], *, limit: int, offset: int, order_by: Any
) -> tuple[list[Any], int]:
    """Run ``stmt`` for one page, ordered for stable paging, and count all its rows."""
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    order = order_by if isinstance(order_by, tuple | list) else (order_by,)
    rows = list(session.scalars(stmt.order_by(*order).limit(limit).offset(offset)))
    return rows, int(total or 0)
