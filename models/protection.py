"""How secrets and identifiers are kept: argon2id password hashes, the NIK's keyed hash and mask.

They live beside the tables that hold them so that every writer (the service, the seed loaders,
the importers) protects them the same way, without importing the service.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both failures cost the same time."""
    return _hasher.hash("jejaring-dummy-password")


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Tell whether ``password`` matches; spends the same effort when there is no hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def nik_hash(nik: str, *, key: bytes) -> str:
    """Keyed hash of a NIK, for lookups without storing the number."""
    return hmac.new(key, nik.encode(), hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    """``3273010101900012`` -> ``************0012``: only the last 4 digits (the serial) show.

    The first 12 digits are the district and the birth date, which the household's own record
    implies; showing any of them helps rebuild the whole number.
    """
    return "*" * (len(nik) - 4) + nik[-4:]


def audit_row_hash(
    *,
    at: datetime,
    actor_user_id: int | None,
    role: str | None,
    action: str,
    entity: str,
    entity_id: str | None,
    request_id: str | None,
    outcome: str,
    detail: dict[str, Any] | None,
    prev_hash: str | None,
) -> str:
    """SHA-256 of an audit row's content and the previous row's hash: a link of the audit chain.

    The same canonical form everywhere (the service, the migration, ``jejaring audit verify``):
    sorted-key JSON, the time in UTC to the microsecond.
    """
    moment = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = {
        "at": moment,
        "actor_user_id": actor_user_id,
        "role": role,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "request_id": request_id,
        "outcome": outcome,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
