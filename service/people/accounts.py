"""User accounts: signing in with a password, sessions and their bearer tokens, creating,
deactivating and resetting accounts."""

from __future__ import annotations

import hmac
import secrets
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
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.people import queries

PASSWORD_MIN = 8
PASSWORD_MAX = 200
PASSWORD_CHANGE_PATH = "/akun/sandi"
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand


class PasswordChangeRequired(Forbidden):
    """403: the account was given a temporary password and must choose its own on the web first."""

    def __init__(self) -> None:
        super().__init__(
            "This account must set a new password first: sign in on the web and choose one at "
            f"{PASSWORD_CHANGE_PATH}, then ask for a token again"
        )


def require_password(password: str, *, loc: tuple[str, ...] = ("password",)) -> None:
    """Refuse a password too short or too long to be stored (the same rule for every way in)."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(f"the password needs at least {PASSWORD_MIN} characters", loc=loc, kind="too_short")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(f"the password takes at most {PASSWORD_MAX} characters", loc=loc, kind="too_long")


def temporary_password() -> str:
    """A random password to hand over once (three groups of four: ``k7mp-x3qa-9rtw``, ~74 bits)."""
    return "-".join("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3))


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
    refuse_password_change: bool = False,
) -> SignedIn | None:
    """Check the credentials and issue a token for a new session; a failure is audited (with the
    username and client address, never the password) and answers ``None``. With a ``guard``,
    ``TooManyRequests`` when the account or the address has tried too often; with
    ``refuse_demo`` (production), the published demo accounts cannot sign in. With
    ``refuse_password_change`` (API tokens), an account that must first choose a new password
    gets ``PasswordChangeRequired`` (audited as refused) and no session."""
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
    if refuse_password_change and user.must_change_password:
        record_event(
            session,
            actor_user_id=user.id,
            action="login_refused",
            entity="user",
            entity_id=user.id,
            request_id=request_id,
            detail={"reason": "password_change_required"},
            outcome=DENIED,
        )
        session.commit()
        raise PasswordChangeRequired()
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


def deactivate_user(
    session: Session, *, username: str, actor_user_id: int | None = None, request_id: str | None = None
) -> User:
    """Stop an account: it cannot sign in, and every session it holds ends now."""
    user = _account(session, username)
    assert user.id is not None
    user.is_active = False
    return _save_ending_sessions(
        session, user, action="deactivate", field="is_active", actor_user_id=actor_user_id, request_id=request_id
    )


def reset_password(
    session: Session,
    *,
    username: str,
    password: str,
    actor_user_id: int | None = None,
    temporary: bool = False,
    request_id: str | None = None,
) -> User:
    """Give an account a new password and end every session it holds; a ``temporary`` one must be
    replaced by the person at their next sign-in on the web."""
    require_password(password)
    user = _account(session, username)
    assert user.id is not None
    user.password_hash = hash_password(password)
    user.must_change_password = temporary
    return _save_ending_sessions(
        session,
        user,
        action="password_reset",
        field="password_hash",
        actor_user_id=actor_user_id,
        request_id=request_id,
    )


def change_password(
    session: Session,
    *,
    user_id: int,
    current_password: str,
    new_password: str,
    keep_session_id: str | None,
    request_id: str | None,
) -> User:
    """The person's own new password (the current one required): clears a pending forced change
    and ends every other session the account holds (``keep_session_id``: the one in use)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("no such account")
    if not verify_password(current_password, user.password_hash):
        raise InvalidInput("the current password is not right", loc=("current",), kind="wrong")
    require_password(new_password, loc=("new",))
    if hmac.compare_digest(current_password.encode(), new_password.encode()):
        raise InvalidInput("choose a password different from the current one", loc=("new",), kind="same")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    return _save_ending_sessions(
        session,
        user,
        action="password_change",
        field="password_hash",
        actor_user_id=user_id,
        request_id=request_id,
        keep_session_id=keep_session_id,
    )


def session_id_of(token: str | None, *, secret: str) -> str | None:
    """The session id (``jti``) a bearer token carries, if it is one of ours."""
    claims = token_claims(token, secret=secret) if token else None
    return claims[1] if claims else None


def _save_ending_sessions(
    session: Session,
    user: User,
    *,
    action: str,
    field: str,
    actor_user_id: int | None,
    request_id: str | None = None,
    keep_session_id: str | None = None,
) -> User:
    """Store an account change that ends every session the account holds (but ``keep_session_id``),
    audited with the count."""
    assert user.id is not None
    session.add(user)
    revoked = queries.revoke_sessions(session, user.id, now=utcnow(), keep=keep_session_id)
    record_event(
        session,
        actor_user_id=actor_user_id,
        action=action,
        entity="user",
        entity_id=user.id,
        request_id=request_id,
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
    must_change_password: bool = False,
    actor_user_id: int | None = None,
    request_id: str | None = None,
    commit: bool = True,
) -> User:
    """Create an account; each role but admin must be linked to its facilitator, organisation or
    forum. With ``must_change_password`` (a password handed over by an administrator), the person
    chooses their own at the first sign-in; without ``commit`` the caller commits (one transaction
    with what it created beside the account)."""
    require_password(password)
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
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor_user_id=actor_user_id,
        action="create",
        entity="user",
        entity_id=user.id,
        request_id=request_id,
        detail={"role": role.value},
    )
    if commit:
        session.commit()
    return user
