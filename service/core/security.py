"""Bearer tokens (JWT) of signed-in users."""

from __future__ import annotations

from datetime import timedelta

import jwt

from models.types import utcnow

ALGORITHM = "HS256"


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
