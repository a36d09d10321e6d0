"""Accounts as administrators manage them on the web: the list, one account, creating an account
for each role with its link (and, for a facilitator, the facilitator record with it), deactivating
and resetting a password to a temporary one the person replaces at their next sign-in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from models.households import Facilitator, FacilitatorCreate
from models.network import Forum
from models.organizations import Organization
from models.users import Role, User
from service.core.paging import Page
from service.core.scope import Scope
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.people import accounts, queries
from service.people.facilitators import add_facilitator

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,79}")
CHOICES_SHOWN = 2000  # facilitators, organisations, forums offered as a link on the create form

_LINK_ATTR = {
    Role.facilitator: "facilitator_id",
    Role.agency_staff: "organization_id",
    Role.forum_organizer: "forum_id",
}
_LINK_KIND = {"facilitator_id": "facilitator", "organization_id": "organization", "forum_id": "forum"}


@dataclass(frozen=True)
class AccountRow:
    """An account as the administrators' pages show it (never its password hash)."""

    id: int
    username: str
    full_name: str | None
    role: Role
    link_kind: str | None  # facilitator, organization or forum
    link_id: int | None
    link_name: str | None
    is_active: bool
    must_change_password: bool
    last_login_at: datetime | None


@dataclass(frozen=True)
class IssuedPassword:
    """An account and the temporary password just given to it: shown once, stored only as a hash."""

    account: AccountRow
    password: str


@dataclass(frozen=True)
class LinkChoices:
    """What a new account may act for: (id, name) of facilitators, organisations and forums."""

    facilitators: list[tuple[int, str]]
    organizations: list[tuple[int, str]]
    forums: list[tuple[int, str]]


def _require_admin(scope: Scope) -> None:
    if not scope.is_admin:
        raise Forbidden("Only administrators manage accounts")


def _rows(session: Session, users: list[User]) -> list[AccountRow]:
    names = queries.link_names(session, users)
    out = []
    for u in users:
        assert u.id is not None
        attr = _LINK_ATTR.get(Role(u.role))
        link_id = getattr(u, attr) if attr else None
        kind = _LINK_KIND[attr] if attr else None
        out.append(
            AccountRow(
                id=u.id,
                username=u.username,
                full_name=u.full_name,
                role=Role(u.role),
                link_kind=kind,
                link_id=link_id,
                link_name=names.get((kind, link_id)) if kind and link_id is not None else None,
                is_active=u.is_active,
                must_change_password=u.must_change_password,
                last_login_at=u.last_login_at,
            )
        )
    return out


def list_accounts(session: Session, scope: Scope, *, role: Role | None, limit: int, offset: int) -> Page[AccountRow]:
    """One page of the accounts (of ``role``), by username (admins)."""
    _require_admin(scope)
    users, total = queries.account_page(session, role=role, limit=limit, offset=offset)
    return Page(items=_rows(session, users), total=total, limit=limit, offset=offset)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"Account {user_id} not found")
    return user


def get_account(session: Session, scope: Scope, *, user_id: int) -> AccountRow:
    """One account (admins)."""
    _require_admin(scope)
    return _rows(session, [_user(session, user_id)])[0]


def link_choices(session: Session, scope: Scope) -> LinkChoices:
    """The facilitators, organisations and forums a new account may act for (admins)."""
    _require_admin(scope)
    return LinkChoices(
        facilitators=queries.named_choices(session, Facilitator, limit=CHOICES_SHOWN),
        organizations=queries.named_choices(session, Organization, limit=CHOICES_SHOWN),
        forums=queries.named_choices(session, Forum, limit=CHOICES_SHOWN),
    )


def create_account(
    session: Session,
    scope: Scope,
    *,
    username: str,
    full_name: str | None,
    role: Role,
    facilitator_id: int | None = None,
    organization_id: int | None = None,
    forum_id: int | None = None,
    new_facilitator: FacilitatorCreate | None = None,
    request_id: str | None,
) -> IssuedPassword:
    """Create an account linked to what it acts for, with a temporary password the person replaces
    at their first sign-in; a facilitator account may bring a new facilitator record (``new_facilitator``),
    created in the same transaction. Audited (admins)."""
    _require_admin(scope)
    if not USERNAME.fullmatch(username):
        raise InvalidInput(
            "the username needs 3-80 characters: lowercase letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit",
            loc=("username",),
            kind="username",
        )
    if full_name is not None and len(full_name) > 200:
        raise InvalidInput("the name takes at most 200 characters", loc=("full_name",), kind="full_name")
    if queries.username_taken(session, username):
        raise Conflict(f"the username {username} is taken")
    links = {"facilitator_id": facilitator_id, "organization_id": organization_id, "forum_id": forum_id}
    wanted = _LINK_ATTR.get(role)
    if new_facilitator is not None:
        if role is not Role.facilitator or facilitator_id is not None:
            raise InvalidInput(
                "a new facilitator record goes with a facilitator account that names no other facilitator",
                loc=("facilitator_id",),
                kind="link",
            )
        facilitator = add_facilitator(session, data=new_facilitator, scope=scope, request_id=request_id)
        links["facilitator_id"] = facilitator.id
    for attr, value in links.items():
        if attr != wanted and value is not None:
            raise InvalidInput(f"a {role.value} account takes no {attr}", loc=(attr,), kind="link")
    if wanted is not None and links[wanted] is None:
        raise InvalidInput(f"a {role.value} account needs its {_LINK_KIND[wanted]}", loc=(wanted,), kind="link")
    password = accounts.temporary_password()
    try:
        user = accounts.create_user(
            session,
            username=username,
            password=password,
            role=role,
            full_name=full_name,
            must_change_password=True,
            actor_user_id=scope.user_id,
            request_id=request_id,
            commit=False,
            **links,
        )
    except InvalidInput as exc:  # the link names nothing
        session.rollback()
        raise InvalidInput(exc.message, loc=exc.loc, kind="link") from exc
    session.commit()
    return IssuedPassword(_rows(session, [user])[0], password)


def deactivate_account(session: Session, scope: Scope, *, user_id: int, request_id: str | None) -> AccountRow:
    """Stop an account now (its sessions end); not one's own. Audited (admins)."""
    _require_admin(scope)
    user = _user(session, user_id)
    if user.id == scope.user_id:
        raise InvalidInput("you cannot deactivate your own account", loc=("user_id",), kind="self")
    if not user.is_active:
        raise Conflict(f"the account {user.username} is already deactivated")
    accounts.deactivate_user(session, username=user.username, actor_user_id=scope.user_id, request_id=request_id)
    return _rows(session, [user])[0]


def reset_account_password(session: Session, scope: Scope, *, user_id: int, request_id: str | None) -> IssuedPassword:
    """Give an account a temporary password (returned once, never logged), end its sessions, and
    make the person choose their own at the next sign-in; not one's own. Audited (admins)."""
    _require_admin(scope)
    user = _user(session, user_id)
    if user.id == scope.user_id:
        raise InvalidInput("change your own password on your password page", loc=("user_id",), kind="self")
    password = accounts.temporary_password()
    accounts.reset_password(
        session,
        username=user.username,
        password=password,
        actor_user_id=scope.user_id,
        temporary=True,
        request_id=request_id,
    )
    return IssuedPassword(_rows(session, [user])[0], password)
