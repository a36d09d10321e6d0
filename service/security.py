"""Passwords (argon2), bearer tokens (JWT) and NIK protection (keyed hash + mask)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models.types import utcnow

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("jejaring-dummy-password")
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Tell whether ``password`` matches; spends the same effort when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def create_token(*, user_id: int, secret: str, minutes: int) -> str:
    """Return a signed bearer token for ``user_id`` that expires after ``minutes``."""
    now = utcnow()
    payload = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def user_id_from_token(token: str, *, secret: str) -> int | None:
    """Return the user id a valid, unexpired token names, else ``None``."""
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
        return int(payload["sub"])
    except (jwt.PyJWTError, ValueError, KeyError):
        return None


def nik_hash(nik: str, *, key: bytes) -> str:
    """Keyed hash of a NIK, for lookups without storing the number."""
    return hmac.new(key, nik.encode(), hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    """``3273010101900012`` -> ``3273********0012``."""
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]
