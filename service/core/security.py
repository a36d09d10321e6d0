"""Bearer tokens (JWT) of signed-in users."""

from __future__ import annotations

import secrets
from datetime import timedelta

import jwt

from models.types import utcnow

ALGORITHM = "HS256"


def create_token(*, user_id: int, secret: str, minutes: int, token_id: str | None = None) -> str:
    """Return a signed bearer token for ``user_id`` that expires after ``minutes``; ``token_id``
    (the ``jti`` claim) names its session, which the service checks and can revoke."""
    now = utcnow()
    payload: dict[str, object] = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=minutes)}
    if token_id is not None:
        payload["jti"] = token_id
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def new_token_id() -> str:
    """A fresh, unguessable session id (128 bits, 32 hex digits)."""
    return secrets.token_hex(16)


def token_claims(token: str, *, secret: str) -> tuple[int, str] | None:
    """The user id and session id (``jti``) of a valid, unexpired token, else ``None``."""
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "jti"]})
        jti = payload["jti"]
        if not isinstance(jti, str):
            return None
        return int(payload["sub"]), jti
    except (jwt.PyJWTError, ValueError, KeyError):
        return None


def user_id_from_token(token: str, *, secret: str) -> int | None:
    """Return the user id a valid, unexpired token names, else ``None``."""
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
        return int(payload["sub"])
    except (jwt.PyJWTError, ValueError, KeyError):
        return None
