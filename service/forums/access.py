"""Who reaches a forum and who runs it.

* Admins read and run every forum.
* A forum organiser reads and runs their own forum (``user.forum_id``); any other is not found.
* Facilitators and agency staff read the forums they (their organisation) currently belong to,
  with its members, plan and meetings, and may mark their own commitments done or dropped; they
  change nothing else (403). A forum they do not belong to is not found (404).
"""

from __future__ import annotations

from sqlmodel import Session

from models.forums import MemberKind
from models.network import Forum
from models.users import Role
from service.core.scope import Scope
from service.errors import Forbidden, NotFound
from service.forums import queries


def forum_to_read(session: Session, scope: Scope, forum_id: int) -> Forum:
    """The forum if the caller reaches it (404 otherwise)."""
    found = queries.forum(session, scope, forum_id)
    if found is None:
        raise NotFound(f"Forum {forum_id} not found")
    return found


def runs(scope: Scope, forum: Forum) -> bool:
    """Whether the caller runs ``forum``: an admin, or its organiser."""
    return scope.is_admin or (scope.role is Role.forum_organizer and scope.forum_id == forum.id)


def forum_to_run(session: Session, scope: Scope, forum_id: int, what: str) -> Forum:
    """The forum if the caller runs it: 404 out of reach, 403 for a member who only reads it."""
    found = forum_to_read(session, scope, forum_id)
    if not runs(scope, found):
        raise Forbidden(f"Only the forum's organisers and administrators {what}")
    return found


def require_admin(scope: Scope, what: str) -> None:
    if not scope.is_admin:
        raise Forbidden(f"Only administrators {what}")


def is_party(scope: Scope, kind: str, party_id: int) -> bool:
    """Whether the caller speaks for the party (kind, id) that made a commitment."""
    if kind == MemberKind.organization:
        return scope.role is Role.agency_staff and scope.organization_id == party_id
    return scope.role is Role.facilitator and scope.facilitator_id == party_id
