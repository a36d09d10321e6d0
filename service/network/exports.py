"""The forum dashboard's exports: each one leaves an audit row."""

from __future__ import annotations

from sqlmodel import Session

from service.core.audit import record_read
from service.core.scope import Scope


def record_dashboard_export(
    session: Session, scope: Scope, *, region: str, what: str, request_id: str | None = None
) -> None:
    """Audit an export of the dashboard of ``region`` (``what``: the table, or ``xlsx``)."""
    record_read(
        session, scope, entity=f"dashboard_{what}"[:40], entity_id=region, request_id=request_id, action="export"
    )
