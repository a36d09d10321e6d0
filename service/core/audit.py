"""The audit trail: ids, actions and field names; never personal data in clear."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from models.users import AuditEvent

log = logging.getLogger(__name__)


def record_event(
    session: Session,
    *,
    actor_user_id: int | None,
    action: str,
    entity: str,
    entity_id: Any = None,
    request_id: str | None = None,
    fields: list[str] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit event to the session's transaction (committed with the change it records).
    ``detail`` adds named facts (a failed sign-in's username and address), never a secret."""
    detail = ({"fields": sorted(fields)} if fields else {}) | (detail or {}) or None
    session.add(
        AuditEvent(
            actor_user_id=actor_user_id,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            request_id=request_id,
            detail=detail,
        )
    )
    log.info(
        "audit",
        extra={
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "actor": actor_user_id,
            "request_id": request_id,
        },
    )
