"""A family's UU PDP rights: its data-subject requests (admins and the family's facilitator)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from models.households import HouseholdPublic
from models.privacy import DataSubjectRequestPublic
from service import privacy
from service.api.params import IdPath
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/households/{household_id}/data-requests", tags=["privacy"])


@router.get("", response_model=list[DataSubjectRequestPublic])
def list_requests(household_id: IdPath, session: SessionDep, scope: ScopeDep) -> list[DataSubjectRequestPublic]:
    """The family's data-subject requests, each with its 3 x 24 h due time and who handled it."""
    return privacy.list_requests(session, scope, household_id)


@router.post("/access", response_model=privacy.AccessExport)
def access(
    household_id: IdPath, body: privacy.RequestNote, request: Request, session: SessionDep, scope: ScopeDep
) -> privacy.AccessExport:
    """Record an access request; answer with the family's data and who processed it (JSON)."""
    return privacy.access_export(session, scope, household_id=household_id, body=body, request_id=request_id(request))


@router.post("/correction", response_model=HouseholdPublic)
def correction(
    household_id: IdPath,
    body: privacy.Correction,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
) -> HouseholdPublic:
    """Record a correction request and correct the family's record (send the ``version`` you read)."""
    return privacy.correct(
        session,
        scope,
        household_id=household_id,
        body=body,
        nik_key=settings.nik_hash_key,
        request_id=request_id(request),
    )


@router.post("/restriction", response_model=DataSubjectRequestPublic, status_code=status.HTTP_201_CREATED)
def restriction(
    household_id: IdPath, body: privacy.RequestNote, request: Request, session: SessionDep, scope: ScopeDep
) -> DataSubjectRequestPublic:
    """Restrict processing: the family leaves matching, plans, maps and referrals until lifted."""
    return privacy.restrict(session, scope, household_id=household_id, body=body, request_id=request_id(request))


@router.post("/lift-restriction", response_model=DataSubjectRequestPublic, status_code=status.HTTP_201_CREATED)
def lift_restriction(
    household_id: IdPath, body: privacy.RequestNote, request: Request, session: SessionDep, scope: ScopeDep
) -> DataSubjectRequestPublic:
    """Lift the family's restriction at its request."""
    return privacy.lift_restriction(
        session, scope, household_id=household_id, body=body, request_id=request_id(request)
    )


@router.post("/erasure", response_model=DataSubjectRequestPublic, status_code=status.HTTP_201_CREATED)
def erasure(
    household_id: IdPath, body: privacy.RequestNote, request: Request, session: SessionDep, scope: ScopeDep
) -> DataSubjectRequestPublic:
    """Erase the family by anonymising it; afterwards its record answers 404 to everyone."""
    return privacy.erase(session, scope, household_id=household_id, body=body, request_id=request_id(request))
