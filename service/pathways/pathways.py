"""Pathways as their owners keep them: define, list, read and change.

* Agency staff define pathways for their organisation, forum organisers for their forum,
  administrators for either (naming it); facilitators follow them (403 on writes).
* A pathway serves a region inside the caller's reach (``reach_of``; agency staff also their
  organisation's own region): any other region is refused (422 naming ``region_code``).
* Everyone reads the pathways of their own organisation or forum and those overlapping their
  reach; any other is not found (404). Only the owner (and admins) change one (403 otherwise).
* Each step names a programme the caller can see (else 422 naming ``steps[i].program_id``) or a
  programme kind.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models.pathways import Pathway as PathwayRow
from models.pathways import (
    PathwayCreate,
    PathwayPublic,
    PathwayStepIn,
    PathwayStepPublic,
    PathwayUpdate,
)
from models.types import code_within
from models.users import Role
from service.core.audit import record_event
from service.core.paging import Page
from service.core.records import update_versioned
from service.core.regions import region_names, require_regions
from service.core.scope import Scope, reach_of
from service.errors import Forbidden, InvalidInput, NotFound
from service.pathways import queries


def may_define(scope: Scope) -> bool:
    """Whether the caller's role defines pathways (admins, linked agency staff and organisers)."""
    if scope.is_admin:
        return True
    if scope.role is Role.agency_staff:
        return scope.organization_id is not None
    if scope.role is Role.forum_organizer:
        return scope.forum_id is not None
    return False


def owns(scope: Scope, row: PathwayRow) -> bool:
    """Whether the caller changes ``row``: an admin, or its organisation's staff, or its forum's organiser."""
    if scope.is_admin:
        return True
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        return row.organization_id == scope.organization_id
    if scope.role is Role.forum_organizer and scope.forum_id is not None:
        return row.forum_id == scope.forum_id
    return False


def _reach(session: Session, scope: Scope) -> list[str] | None:
    """The regions the caller's pathways may serve (``None``: anywhere)."""
    reach = reach_of(session, scope)
    if reach is None:
        return None
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        org = queries.organization(session, scope.organization_id)
        if org is not None:
            reach = [*reach, org.region_code]
    return reach


def readable_where(session: Session, scope: Scope) -> Any:
    """SQL: the pathways the caller reads."""
    return queries.readable(scope, _reach(session, scope))


def _check_region(session: Session, scope: Scope, region: str) -> None:
    require_regions(session, [region], loc=("body", "region_code"))
    reach = _reach(session, scope)
    if reach is not None and not any(code_within(region, r) for r in reach):
        where = ", ".join(sorted(set(reach))) or "-"
        raise InvalidInput(
            f"region {region} lies outside the area you work in ({where}); choose a region inside it",
            loc=("body", "region_code"),
        )


def _check_steps(session: Session, scope: Scope, steps: list[PathwayStepIn]) -> list[dict[str, Any]]:
    """The steps as rows, or 422 naming the first step that is wrong."""
    out: list[dict[str, Any]] = []
    seen: dict[tuple[Any, Any], int] = {}
    for i, step in enumerate(steps):
        if (step.program_id is None) == (step.program_kind is None):
            raise InvalidInput(
                f"steps[{i}]: name one programme (program_id) or one programme kind (program_kind), not both",
                loc=("body", "steps", i, "program_id"),
            )
        key = (step.program_id, step.program_kind)
        if key in seen:
            raise InvalidInput(f"steps[{i}] repeats steps[{seen[key]}]", loc=("body", "steps", i))
        seen[key] = i
        out.append({"program_id": step.program_id, "program_kind": step.program_kind, "label": step.label})
    named = [s.program_id for s in steps if s.program_id is not None]
    visible = queries.visible_program_ids(session, scope, named)
    for i, step in enumerate(steps):
        if step.program_id is not None and step.program_id not in visible:
            raise InvalidInput(
                f"steps[{i}].program_id: programme {step.program_id} does not exist",
                loc=("body", "steps", i, "program_id"),
                kind="unknown_reference",
            )
    return out


def _owner(session: Session, scope: Scope, data: PathwayCreate) -> tuple[int | None, int | None]:
    """(organization_id, forum_id) of a new pathway."""
    if scope.is_admin:
        if (data.organization_id is None) == (data.forum_id is None):
            raise InvalidInput(
                "name the pathway's owner: organization_id or forum_id (one of them)", loc=("body", "organization_id")
            )
        if data.organization_id is not None and queries.organization(session, data.organization_id) is None:
            raise InvalidInput(f"organisation {data.organization_id} does not exist", loc=("body", "organization_id"))
        if data.forum_id is not None and queries.forum(session, data.forum_id) is None:
            raise InvalidInput(f"forum {data.forum_id} does not exist", loc=("body", "forum_id"))
        return data.organization_id, data.forum_id
    if scope.role is Role.agency_staff:
        if data.forum_id is not None or data.organization_id not in (None, scope.organization_id):
            raise InvalidInput("you define pathways for your own organisation", loc=("body", "organization_id"))
        return scope.organization_id, None
    if data.organization_id is not None or data.forum_id not in (None, scope.forum_id):
        raise InvalidInput("you define pathways for your own forum", loc=("body", "forum_id"))
    return None, scope.forum_id


