"""KPM groups (P2K2, 20-35 families with a ketua kelompok): list, create, rename, choose the leader,
put families in and take them out.

Facilitators work on the groups of their own villages (a group is theirs by ``facilitator_id``;
any other answers 404), administrators on every group; agency staff and forum organisers have no
caseload and are refused (403). Names are unique within a village, compared ignoring case and
runs of spaces. A family that leaves a group it led stops being its leader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from models.households import Facilitator, Household, KpmGroup, KpmGroupPublic, KpmGroupUpdate
from models.users import Role
from service.core.audit import audited_read, record_event
from service.core.paging import Page
from service.core.records import require_row, update_versioned
from service.core.regions import region_names, require_regions
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, Forbidden, InvalidInput
from service.households import queries

ENTITY = "kpm_group"
GROUP_SIZE = (20, 35)  # a P2K2 group's usual size (shown as a hint, not enforced)
NAME_MAX = 120
_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2}){2}\.[0-9]{4}")


def normalized_name(name: str) -> str:
    """A group name as stored: trimmed, runs of spaces made one."""
    return " ".join(name.split())


def _name_key(name: str) -> str:
    return normalized_name(name).casefold()


def _require_group_role(scope: Scope) -> None:
    if scope.role not in (Role.admin, Role.facilitator):
        raise Forbidden(f"Your role ({scope.role.value}) does not see KPM groups: they are kept by facilitators")


def _clean_name(name: str | None) -> str:
    clean = normalized_name(name or "")
    if not clean:
        raise InvalidInput("name cannot be empty", loc=("body", "name"))
    if len(clean) > NAME_MAX or "\x00" in clean:
        raise InvalidInput(f"name: at most {NAME_MAX} characters of text", loc=("body", "name"))
    return clean


def _require_village(session: Session, village_code: str) -> None:
    if not _CODE.fullmatch(village_code):
        raise InvalidInput(
            f"village_code: a village's Kemendagri code, such as 32.73.16.1002 (got {len(village_code)} characters)",
            loc=("body", "village_code"),
        )
    require_regions(session, [village_code], loc=("body", "village_code"), level="village")


def _same_name(session: Session, village_code: str, name: str, *, except_id: int | None = None) -> KpmGroup | None:
    key = _name_key(name)
    for group in queries.groups_in_village(session, village_code):
        if group.id != except_id and _name_key(group.name) == key:
            return group
    return None


def _name_taken(name: str, village_code: str) -> Conflict:
    return Conflict(
        f'A KPM group named "{name}" already meets in village {village_code}; choose another name '
        "(names are compared ignoring upper/lower case and extra spaces)"
    )


def _publics(session: Session, scope: Scope, groups: Sequence[KpmGroup]) -> list[KpmGroupPublic]:
    ids = [g.id for g in groups if g.id is not None]
    counts = queries.member_counts(session, ids)
    leaders = queries.household_names(session, scope, [g.leader_household_id for g in groups if g.leader_household_id])
    return [
        KpmGroupPublic(
            id=g.id,
            name=g.name,
            village_code=g.village_code,
            facilitator_id=g.facilitator_id,
            leader_household_id=g.leader_household_id,
            version=g.version,
            member_count=counts.get(g.id, 0),
            leader_name=leaders.get(g.leader_household_id) if g.leader_household_id else None,
        )
        for g in groups
        if g.id is not None
    ]


def _group(session: Session, scope: Scope, group_id: int) -> KpmGroup:
    _require_group_role(scope)
    group: KpmGroup = get_in_scope(session, scope, KpmGroup, group_id, "KPM group")
    return group


# --- reading ------------------------------------------------------------------------------------


def list_groups(
    session: Session,
    scope: Scope,
    *,
    village_code: str | None = None,
    limit: int,
    offset: int,
    request_id: str | None = None,
) -> Page[KpmGroupPublic]:
    """The caller's KPM groups (admins: all), in ``village_code`` if given, with member counts and
    leaders' names; audited (the names are personal data)."""
    with audited_read(session, scope, entity=ENTITY, request_id=request_id, action="list"):
        _require_group_role(scope)
        rows, total = queries.group_page(session, scope, village_code=village_code, limit=limit, offset=offset)
        page: Page[KpmGroupPublic] = Page(items=_publics(session, scope, rows), total=total, limit=limit, offset=offset)
    return page


def get_group(session: Session, scope: Scope, group_id: int, *, request_id: str | None = None) -> KpmGroupPublic:
    """One of the caller's KPM groups (404 otherwise), with its member count and leader; audited."""
    with audited_read(session, scope, entity=ENTITY, entity_id=group_id, request_id=request_id):
        found = _publics(session, scope, [_group(session, scope, group_id)])[0]
    return found


