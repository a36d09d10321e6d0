"""Who may change the catalogue: administrators, and an organisation's own staff for its records."""

from __future__ import annotations

from models.users import Role
from service.core.scope import Scope
from service.errors import Forbidden, NotFound


def require_admin(scope: Scope, what: str) -> None:
    """403 unless the caller is an administrator (``what``: "register organisations")."""
    if not scope.is_admin:
        raise Forbidden(f"Only administrators {what}")


def require_owner(scope: Scope, organization_id: int, what: str, *, record: str) -> None:
    """Admins, or the organisation's own staff; another organisation's record answers 404 (``record``)."""
    if scope.is_admin:
        return
    if scope.role is Role.agency_staff and scope.organization_id is not None:
        if scope.organization_id != organization_id:
            raise NotFound(f"{record} not found")
        return
    raise Forbidden(f"Only the organisation's staff and administrators {what}")
