"""Forums and their members: create, list, read and change a forum, name its organisers, add and
change members (role, joined and left dates)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models.forums import (
    ForumCreate,
    ForumDetail,
    ForumMemberCreate,
    ForumMemberPublic,
    ForumMemberUpdate,
    MemberKind,
)
from models.network import Forum, ForumMember, PartyKind
from models.organizations import Organization
from models.users import Role
from service.core.audit import record_event
from service.core.paging import Page
from service.core.records import require_row, update_versioned
from service.core.regions import region_names, require_regions
from service.core.scope import Scope
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.forums import queries
from service.forums.access import forum_to_read, forum_to_run, require_admin

ADMIN_ONLY = ("region_code", "organizer_organization_id", "organizer_user_ids")


def forum_details(session: Session, forums: list[Forum]) -> list[ForumDetail]:
    ids = [f.id for f in forums if f.id is not None]
    organisers = queries.organizer_ids(session, ids)
    counts = queries.active_member_counts(session, ids)
    names = region_names(session, [f.region_code for f in forums])
    return [
        ForumDetail(
            **f.model_dump(),
            region_name=names.get(f.region_code),
            organizer_user_ids=organisers.get(f.id or 0, []),
            members=counts.get(f.id or 0, 0),
        )
        for f in forums
    ]


def forum_detail(session: Session, forum: Forum) -> ForumDetail:
    return forum_details(session, [forum])[0]


def list_forums(session: Session, scope: Scope, *, limit: int, offset: int) -> Page[ForumDetail]:
    """The forums the caller reaches, one page, by id."""
    rows, total = queries.forum_page(session, scope, limit=limit, offset=offset)
    return Page(items=forum_details(session, rows), total=total, limit=limit, offset=offset)


def get_forum(session: Session, scope: Scope, forum_id: int) -> ForumDetail:
    """One forum the caller reaches (404 otherwise)."""
    return forum_detail(session, forum_to_read(session, scope, forum_id))


def _set_organisers(session: Session, forum_id: int, user_ids: list[int]) -> None:
    """Make exactly ``user_ids`` (forum_organizer accounts) this forum's organisers."""
    found = queries.users(session, user_ids)
    for i, user_id in enumerate(user_ids):
        user = found.get(user_id)
        if user is None or user.role is not Role.forum_organizer:
            raise InvalidInput(
                f"user {user_id} is not a forum organiser's account", loc=("body", "organizer_user_ids", i)
            )
    wanted = set(user_ids)
    for user in queries.organisers_of(session, forum_id):
        if user.id not in wanted:
            user.forum_id, user.version = None, user.version + 1
            session.add(user)
    for user in found.values():
        if user.forum_id != forum_id:
            user.forum_id, user.version = forum_id, user.version + 1
            session.add(user)
    session.flush()


def _check_forum_fields(session: Session, values: dict[str, Any], forum_id: int | None) -> None:
    if "region_code" in values and values["region_code"] is not None:
        require_regions(session, [values["region_code"]], loc=("body", "region_code"))
    if values.get("organizer_organization_id") is not None:
        require_row(
            session,
            Organization,
            values["organizer_organization_id"],
            loc=("body", "organizer_organization_id"),
            what="organisation",
        )
    if values.get("name"):
        same = queries.forum_named(session, values["name"])
        if same is not None and same.id != forum_id:
            raise Conflict(f"A forum named {values['name']} already exists")
    for required in ("name", "region_code"):
        if required in values and values[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))


def create_forum(session: Session, scope: Scope, *, data: ForumCreate, request_id: str | None) -> ForumDetail:
    """Start a forum (admins), optionally naming its organisers."""
    require_admin(scope, "start forums")
    values = data.model_dump(exclude={"organizer_user_ids"})
    _check_forum_fields(session, values, None)
    forum = Forum(**values)
    session.add(forum)
    session.flush()
    assert forum.id is not None
    if data.organizer_user_ids is not None:
        _set_organisers(session, forum.id, list(data.organizer_user_ids))
    record_event(
        session, actor_user_id=scope.user_id, action="create", entity="forum", entity_id=forum.id, request_id=request_id
    )
    session.commit()
    return forum_detail(session, forum)


