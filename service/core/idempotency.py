"""Idempotency keys (IETF httpapi Idempotency-Key draft): claim a key before the work, answer a
retry as the first request was answered.

``claim`` inserts and commits the key's row before the request is processed, so concurrent
retries find it; the work then runs in a new transaction that ``finish`` joins (the record made
and the key marked finished commit together); ``release`` gives the key back when the work failed,
so a corrected retry may use it. A retry with the same key and the same content gets
``Replay`` (the status and record of the first answer); with other content 422; while the first
is still running 409 with ``Retry-After``. A claim left by a request that died is taken over after
``STALE_AFTER``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.idempotency import IdempotencyKey
from service.core.records import rows_changed
from service.errors import Conflict, InvalidInput

RETRY_AFTER_SECONDS = 1
STALE_AFTER = timedelta(minutes=2)
_LOC = ("header", "Idempotency-Key")


@dataclass(frozen=True)
class Claim:
    """This request holds the key: do the work, then ``finish`` (or ``release`` on failure)."""

    id: int


@dataclass(frozen=True)
class Replay:
    """The key's first request finished: answer as it did (``status``, the record ``resource_id``)."""

    status: int
    resource_id: int


def fingerprint(content: dict[str, Any]) -> str:
    """A digest of a request's content (canonical JSON, sorted keys): equal content, equal digest."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _row(session: Session, user_id: int, operation: str, key: str) -> IdempotencyKey | None:
    return session.exec(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.operation == operation, IdempotencyKey.key == key
        )
    ).first()


def claim(
    session: Session, *, user_id: int, operation: str, key: str, content: dict[str, Any], now: datetime
) -> Claim | Replay:
    """Claim ``key`` for this request (committed at once), or say how an earlier use answered.

    Raises ``InvalidInput`` (422) when the key came with other content, ``Conflict`` (409, with
    ``Retry-After``) while the key's first request is still being processed.
    """
    digest = fingerprint(content)
    for _ in range(3):  # a claim released between our insert and our read: try again
        row = IdempotencyKey(user_id=user_id, operation=operation, key=key, fingerprint=digest, claimed_at=now)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        else:
            assert row.id is not None
            return Claim(row.id)
        earlier = _row(session, user_id, operation, key)
        if earlier is None:
            continue
        if earlier.fingerprint != digest:
            raise InvalidInput(
                "this Idempotency-Key was already used for a different request; send a new key", loc=_LOC
            )
        if earlier.finished_at is not None:
            assert earlier.response_status is not None and earlier.resource_id is not None
            return Replay(earlier.response_status, earlier.resource_id)
        if earlier.claimed_at < now - STALE_AFTER and _take_over(session, earlier, now):
            assert earlier.id is not None
            return Claim(earlier.id)
        session.rollback()
        raise Conflict(
            "a request with this Idempotency-Key is still being processed; "
            f"retry in {RETRY_AFTER_SECONDS} s for its answer",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    raise Conflict(
        "this Idempotency-Key is being claimed and released by other requests; retry",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _take_over(session: Session, row: IdempotencyKey, now: datetime) -> bool:
    """Claim a key whose request died mid-way (still unfinished, unchanged since we read it)."""
    taken = rows_changed(
        session,
        sa.update(IdempotencyKey)
        .where(
            col(IdempotencyKey.id) == row.id,
            col(IdempotencyKey.claimed_at) == row.claimed_at,
            col(IdempotencyKey.finished_at).is_(None),
        )
        .values(claimed_at=now),
    )
    session.commit()
    return taken == 1


def finish(session: Session, claimed: Claim, *, status: int, resource_id: int, now: datetime) -> None:
    """Record the answer of the claimed request, in the transaction of its work (the caller commits)."""
    rows_changed(
        session,
        sa.update(IdempotencyKey)
        .where(col(IdempotencyKey.id) == claimed.id)
        .values(finished_at=now, response_status=status, resource_id=resource_id),
    )


def release(session: Session, claimed: Claim) -> None:
    """The claimed request failed: undo its work and free the key for a corrected retry."""
    session.rollback()
    rows_changed(
        session,
        sa.delete(IdempotencyKey).where(
            col(IdempotencyKey.id) == claimed.id, col(IdempotencyKey.finished_at).is_(None)
        ),
    )
    session.commit()
