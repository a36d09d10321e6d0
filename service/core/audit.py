"""The audit trail: ids, actions and field names; never personal data in clear.

Every write, every read of personal data and every export leaves one row: who (user and role),
what (action, entity, id), the outcome (``ok``, or ``denied`` for a refused attempt) and the
request id. Rows form a hash chain (each row's ``row_hash`` covers its content and the previous
row's hash) that ``jejaring audit verify`` checks; the database refuses UPDATE and DELETE on the
table (triggers of migration 0009).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.protection import audit_row_hash
from models.users import AuditEvent, User
from service.core.scope import Scope
from service.errors import Forbidden, NotFound

log = logging.getLogger(__name__)

OK, DENIED = "ok", "denied"
# The PostgreSQL advisory lock that serialises the chain's inserts ("JEJA" in ASCII).
CHAIN_LOCK = 0x4A454A41


def _hold_chain(session: Session) -> None:
    """Make this transaction the only one appending to the chain until it ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write that touches no row takes the
    database's write lock at once, so no other writer slips in between reading the last hash and
    inserting the new row.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
    else:
        session.execute(sa.text("UPDATE auditevent SET id = id WHERE 0"))


def _last_hash(session: Session) -> str | None:
    return session.exec(select(AuditEvent.row_hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()


def event_hash(event: AuditEvent, prev_hash: str | None) -> str:
    """The chain hash of ``event`` after ``prev_hash``."""
    return audit_row_hash(
        at=event.at,
        actor_user_id=event.actor_user_id,
        role=event.role,
        action=event.action,
        entity=event.entity,
        entity_id=event.entity_id,
        request_id=event.request_id,
        outcome=event.outcome,
        detail=event.detail,
        prev_hash=prev_hash,
    )


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
    role: str | None = None,
    outcome: str = OK,
) -> None:
    """Add an audit event to the session's transaction (committed with the change it records).

    ``detail`` adds named facts (a failed sign-in's username and address), never a secret.
    ``role`` defaults to the actor's role; the row is chained to the last one and flushed.
    """
    if role is None and actor_user_id is not None:
        actor = session.get(User, actor_user_id)
        role = actor.role.value if actor is not None else None
    detail = ({"fields": sorted(fields)} if fields else {}) | (detail or {}) or None
    event = AuditEvent(
        actor_user_id=actor_user_id,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        request_id=request_id,
        detail=detail,
        role=role,
        outcome=outcome,
    )
    _hold_chain(session)
    event.prev_hash = _last_hash(session)
    event.row_hash = event_hash(event, event.prev_hash)
    session.add(event)
    session.flush()
    log.info(
        "audit",
        extra={
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "actor": actor_user_id,
            "role": role,
            "outcome": outcome,
            "request_id": request_id,
        },
    )


def record_read(
    session: Session,
    scope: Scope,
    *,
    entity: str,
    entity_id: Any = None,
    request_id: str | None = None,
    action: str = "read",
    outcome: str = OK,
) -> None:
    """Record a read of personal data (or an export) and commit the row: reads have no write of
    their own to ride on."""
    record_event(
        session,
        actor_user_id=scope.user_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        request_id=request_id,
        role=scope.role.value,
        outcome=outcome,
    )
    session.commit()


@contextmanager
def audited_read(
    session: Session,
    scope: Scope,
    *,
    entity: str,
    entity_id: Any = None,
    request_id: str | None = None,
    action: str = "read",
) -> Iterator[None]:
    """Audit the read done in the block: ``ok`` when it returns, ``denied`` when it is refused
    (404 outside the caller's scope, 403), and re-raise the refusal."""
    try:
        yield
    except (NotFound, Forbidden):
        session.rollback()
        record_read(
            session, scope, entity=entity, entity_id=entity_id, request_id=request_id, action=action, outcome=DENIED
        )
        raise
    record_read(session, scope, entity=entity, entity_id=entity_id, request_id=request_id, action=action)


def first_broken_event(session: Session, *, batch: int = 5000) -> int | None:
    """The id of the first audit row whose link in the chain does not hold (``None``: intact)."""
    prev: str | None = None
    last_id = 0
    while True:
        rows = session.exec(
            select(AuditEvent).where(col(AuditEvent.id) > last_id).order_by(col(AuditEvent.id)).limit(batch)
        ).all()
        if not rows:
            return None
        for row in rows:
            assert row.id is not None
            if row.prev_hash != prev or row.row_hash != event_hash(row, prev):
                return row.id
            prev = row.row_hash
            last_id = row.id
        session.expunge_all()