def update_forum(session: Session, scope: Scope, *, forum_id: int, data: Any, request_id: str | None) -> ForumDetail:
    """Change a forum (its organisers: name and description; admins: also its region and organisers)."""
    forum = forum_to_run(session, scope, forum_id, "change a forum")
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if not scope.is_admin:
        for name in ADMIN_ONLY:
            if name in changes and changes[name] != getattr(forum, name, None):
                raise Forbidden(f"Only administrators change a forum's {name}")
    organisers = changes.pop("organizer_user_ids", None)
    _check_forum_fields(session, changes, forum_id)
    update_versioned(session, forum, changes, expected_version=data.version, what="Forum")
    if organisers is not None and scope.is_admin:
        _set_organisers(session, forum_id, list(organisers))
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="forum",
        entity_id=forum_id,
        request_id=request_id,
        fields=[*changes, *(["organizer_user_ids"] if organisers is not None else [])],
    )
    session.commit()
    return forum_detail(session, forum)


def organiser_choices(session: Session, scope: Scope) -> list[tuple[int, str, int | None]]:
    """(id, username, forum id) of the forum organisers' accounts (admins naming organisers)."""
    require_admin(scope, "name organisers")
    return [(u.id or 0, u.username, u.forum_id) for u in queries.organizer_accounts(session)]


# --- members ------------------------------------------------------------------------------------


def _member_public(m: ForumMember, name: str) -> ForumMemberPublic:
    return ForumMemberPublic(
        forum_id=m.forum_id,
        member_kind=MemberKind(m.member_kind.value),
        member_id=m.member_id,
        name=name,
        role=m.role,
        joined_on=m.joined_on,
        left_on=m.left_on,
    )


def list_members(session: Session, scope: Scope, *, forum_id: int, limit: int, offset: int) -> Page[ForumMemberPublic]:
    """A forum's members (current first, by role), with names, roles and dates."""
    forum_to_read(session, scope, forum_id)
    rows, total = queries.member_page(session, forum_id, limit=limit, offset=offset)
    names = queries.party_names(session, [(m.member_kind.value, m.member_id) for m in rows])
    items = [_member_public(m, names.get((m.member_kind.value, m.member_id), "–")) for m in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


def _check_left(joined: Any, left: Any) -> None:
    if joined is not None and left is not None and left < joined:
        raise InvalidInput(f"left_on ({left}) cannot be before joined_on ({joined})", loc=("body", "left_on"))


def add_member(
    session: Session, scope: Scope, *, forum_id: int, data: ForumMemberCreate, request_id: str | None
) -> ForumMemberPublic:
    """Add an organisation or facilitator the caller may see to the forum (its organisers, admins).

    A former member (with a ``left_on``) joins again: the row takes the new role and dates.
    """
    forum_to_run(session, scope, forum_id, "add members")
    _check_left(data.joined_on, data.left_on)
    name = queries.visible_party(session, scope, data.member_kind.value, data.member_id)
    if name is None:
        raise InvalidInput(f"{data.member_kind.value} {data.member_id} does not exist", loc=("body", "member_id"))
    row = queries.member(session, forum_id, data.member_kind.value, data.member_id)
    if row is not None and row.left_on is None:
        raise Conflict(f"{name} is already a member of this forum")
    if row is None:
        row = ForumMember(forum_id=forum_id, member_kind=PartyKind(data.member_kind.value), member_id=data.member_id)
    row.role, row.joined_on, row.left_on = data.role, data.joined_on, data.left_on
    session.add(row)
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="forum_member",
        entity_id=f"{forum_id}:{data.member_kind.value}:{data.member_id}",
        request_id=request_id,
    )
    session.commit()
    return _member_public(row, name)


def update_member(
    session: Session,
    scope: Scope,
    *,
    forum_id: int,
    member_kind: MemberKind,
    member_id: int,
    data: ForumMemberUpdate,
    request_id: str | None,
) -> ForumMemberPublic:
    """Change a member's role or dates (``left_on``: the member left the forum)."""
    forum_to_run(session, scope, forum_id, "change members")
    row = queries.member(session, forum_id, member_kind.value, member_id)
    if row is None:
        raise NotFound(f"{member_kind.value} {member_id} is not a member of forum {forum_id}")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("role", row.role) is None:
        raise InvalidInput("role cannot be empty", loc=("body", "role"))
    _check_left(changes.get("joined_on", row.joined_on), changes.get("left_on", row.left_on))
    for key, value in changes.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="forum_member",
        entity_id=f"{forum_id}:{member_kind.value}:{member_id}",
        request_id=request_id,
        fields=list(changes),
    )
    session.commit()
    names = queries.party_names(session, [(member_kind.value, member_id)])
    return _member_public(row, names.get((member_kind.value, member_id), "–"))
