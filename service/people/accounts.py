"""User accounts: signing in with a password, sessions and their bearer tokens, creating,
deactivating and resetting accounts."""

from __future__ import annotations

import hmac
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from models.households import Facilitator
from models.network import Forum
from models.organizations import Organization
from models.protection import hash_password, verify_password
from models.types import utcnow
from models.users import Role, User, UserSession
from service.core.audit import DENIED, record_event
from service.core.security import create_token, new_token_id, token_claims
from service.core.signin_guard import SignInGuard
from service.errors import Conflict, InvalidInput, NotFound
from service.people import queries


def user_for_token(session: Session, token: str | None, *, secret: str) -> User | None:
    """The active user a bearer token names, or ``None`` (no token, bad, expired or revoked)."""
    if not token:
        return None
    claims = token_claims(token, secret=secret)
    if claims is None:
        return None
    user_id, token_id = claims
    held = session.get(UserSession, token_id)
    if held is None or held.user_id != user_id or held.revoked_at is not None or held.expires_at <= utcnow():
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return user


def authenticate(session: Session, username: str, password: str, *, guard: SignInGuard | None = None) -> User | None:
    """The active user with these credentials, or ``None`` (the same cost either way). With a
    ``guard``, the hash waits for one of its slots (a bounded number run at once)."""
    user = queries.user_by_username(session, username)
    with guard.hash_slot() if guard else nullcontext():
        ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        return None
    return user


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the user and their bearer token."""

    user: User
    token: str


def _demo_credentials(username: str, password: str) -> bool:
    """Whether these are one of the published demo accounts' username and password."""
    from seeds.demo import DEMO_USERS

    known = DEMO_USERS.get(username)
    return known is not None and hmac.compare_digest(known[0].encode(), password.encode())


def sign_in(
    session: Session,
    *,
    username: str,
    password: str,
    secret: str,
    minutes: int,
    request_id: str | None,
    guard: SignInGuard | None = None,
    address: str | None = None,
    refuse_demo: bool = False,
) -> SignedIn | None:
    """Check the credentials and issue a token for a new session; a failure is audited (with the
    username and client address, never the password) and answers ``None``. With a ``guard``,
    ``TooManyRequests`` when the account or the address has tried too often; with
    ``refuse_demo`` (production), the published demo accounts cannot sign in."""
    if guard is not None:
        guard.admit(username=username, address=address or "unknown")
    demo_refused = refuse_demo and _demo_credentials(username, password)
    user = None if demo_refused else authenticate(session, username, password, guard=guard)
    if user is None:
        known = queries.user_by_username(session, username)
        record_event(
            session,
            actor_user_id=None,
            action="login_failed",
            entity="user",
            entity_id=known.id if known else None,
            request_id=request_id,
            detail={"username": username[:80], "address": (address or "unknown")[:64]},
            outcome=DENIED,
        )
        session.commit()
        return None
    assert user.id is not None
    if guard is not None:
        guard.succeeded(username=username)
    now = utcnow()
    user.last_login_at = now
    session.add(user)
    queries.drop_expired_sessions(session, user.id, now=now)
    token_id = new_token_id()
    session.add(UserSession(id=token_id, user_id=user.id, created_at=now, expires_at=now + timedelta(minutes=minutes)))
    record_event(
        session, actor_user_id=user.id, action="login", entity="user", entity_id=user.id, request_id=request_id
    )
    session.commit()
    return SignedIn(user, create_token(user_id=user.id, secret=secret, minutes=minutes, token_id=token_id))


def sign_out(session: Session, token: str | None, *, secret: str, request_id: str | None = None) -> bool:
    """Revoke the session of ``token``; ``False`` when it names no live session."""
    user = user_for_token(session, token, secret=secret)
    claims = token_claims(token, secret=secret) if token else None
    if user is None or claims is None:
        return False
    held = session.get(UserSession, claims[1])
    assert held is not None
    held.revoked_at = utcnow()
    session.add(held)
    record_event(
        session, actor_user_id=user.id, action="logout", entity="user", entity_id=user.id, request_id=request_id
    )
    session.commit()
    return True


def _account(session: Session, username: str) -> User:
    user = queries.user_by_username(session, username)
    if user is None:
        raise NotFound(f"no user {username}")
    return user


def deactivate_user(session: Session, *, username: str, actor_user_id: int | None = None) -> User:
    """Stop an account: it cannot sign in, and every session it holds ends now."""
    user = _account(session, username)
    assert user.id is not None
    user.is_active = False
    return _save_ending_sessions(session, user, action="deactivate", field="is_active", actor_user_id=actor_user_id)


def reset_password(session: Session, *, username: str, password: str, actor_user_id: int | None = None) -> User:
    """Give an account a new password and end every session it holds."""
    if len(password) < 8:
        raise InvalidInput("the password needs at least 8 characters", loc=("password",))
    user = _account(session, username)
    assert user.id is not None
    user.password_hash = hash_password(password)
    return _save_ending_sessions(
        session, user, action="password_reset", field="password_hash", actor_user_id=actor_user_id
    )


def _save_ending_sessions(session: Session, user: User, *, action: str, field: str, actor_user_id: int | None) -> User:
    """Store an account change that ends every session the account holds, audited with the count."""
    assert user.id is not None
    session.add(user)
    revoked = queries.revoke_sessions(session, user.id, now=utcnow())
    record_event(
        session,
        actor_user_id=actor_user_id,
        action=action,
        entity="user",
        entity_id=user.id,
        fields=[field],
        detail={"sessions_revoked": revoked},
    )
    session.commit()
    return user


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
