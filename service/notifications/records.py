"""The record of deliveries, for administrators: what was sent, what failed and why, what waits."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from models.notifications import Channel, DeliveryStatus, NotificationDelivery
from service.core.paging import Page, paginate
from service.core.scope import Scope
from service.errors import Forbidden


class DeliveryPublic(BaseModel):
    id: int
    notification_id: int
    user_id: int
    channel: Channel
    digest: bool
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None
    created_at: datetime


def list_deliveries(
    session: Session, scope: Scope, *, status: DeliveryStatus | None, limit: int, offset: int
) -> Page[DeliveryPublic]:
    """Every delivery, newest first (administrators only); ``status`` narrows it (``failed``: why)."""
    if not scope.is_admin:
        raise Forbidden("Only administrators see the record of deliveries")
    stmt = select(NotificationDelivery)
    if status is not None:
        stmt = stmt.where(col(NotificationDelivery.status) == status)
    rows, total = paginate(session, stmt, limit=limit, offset=offset, order_by=(col(NotificationDelivery.id).desc(),))
    items = [DeliveryPublic.model_validate(d, from_attributes=True) for d in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