@dataclass
class GroupsOverview:
    """The groups page: the caller's groups, village names, and the villages they may create groups in."""

    groups: Page[KpmGroupPublic]
    village_names: dict[str, str]
    own_villages: list[str]  # a facilitator's villages (empty for admins, who type a code)


def groups_overview(
    session: Session, scope: Scope, *, limit: int, offset: int, request_id: str | None = None
) -> GroupsOverview:
    """The caller's groups by village, and where they may create one; audited."""
    groups = list_groups(session, scope, limit=limit, offset=offset, request_id=request_id)
    own: list[str] = []
    if scope.role is Role.facilitator and scope.facilitator_id is not None:
        own = sorted(queries.facilitator_village_codes(session, scope.facilitator_id))
    names = region_names(session, [g.village_code for g in groups.items] + own)
    return GroupsOverview(groups=groups, village_names=names, own_villages=own)


@dataclass
class GroupPage:
    """One group as its page shows it: the group, its village, the caller's members in it, and the
    caller's families of the village that could join it."""

    group: KpmGroupPublic
    village: str | None
    members: list[Household]
    candidates: list[Household]
    group_names: dict[int, str]  # the candidates' current groups


def group_page(session: Session, scope: Scope, group_id: int, *, request_id: str | None = None) -> GroupPage:
    """One of the caller's groups with its members and the families that could join it; audited."""
    with audited_read(session, scope, entity=ENTITY, entity_id=group_id, request_id=request_id):
        group = _group(session, scope, group_id)
        assert group.id is not None
        candidates = queries.group_candidates(session, scope, village_code=group.village_code, group_id=group.id)
        page = GroupPage(
            group=_publics(session, scope, [group])[0],
            village=region_names(session, [group.village_code]).get(group.village_code),
            members=queries.group_members(session, scope, group.id),
            candidates=candidates,
            group_names=queries.group_names(session, sorted({h.group_id for h in candidates if h.group_id})),
        )
    return page


# --- writing ------------------------------------------------------------------------------------


def _new_group(
    session: Session,
    scope: Scope,
    *,
    name: str,
    village_code: str,
    facilitator_id: int | None,
    request_id: str | None,
) -> KpmGroup:
    """Check, add and audit a new group (flushed, not committed)."""
    _require_group_role(scope)
    clean = _clean_name(name)
    _require_village(session, village_code)
    if scope.role is Role.facilitator:
        if scope.facilitator_id is None:
            raise Forbidden("Your account is not linked to a facilitator record; ask an administrator")
        if facilitator_id not in (None, scope.facilitator_id):
            raise Forbidden("Only administrators give a group to another facilitator")
        if village_code not in queries.facilitator_village_codes(session, scope.facilitator_id):
            raise Forbidden(f"Village {village_code} is not one of your villages: you create groups where you serve")
        facilitator_id = scope.facilitator_id
    else:
        require_row(session, Facilitator, facilitator_id, loc=("body", "facilitator_id"), what="facilitator")
    if _same_name(session, village_code, clean) is not None:
        raise _name_taken(clean, village_code)
    group = KpmGroup(name=clean, village_code=village_code, facilitator_id=facilitator_id)
    session.add(group)
    session.flush()
    record_event(
        session, actor_user_id=scope.user_id, action="create", entity=ENTITY, entity_id=group.id, request_id=request_id
    )
    return group


def create_group(
    session: Session,
    scope: Scope,
    *,
    name: str,
    village_code: str,
    facilitator_id: int | None = None,
    request_id: str | None = None,
) -> KpmGroupPublic:
    """Create a KPM group (facilitators: in their villages, as theirs; admins: anywhere); 409 on a taken name."""
    group = _new_group(
        session, scope, name=name, village_code=village_code, facilitator_id=facilitator_id, request_id=request_id
    )
    session.commit()
    return _publics(session, scope, [group])[0]


def group_for_name(
    session: Session, scope: Scope, *, village_code: str, name: str, facilitator_id: int | None
) -> KpmGroup:
    """The group called ``name`` in ``village_code`` (ignoring case and extra spaces), created if
    there is none. Flushed and audited, not committed: the caller (the spreadsheet import)
    commits it with the rows it writes. A group of that name the caller may not see is 409."""
    _require_group_role(scope)
    clean = _clean_name(name)
    _require_village(session, village_code)
    found = _same_name(session, village_code, clean)
    if found is None:
        return _new_group(
            session, scope, name=name, village_code=village_code, facilitator_id=facilitator_id, request_id=None
        )
    if found.id is None or (not scope.is_admin and found.facilitator_id != scope.facilitator_id):
        raise _name_taken(found.name, village_code)
    return found