def public(session: Session, scope: Scope, rows: list[PathwayRow]) -> list[PathwayPublic]:
    """The pathways with their steps, owners' and programmes' names."""
    ids = [r.id for r in rows if r.id is not None]
    steps = queries.steps_of(session, ids)
    programs = queries.program_names(session, [s.program_id for ss in steps.values() for s in ss if s.program_id])
    owners = queries.owner_names(session, rows)
    regions = region_names(session, [r.region_code for r in rows])
    out = []
    for r in rows:
        kind, owner_id = ("organization", r.organization_id) if r.organization_id else ("forum", r.forum_id)
        out.append(
            PathwayPublic(
                id=r.id or 0,
                name=r.name,
                goal=r.goal,
                region_code=r.region_code,
                region_name=regions.get(r.region_code),
                owner_kind=kind,
                organization_id=r.organization_id,
                forum_id=r.forum_id,
                owner_name=owners.get((kind, owner_id or 0), ""),
                steps=[
                    PathwayStepPublic(
                        position=s.position,
                        program_id=s.program_id,
                        program_name=programs.get(s.program_id) if s.program_id else None,
                        program_kind=s.program_kind,
                        label=s.label,
                    )
                    for s in steps.get(r.id or 0, [])
                ],
                can_edit=owns(scope, r),
                version=r.version,
                created_at=r.created_at,
                updated_at=r.updated_at,
            )
        )
    return out


def create_pathway(session: Session, scope: Scope, *, data: PathwayCreate, request_id: str | None) -> PathwayPublic:
    """Define a pathway for your organisation or forum (admins: for the one named)."""
    if not may_define(scope):
        raise Forbidden("Agency staff, forum organisers and administrators define pathways")
    organization_id, forum_id = _owner(session, scope, data)
    _check_region(session, scope, data.region_code)
    steps = _check_steps(session, scope, data.steps)
    row = PathwayRow(
        name=data.name,
        goal=data.goal,
        region_code=data.region_code,
        organization_id=organization_id,
        forum_id=forum_id,
        created_by_user_id=scope.user_id,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    queries.replace_steps(session, row.id, steps)
    record_event(
        session, actor_user_id=scope.user_id, action="create", entity="pathway", entity_id=row.id, request_id=request_id
    )
    session.commit()
    return public(session, scope, [row])[0]


def list_pathways(
    session: Session, scope: Scope, *, region: str | None, limit: int, offset: int
) -> Page[PathwayPublic]:
    """The pathways you read (``region``: those overlapping it), by name."""
    if region:
        require_regions(session, [region], loc=("query", "region"))
    rows, total = queries.pathway_page(session, readable_where(session, scope), region, limit=limit, offset=offset)
    return Page(items=public(session, scope, rows), total=total, limit=limit, offset=offset)


def _readable(session: Session, scope: Scope, pathway_id: int) -> PathwayRow:
    found = queries.pathway(session, readable_where(session, scope), pathway_id)
    if found is None:
        raise NotFound(f"Pathway {pathway_id} not found")
    return found


def get_pathway(session: Session, scope: Scope, pathway_id: int) -> PathwayPublic:
    """One pathway you read (404 otherwise)."""
    return public(session, scope, [_readable(session, scope, pathway_id)])[0]


def update_pathway(
    session: Session, scope: Scope, *, pathway_id: int, data: PathwayUpdate, request_id: str | None
) -> PathwayPublic:
    """Change a pathway of yours at the version read; ``steps`` replaces them all."""
    row = _readable(session, scope, pathway_id)
    if not owns(scope, row):
        raise Forbidden("Only the pathway's organisation or forum (and administrators) change it")
    changes = data.model_dump(exclude_unset=True, exclude={"version", "steps"})
    for required in ("name", "region_code"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    if changes.get("region_code"):
        _check_region(session, scope, changes["region_code"])
    steps = None
    if "steps" in data.model_fields_set:
        if data.steps is None:
            raise InvalidInput("steps cannot be empty", loc=("body", "steps"))
        steps = _check_steps(session, scope, data.steps)
    update_versioned(session, row, changes, expected_version=data.version, what="Pathway")
    if steps is not None:
        queries.replace_steps(session, pathway_id, steps)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="pathway",
        entity_id=pathway_id,
        request_id=request_id,
        fields=[*changes, *(["steps"] if steps is not None else [])],
    )
    session.commit()
    session.refresh(row)
    return public(session, scope, [row])[0]


# --- what the pages' forms offer ------------------------------------------------------------------

PROGRAM_CHOICES = 300  # programmes a step's list offers


def step_program_choices(session: Session, scope: Scope) -> list[tuple[int, str, str]]:
    """The programmes a step may name on the form: published ones the caller sees that serve
    their reach, by name (id, name, organisation)."""
    return queries.program_choices(session, scope, _reach(session, scope), PROGRAM_CHOICES)


def owner_forum_choices(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """The forums an administrator may name as a pathway's owner (others: none)."""
    return queries.forum_choices(session) if scope.is_admin else []
