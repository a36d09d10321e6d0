"""Retention: a family that left PKH (graduated or exited) more than ``JEJARING_RETENTION_YEARS``
years ago is anonymised, as an erasure the service makes itself (recorded as a data-subject
request handled by no one, with the rule in its note). Run daily: ``jejaring retention run``, or
the ``privacy.retention`` job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from models.privacy import RESPONSE_TIME, DataSubjectRequest, RequestKind, RequestStatus
from models.types import utcnow
from models.users import Role
from service.errors import Forbidden
from service.jobs import JobContext, job_kind
from service.privacy import queries
from service.privacy.rights import anonymise


@dataclass(frozen=True)
class RetentionRun:
    cutoff: date
    anonymised: list[int]


def retention_cutoff(today: date, years: int) -> date:
    """The day ``years`` years before ``today`` (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def run_retention(session: Session, *, years: int, today: date, actor_user_id: int | None = None) -> RetentionRun:
    """Anonymise every family that left PKH before ``today`` minus ``years``; one commit per family."""
    cutoff = retention_cutoff(today, years)
    done: list[int] = []
    for household in queries.exited_before(session, cutoff):
        assert household.id is not None
        now = utcnow()
        session.add(
            DataSubjectRequest(
                kind=RequestKind.erasure,
                household_id=household.id,
                requested_at=now,
                due_at=now + RESPONSE_TIME,
                status=RequestStatus.completed,
                handled_by_user_id=actor_user_id,
                handled_at=now,
                note=f"retention: left PKH on {household.exited_on}, more than {years} years before {today}",
            )
        )
        anonymise(session, household, actor_user_id=actor_user_id)
        session.commit()
        done.append(household.id)
    return RetentionRun(cutoff=cutoff, anonymised=done)


@job_kind("privacy.retention", max_attempts=1)
def retention_job(ctx: JobContext, *, years: int, today: str) -> dict[str, Any]:
    """The retention run as a background job (started by an administrator)."""
    with ctx.session() as session:
        scope = ctx.scope(session)
        if scope.role is not Role.admin:
            raise Forbidden("Only administrators run the retention job")
        run = run_retention(session, years=years, today=date.fromisoformat(today), actor_user_id=scope.user_id)
    return {"cutoff": run.cutoff.isoformat(), "anonymised": len(run.anonymised)}