def update_group(
    session: Session, scope: Scope, *, group_id: int, data: KpmGroupUpdate, request_id: str | None = None
) -> KpmGroupPublic:
    """Rename a group or choose its leader (a member family); version-checked (409 when stale)."""
    group = _group(session, scope, group_id)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"])
        if _same_name(session, group.village_code, changes["name"], except_id=group.id) is not None:
            raise _name_taken(changes["name"], group.village_code)
    if "facilitator_id" in changes and changes["facilitator_id"] != group.facilitator_id:
        if not scope.is_admin:
            raise Forbidden("Only administrators give a group to another facilitator")
        require_row(session, Facilitator, changes["facilitator_id"], loc=("body", "facilitator_id"), what="facilitator")
    leader_id = changes.get("leader_household_id")
    if leader_id is not None:
        found = queries.households_in_scope(session, scope, [leader_id])
        if not found or found[0].group_id != group.id:
            raise InvalidInput(
                f"household {leader_id} is not a member of the group {group.name}: "
                "the leader (ketua kelompok) is one of its families; put the family in the group first",
                loc=("body", "leader_household_id"),
            )
    update_versioned(session, group, changes, expected_version=data.version, what="KPM group")
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity=ENTITY,
        entity_id=group.id,
        request_id=request_id,
        fields=list(changes),
    )
    session.commit()
    return _publics(session, scope, [group])[0]


def _households_of(session: Session, scope: Scope, household_ids: Sequence[int]) -> dict[int, Household]:
    """The caller's households of ``household_ids``; 422 naming those not in their caseload."""
    ids = list(dict.fromkeys(household_ids))
    if not ids:
        raise InvalidInput("choose at least one family", loc=("body", "household_ids"))
    found = {h.id: h for h in queries.households_in_scope(session, scope, ids) if h.id is not None}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(
            f"household {_listed(missing)} is not in your caseload",
            loc=("body", "household_ids"),
            kind="not_in_caseload",
        )
    return {i: found[i] for i in ids}


def _listed(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:20])
    return shown + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


def _regroup(
    session: Session, scope: Scope, households: Sequence[int], *, group_id: int | None, request_id: str | None
) -> None:
    """Put the households into ``group_id`` (None: no group); leaders leaving a group stop leading it."""
    leaving = queries.leaders_leaving(session, households, staying_in=group_id)
    queries.drop_leaders(session, leaving)
    queries.put_in_group(session, households, group_id)
    for gid in leaving:
        record_event(
            session,
            actor_user_id=scope.user_id,
            action="update",
            entity=ENTITY,
            entity_id=gid,
            request_id=request_id,
            fields=["leader_household_id"],
        )
    for hid in households:
        record_event(
            session,
            actor_user_id=scope.user_id,
            action="update",
            entity="household",
            entity_id=hid,
            request_id=request_id,
            fields=["group_id"],
        )


def move_households(
    session: Session, scope: Scope, *, group_id: int, household_ids: Sequence[int], request_id: str | None = None
) -> KpmGroupPublic:
    """Put families of the caller's caseload, living in the group's village, into the group; audited."""
    group = _group(session, scope, group_id)
    households = _households_of(session, scope, household_ids)
    elsewhere = [i for i, h in households.items() if h.village_code != group.village_code]
    if elsewhere:
        raise InvalidInput(
            f"household {_listed(elsewhere)} lives outside village {group.village_code}, "
            f"where the group {group.name} meets: a group holds families of its own village",
            loc=("body", "household_ids"),
            kind="other_village",
        )
    moving = [i for i, h in households.items() if h.group_id != group.id]
    _regroup(session, scope, moving, group_id=group.id, request_id=request_id)
    session.commit()
    session.refresh(group)
    return _publics(session, scope, [group])[0]


def remove_from_group(
    session: Session, scope: Scope, *, group_id: int, household_ids: Sequence[int], request_id: str | None = None
) -> KpmGroupPublic:
    """Take families of the caller's caseload out of the group (a leader stops leading it); audited."""
    group = _group(session, scope, group_id)
    households = _households_of(session, scope, household_ids)
    outside = [i for i, h in households.items() if h.group_id != group.id]
    if outside:
        raise InvalidInput(
            f"household {_listed(outside)} is not a member of the group {group.name}",
            loc=("body", "household_ids"),
            kind="not_a_member",
        )
    _regroup(session, scope, list(households), group_id=None, request_id=request_id)
    session.commit()
    session.refresh(group)
    return _publics(session, scope, [group])[0]
