"""A forum's work plan: items with an owner, a due date and a status."""

from __future__ import annotations

from sqlmodel import Session

from models.forums import WorkItem, WorkItemCreate, WorkItemPublic, WorkItemUpdate
from service.core.audit import record_event
from service.core.paging import Page
from service.core.records import update_versioned
from service.core.scope import Scope
from service.errors import InvalidInput, NotFound
from service.forums import queries
from service.forums.access import forum_to_read, forum_to_run


def _public(session: Session, items: list[WorkItem]) -> list[WorkItemPublic]:
    owners = [(i.owner_kind.value, i.owner_id) for i in items if i.owner_kind is not None and i.owner_id is not None]
    names = queries.party_names(session, owners)
    return [
        WorkItemPublic(
            **i.model_dump(),
            owner_name=names.get((i.owner_kind.value, i.owner_id)) if i.owner_kind and i.owner_id else None,
        )
        for i in items
    ]


def _check_owner(session: Session, scope: Scope, kind: str | None, owner_id: int | None) -> None:
    if (kind is None) != (owner_id is None):
        raise InvalidInput("owner_kind and owner_id go together: send both or neither", loc=("body", "owner_id"))
    if kind is not None and owner_id is not None and queries.visible_party(session, scope, kind, owner_id) is None:
        raise InvalidInput(f"{kind} {owner_id} does not exist", loc=("body", "owner_id"))


def list_work_items(session: Session, scope: Scope, *, forum_id: int, limit: int, offset: int) -> Page[WorkItemPublic]:
    """A forum's work plan, soonest due first."""
    forum_to_read(session, scope, forum_id)
    rows, total = queries.work_item_page(session, forum_id, limit=limit, offset=offset)
    return Page(items=_public(session, rows), total=total, limit=limit, offset=offset)


def add_work_item(
    session: Session, scope: Scope, *, forum_id: int, data: WorkItemCreate, request_id: str | None
) -> WorkItemPublic:
    """Add an item to the forum's work plan (its organisers, admins)."""
    forum_to_run(session, scope, forum_id, "plan the forum's work")
    kind = data.owner_kind.value if data.owner_kind else None
    _check_owner(session, scope, kind, data.owner_id)
    item = WorkItem(forum_id=forum_id, **data.model_dump())
    session.add(item)
    session.flush()
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="forum_work_item",
        entity_id=item.id,
        request_id=request_id,
    )
    session.commit()
    return _public(session, [item])[0]


def _item(session: Session, scope: Scope, forum_id: int, item_id: int) -> WorkItem:
    forum_to_run(session, scope, forum_id, "plan the forum's work")
    item = queries.work_item(session, forum_id, item_id)
    if item is None:
        raise NotFound(f"Work plan item {item_id} not found")
    return item


def update_work_item(
    session: Session, scope: Scope, *, forum_id: int, item_id: int, data: WorkItemUpdate, request_id: str | None
) -> WorkItemPublic:
    """Change a work plan item (its status, owner, due date ...), at the version read."""
    item = _item(session, scope, forum_id, item_id)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for required in ("title", "status"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    if "owner_kind" in changes or "owner_id" in changes:
        kind = changes.get("owner_kind", item.owner_kind)
        _check_owner(session, scope, kind.value if kind else None, changes.get("owner_id", item.owner_id))
    update_versioned(session, item, changes, expected_version=data.version, what="WorkItem")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="forum_work_item",
        entity_id=item_id,
        request_id=request_id,
        fields=list(changes),
    )
    session.commit()
    return _public(session, [item])[0]


def delete_work_item(session: Session, scope: Scope, *, forum_id: int, item_id: int, request_id: str | None) -> None:
    """Take an item out of the work plan."""
    item = _item(session, scope, forum_id, item_id)
    session.delete(item)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="delete",
        entity="forum_work_item",
        entity_id=item_id,
        request_id=request_id,
    )
    session.commit()
