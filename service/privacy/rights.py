"""A family's rights under UU PDP 27/2022, exercised through its facilitator or an administrator:
access (a machine-readable copy with the log of who processed its data), correction,
restriction (and lifting it), and erasure by anonymisation. Each is a ``DataSubjectRequest``
due 3 x 24 hours after the family asked, recorded with who handled it and when."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from models.households import Household, HouseholdPublic, HouseholdUpdate
from models.privacy import (
    RESPONSE_TIME,
    DataSubjectRequest,
    DataSubjectRequestPublic,
    RequestKind,
    RequestStatus,
)
from models.types import NoNul, utcnow
from models.users import Role
from service import referrals
from service.core.audit import record_event
from service.core.scope import Scope, get_in_scope
from service.errors import Conflict, InvalidInput, NotFound
from service.households.use_cases import update_household
from service.privacy import queries

ANONYMOUS_NAME = "(anonim)"


class RequestNote(BaseModel):
    """When the family asked (default: now; never in the future) and a note without personal data."""

    requested_at: datetime | None = None
    note: Annotated[str, Field(max_length=1000), NoNul] | None = None


class Correction(RequestNote):
    changes: HouseholdUpdate


class AccessExport(BaseModel):
    """A family's data and its processing, as the family may take it away (UU PDP art. 7-8)."""

    generated_at: datetime
    household: dict[str, Any]
    businesses: list[dict[str, Any]]
    consents: list[dict[str, Any]]
    benefits: list[dict[str, Any]] = []
    shared_with: list[dict[str, Any]]
    processing_log: list[dict[str, Any]]
    requests: list[DataSubjectRequestPublic]


def _family(session: Session, scope: Scope, household_id: int) -> Household:
    """The family, for its own facilitator or an administrator; 404 for anyone else."""
    if scope.role not in (Role.admin, Role.facilitator):
        raise NotFound(f"Household {household_id} not found")
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    return household


def _request(
    session: Session, scope: Scope, household_id: int, kind: RequestKind, body: RequestNote, *, status: RequestStatus
) -> DataSubjectRequest:
    now = utcnow()
    asked = body.requested_at or now
    if asked.tzinfo is None:
        raise InvalidInput(
            "requested_at needs a time zone, e.g. 2026-12-07T09:00:00+07:00", loc=("body", "requested_at")
        )
    if asked > now:
        raise InvalidInput("requested_at is in the future", loc=("body", "requested_at"))
    request = DataSubjectRequest(
        kind=kind,
        household_id=household_id,
        requested_at=asked,
        due_at=asked + RESPONSE_TIME,
        status=status,
        handled_by_user_id=scope.user_id if status is not RequestStatus.open else None,
        handled_at=now if status is not RequestStatus.open else None,
        note=body.note,
    )
    session.add(request)
    session.flush()
    return request


def _public(request: DataSubjectRequest) -> DataSubjectRequestPublic:
    return DataSubjectRequestPublic.model_validate(request.model_dump())


def _audit(session: Session, scope: Scope, action: str, request: DataSubjectRequest, request_id: str | None) -> None:
    record_event(
        session,
        actor_user_id=scope.user_id,
        action=action,
        entity="data_request",
        entity_id=request.id,
        request_id=request_id,
        fields=[request.kind.value, f"household:{request.household_id}"],
    )


def list_requests(session: Session, scope: Scope, household_id: int) -> list[DataSubjectRequestPublic]:
    """The family's data-subject requests with their due dates and who handled them."""
    _family(session, scope, household_id)
    return [_public(r) for r in queries.requests_of(session, household_id)]


def access_export(
    session: Session, scope: Scope, *, household_id: int, body: RequestNote, request_id: str | None
) -> AccessExport:
    """Record an access request and answer it: the family's data, who it was shared with, its
    consents, and every audit row about its records (who read or changed them, when)."""
    household = _family(session, scope, household_id)
    request = _request(session, scope, household_id, RequestKind.access, body, status=RequestStatus.completed)
    _audit(session, scope, "access_export", request, request_id)
    session.commit()
    return build_export(session, household)


