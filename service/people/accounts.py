"""User accounts: signing in with a password, the bearer token's user, creating accounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from models.households import Facilitator
from models.network import Forum
from models.organizations import Organization
from models.protection import hash_password, verify_password
from models.types import utcnow
from models.users import Role, User
from service.core.audit import record_event
from service.core.security import create_token, user_id_from_token
from service.errors import Conflict, InvalidInput
from service.people import queries


def user_for_token(session: Session, token: str | None, *, secret: str) -> User | None:
    """The active user a bearer token names, or ``None`` (no token, bad or expired)."""
    if not token:
        return None
    user_id = user_id_from_token(token, secret=secret)
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or ``None`` (the same cost either way)."""
    user = queries.user_by_username(session, username)
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        return None
    return user


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the user and their bearer token."""

    user: User
    token: str


def sign_in(
    session: Session, *, username: str, password: str, secret: str, minutes: int, request_id: str | None
) -> SignedIn | None:
    """Check the credentials and issue a token; a failure is audited and answers ``None``."""
    user = authenticate(session, username, password)
    if user is None:
        record_event(session, actor_user_id=None, action="login_failed", entity="user", request_id=request_id)
        session.commit()
        return None
    assert user.id is not None
    user.last_login_at = utcnow()
    session.add(user)
    record_event(
        session, actor_user_id=user.id, action="login", entity="user", entity_id=user.id, request_id=request_id
    )
    session.commit()
    return SignedIn(user, create_token(user_id=user.id, secret=secret, minutes=minutes))


_LINKS: dict[Role, tuple[str, Any, str]] = {
    Role.facilitator: ("facilitator_id", Facilitator, "--facilitator-id"),
    Role.agency_staff: ("organization_id", Organization, "--organization-id"),
    Role.forum_organizer: ("forum_id", Forum, "--forum-id"),
}


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str | None = None,
    facilitator_id: int | None = None,
    organization_id: int | None = None,
    forum_id: int | None = None,
) -> User:
    """Create an account; each role but admin must be linked to its facilitator, organisation or forum."""
    if len(password) < 8:
        raise InvalidInput("the password needs at least 8 characters", loc=("password",))
    if not username or len(username) > 80:
        raise InvalidInput("the username needs 1-80 characters", loc=("username",))
    links = {"facilitator_id": facilitator_id, "organization_id": organization_id, "forum_id": forum_id}
    if role in _LINKS:
        attr, model, flag = _LINKS[role]
        if links[attr] is None:
            raise InvalidInput(f"a {role.value} account needs {flag}", loc=(attr,))
        if session.get(model, links[attr]) is None:
            raise InvalidInput(f"{flag} {links[attr]} does not exist", loc=(attr,))
        extra = [k for k, v in links.items() if v is not None and k != attr]
    else:
        extra = [k for k, v in links.items() if v is not None]
    if extra:
        raise InvalidInput(f"a {role.value} account takes no {', '.join(extra)}", loc=(extra[0],))
    if queries.username_taken(session, username):
        raise Conflict(f"the username {username} is taken")
    user = User(
        username=username,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        facilitator_id=facilitator_id,
        organization_id=organization_id,
        forum_id=forum_id,
    )
    session.add(user)
    session.flush()
    record_event(session, actor_user_id=None, action="create", entity="user", entity_id=user.id)
    session.commit()
    return user
