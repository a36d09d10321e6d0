"""Programme revisions: every change kept with who made it, when, and each field's old and new value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from models.organizations import Organization, Program, ProgramRevision
from models.types import code_within
from models.users import Role
from service.catalog import queries
from service.core.regions import region_names
from service.core.scope import Scope, get_in_scope
from service.errors import Forbidden


class Revision(BaseModel):
    version: int
    at: datetime
    actor_user_id: int | None
    action: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class RevisionHistory:
    """The latest revisions of a programme, newest first, with the names their values refer to."""

    revisions: list[Revision]
    hidden: int  # older revisions left out
    usernames: dict[int, str]  # actor user id -> username
    region_names: dict[str, str]  # codes of the service areas in these revisions
    location_names: dict[int, str]  # the organisation's service points


def plain(value: Any) -> Any:
    """A JSON-ready form of a field value, for programme revisions."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "value"):
        return value.value
    return value


def record_revision(
    session: Session, program: Program, *, action: str, changes: dict[str, tuple[Any, Any]], actor: int | None
) -> None:
    """Add a revision of ``program`` at its current version (committed with the change)."""
    assert program.id is not None
    session.add(
        ProgramRevision(
            program_id=program.id,
            version=program.version,
            actor_user_id=actor,
            action=action,
            changes={k: [plain(old), plain(new)] for k, (old, new) in changes.items()},
        )
    )


def may_read_revisions(session: Session, scope: Scope, program: Program) -> bool:
    """Whether the caller may read ``program``'s history (its values before publication, who changed
    them): admins, the owner organisation's staff, and organisers whose forum region holds the
    organisation (a national body, with no region, only admins and its own staff)."""
    if scope.is_admin:
        return True
    if scope.role is Role.agency_staff:
        return scope.organization_id is not None and scope.organization_id == program.organization_id
    if scope.role is Role.forum_organizer and scope.forum_region:
        org = session.get(Organization, program.organization_id)
        return org is not None and org.region_code is not None and code_within(org.region_code, scope.forum_region)
    return False


def _readable_program(session: Session, scope: Scope, program_id: int) -> Program:
    """The programme (404 outside scope), or 403 when the caller may see it but not its history."""
    program: Program = get_in_scope(session, scope, Program, program_id, "Program")
    if not may_read_revisions(session, scope, program):
        raise Forbidden(
            "Only the programme's own organisation, the forum organisers of its region and administrators "
            "read its revisions"
        )
    return program


def program_revisions(session: Session, scope: Scope, program_id: int) -> list[Revision]:
    """The programme's changes, oldest first (who, when, which version, old and new values)."""
    _readable_program(session, scope, program_id)
    return [Revision.model_validate(r, from_attributes=True) for r in queries.revisions_of(session, program_id)]


def revision_history(session: Session, scope: Scope, *, program_id: int, latest: int) -> RevisionHistory:
    """The programme's ``latest`` revisions, newest first, with usernames, region and location names."""
    program = _readable_program(session, scope, program_id)
    every = queries.revisions_of(session, program_id)
    shown = [Revision.model_validate(r, from_attributes=True) for r in every[::-1][:latest]]
    actors = {r.actor_user_id for r in shown if r.actor_user_id is not None}
    codes = {c for r in shown for side in r.changes.get("service_area", []) for c in side or []}
    locations = queries.locations_of(session, program.organization_id)
    return RevisionHistory(
        revisions=shown,
        hidden=max(0, len(every) - latest),
        usernames=queries.usernames(session, actors),
        region_names=region_names(session, sorted(codes)),
        location_names={loc.id: loc.name for loc in locations if loc.id is not None},
    )