def build_export(session: Session, household: Household) -> AccessExport:
    """The family's data and the log of its processing (no other family's data, no clear NIK)."""
    assert household.id is not None
    hid = household.id
    data = household.model_dump(exclude={"nik_hash"})
    businesses = [b.model_dump() for b in queries.businesses_of(session, hid)]
    consents = [
        {**c.model_dump(exclude={"household_id"}), "organization_name": org}
        for c, org in queries.consents_of(session, hid)
    ]
    benefits = [b.model_dump(exclude={"household_id"}) for b in queries.benefits_of(session, hid)]
    rows = queries.referrals_of(session, hid)
    events = queries.events_of(session, [r.id for r, *_ in rows if r.id is not None])
    shared = [
        {
            "referral_id": r.id,
            "program_id": r.program_id,
            "program_name": program,
            "organization_id": org_id,
            "organization_name": org,
            "status": r.status,
            "sent_at": r.sent_at,
            "status_changed_at": r.status_changed_at,
            "consent_id": r.consent_id,
            "history": [
                {"at": e.at, "from": e.from_status, "to": e.to_status, "actor_user_id": e.actor_user_id}
                for e in events
                if e.referral_id == r.id
            ],
        }
        for r, program, org_id, org in rows
    ]
    records = {
        "household": [hid],
        "business": [b["id"] for b in businesses],
        "referral": [s["referral_id"] for s in shared],
        "consent": [c["id"] for c in consents],
        "benefit": [b["id"] for b in benefits],
    }
    log = [
        {
            "at": e.at,
            "actor_user_id": e.actor_user_id,
            "actor_username": username,
            "actor_role": role,
            "action": e.action,
            "entity": e.entity,
            "entity_id": e.entity_id,
        }
        for e, username, role in queries.audit_trail(session, records)
    ]
    return AccessExport(
        generated_at=utcnow(),
        household=data,
        businesses=businesses,
        consents=consents,
        benefits=benefits,
        shared_with=shared,
        processing_log=log,
        requests=[_public(r) for r in queries.requests_of(session, hid)],
    )


def correct(
    session: Session, scope: Scope, *, household_id: int, body: Correction, nik_key: bytes, request_id: str | None
) -> HouseholdPublic:
    """Record a correction request and make the correction (the household's own checks apply)."""
    _family(session, scope, household_id)
    request = _request(session, scope, household_id, RequestKind.correction, body, status=RequestStatus.completed)
    _audit(session, scope, "correct", request, request_id)
    # update_household commits the correction, the request and its audit row together.
    return update_household(
        session, household_id=household_id, data=body.changes, scope=scope, nik_key=nik_key, request_id=request_id
    )


def restrict(
    session: Session, scope: Scope, *, household_id: int, body: RequestNote, request_id: str | None
) -> DataSubjectRequestPublic:
    """Stop processing the family's data: no matching, plans, maps or new referrals until lifted."""
    household = _family(session, scope, household_id)
    if household.restricted_at is not None:
        raise Conflict(f"Processing of household {household_id}'s data is already restricted")
    request = _request(session, scope, household_id, RequestKind.restriction, body, status=RequestStatus.completed)
    household.restricted_at = request.handled_at
    session.add(household)
    _audit(session, scope, "restrict", request, request_id)
    session.commit()
    return _public(request)


def lift_restriction(
    session: Session, scope: Scope, *, household_id: int, body: RequestNote, request_id: str | None
) -> DataSubjectRequestPublic:
    """Let the family's data be processed again, at its request."""
    household = _family(session, scope, household_id)
    if household.restricted_at is None:
        raise Conflict(f"Processing of household {household_id}'s data is not restricted")
    request = _request(session, scope, household_id, RequestKind.lift_restriction, body, status=RequestStatus.completed)
    household.restricted_at = None
    session.add(household)
    _audit(session, scope, "lift_restriction", request, request_id)
    session.commit()
    return _public(request)


def erase(
    session: Session, scope: Scope, *, household_id: int, body: RequestNote, request_id: str | None
) -> DataSubjectRequestPublic:
    """Erase the family by anonymising it: afterwards no one can read it (404), and what remains
    (referral statuses, consents, the audit trail) names no one."""
    household = _family(session, scope, household_id)
    request = _request(session, scope, household_id, RequestKind.erasure, body, status=RequestStatus.completed)
    anonymise(session, household, actor_user_id=scope.user_id)
    _audit(session, scope, "erase", request, request_id)
    session.commit()
    return _public(request)


def anonymise(session: Session, household: Household, *, actor_user_id: int | None) -> None:
    """Overwrite everything that identifies the family; close its open referrals. The caller commits."""
    assert household.id is not None
    hid = household.id
    referrals.close_open_referrals(session, hid, actor_user_id=actor_user_id, note="family's data erased")
    queries.forget_free_text(session, hid)
    now = utcnow()
    household.sqlmodel_update(
        {
            "pkh_id": f"anon-{hid}",
            "head_name": ANONYMOUS_NAME,
            "head_birth_date": None,
            "head_sex": None,
            "phone": None,
            "address": None,
            "latitude": None,
            "longitude": None,
            "group_id": None,
            "dtsen_decile": None,
            "prse": None,
            "disability": None,
            "elderly": None,
            "school_age_children": None,
            "agreed_to_graduate": None,
            "nik_hash": "anon-" + secrets.token_hex(27),
            "nik_masked": "****",
            "restricted_at": None,
            "anonymised_at": now,
            "version": household.version + 1,
        }
    )
    session.add(household)
    record_event(session, actor_user_id=actor_user_id, action="anonymise", entity="household", entity_id=hid)
    session.flush()
