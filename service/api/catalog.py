"""Organisation, location and programme endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel

from models.organizations import (
    LocationClose,
    LocationCreate,
    LocationPublic,
    LocationUpdate,
    OrganizationCreate,
    OrganizationKind,
    OrganizationPublic,
    OrganizationUpdate,
    ProgramCreate,
    ProgramKind,
    ProgramPublic,
    ProgramStatus,
    ProgramUpdate,
    Sector,
)
from models.types import RegionCode
from service import catalog
from service.api.etag import PRECONDITION, IfMatch, expected_version, precondition, with_etag
from service.api.params import IdPath, IdQuery, Limit, Offset, TextQuery
from service.catalog import OrganizationFilter, ProgramFilter, Revision
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id
from service.matching import organization_demand as demand_of
from service.matching.schemas import Demand

organizations = APIRouter(prefix="/organizations", tags=["organizations"])
programs = APIRouter(prefix="/programs", tags=["programs"])

Q = TextQuery
RegionFilter = Annotated[RegionCode | None, Query(description="Region code of any level")]


@organizations.get("", response_model=Page[OrganizationPublic])
def list_organizations(
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    kind: OrganizationKind | None = None,
    region: RegionFilter = None,
    q: Q = None,
    verified: bool | None = None,
) -> Page[OrganizationPublic]:
    """List the organisations you may see."""
    f = OrganizationFilter(kind=kind, region=region, q=q, verified=verified)
    return catalog.list_organizations(session, scope, f, limit=limit, offset=offset)


@organizations.post("", response_model=OrganizationPublic, status_code=status.HTTP_201_CREATED)
def create_organization(
    data: OrganizationCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> OrganizationPublic:
    """Register an organisation (admins)."""
    return catalog.create_organization(session, scope, data=data, request_id=request_id(request))


@organizations.get("/{organization_id}", response_model=OrganizationPublic)
def get_organization(
    organization_id: IdPath, response: Response, session: SessionDep, scope: ScopeDep
) -> OrganizationPublic:
    """One organisation (with its ``ETag``)."""
    org = catalog.get_organization(session, scope, organization_id)
    with_etag(response, "organization", org.id, org.version)
    return org


@organizations.patch("/{organization_id}", response_model=OrganizationPublic, responses=PRECONDITION)
def update_organization(
    organization_id: IdPath,
    data: OrganizationUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    if_match: IfMatch = None,
) -> OrganizationPublic:
    """Change an organisation's profile (its own staff, admins; its region and kind: admins only, and a
    name changed by its staff drops the verification mark). Send the ``version`` you read, or its ETag
    in ``If-Match``."""
    data.version = expected_version(if_match, data.version, kind="organization", record_id=organization_id)
    with precondition(if_match):
        org = catalog.update_organization(
            session, scope, organization_id=organization_id, data=data, request_id=request_id(request)
        )
    with_etag(response, "organization", org.id, org.version)
    return org


@organizations.delete("/{organization_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_organization(organization_id: IdPath, request: Request, session: SessionDep, scope: ScopeDep) -> Response:
    """Delete an organisation without programmes (admins)."""
    catalog.delete_organization(session, scope, organization_id=organization_id, request_id=request_id(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@organizations.get("/{organization_id}/locations", response_model=list[LocationPublic])
def list_locations(organization_id: IdPath, session: SessionDep, scope: ScopeDep) -> list[LocationPublic]:
    """An organisation's service points."""
    return catalog.list_locations(session, scope, organization_id=organization_id)


@organizations.post("/{organization_id}/locations", response_model=LocationPublic, status_code=status.HTTP_201_CREATED)
def add_location(
    organization_id: IdPath, data: LocationCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> LocationPublic:
    """Add a service point (the organisation's own staff, admins)."""
    return catalog.add_location(session, scope, org=organization_id, data=data, request_id=request_id(request))


@organizations.patch(
    "/{organization_id}/locations/{location_id}", response_model=LocationPublic, responses=PRECONDITION
)
def update_location(
    organization_id: IdPath,
    location_id: IdPath,
    data: LocationUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> LocationPublic:
    """Change a service point: name, place, phone, e-mail, opening hours (``[{"day": "mo", "opens":
    "08:00", "closes": "15:00"}, ...]``); ``closed_on`` closes it, null reopens it (the
    organisation's own staff, admins). Send the ``version`` you read, or its ETag in ``If-Match``."""
    data.version = expected_version(if_match, data.version, kind="location", record_id=location_id)
    with precondition(if_match):
        location = catalog.update_location(
            session,
            scope,
            organization_id=organization_id,
            location_id=location_id,
            data=data,
            today=settings.today(),
            request_id=request_id(request),
        )
    with_etag(response, "location", location.id, location.version)
    return location


@organizations.post("/{organization_id}/locations/{location_id}/close", response_model=LocationPublic)
def close_location(
    organization_id: IdPath,
    location_id: IdPath,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    data: LocationClose | None = None,
) -> LocationPublic:
    """Close a service point from ``closed_on`` (default today): it stays on record but is no longer
    published nor offered for programmes (409 when closed already)."""
    return catalog.close_location(
        session,
        scope,
        organization_id=organization_id,
        location_id=location_id,
        data=data or LocationClose(),
        today=settings.today(),
        request_id=request_id(request),
    )


@programs.get("", response_model=Page[ProgramPublic])
def list_programs(
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    organization_id: IdQuery = None,
    kind: ProgramKind | None = None,
    status: ProgramStatus | None = None,
    region: Annotated[RegionCode | None, Query(description="Programmes whose service area covers this region")] = None,
    sector: Sector | None = None,
    q: Q = None,
) -> Page[ProgramPublic]:
    """List the programme catalogue (published programmes; your own drafts too)."""
    f = ProgramFilter(organization_id=organization_id, kind=kind, status=status, region=region, sector=sector, q=q)
    return catalog.list_programs(session, scope, f, limit=limit, offset=offset)


@programs.post("", response_model=ProgramPublic, status_code=status.HTTP_201_CREATED)
def create_program(data: ProgramCreate, request: Request, session: SessionDep, scope: ScopeDep) -> ProgramPublic:
    """Register a programme (the organisation's own staff, admins); staff's programmes start as drafts."""
    return catalog.create_program(session, scope, data=data, request_id=request_id(request))


@programs.get("/{program_id}", response_model=ProgramPublic)
def get_program(program_id: IdPath, response: Response, session: SessionDep, scope: ScopeDep) -> ProgramPublic:
    """One programme (with its ``ETag``)."""
    program = catalog.get_program(session, scope, program_id)
    with_etag(response, "program", program.id, program.version)
    return program


@programs.patch("/{program_id}", response_model=ProgramPublic, responses=PRECONDITION)
def update_program(
    program_id: IdPath,
    data: ProgramUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    if_match: IfMatch = None,
) -> ProgramPublic:
    """Change a programme (its organisation's staff, admins). Send the ``version`` you read, or
    its ETag in ``If-Match``.

    Staff edits to a published programme put it back to ``draft`` unless the same request sets
    ``status`` (``active`` publishes it). Another organisation's programme answers 404. The
    capacity may not go below the families enrolled now (422).
    """
    data.version = expected_version(if_match, data.version, kind="program", record_id=program_id)
    with precondition(if_match):
        program = catalog.update_program(
            session, scope, program_id=program_id, data=data, request_id=request_id(request)
        )
    with_etag(response, "program", program.id, program.version)
    return program


@programs.delete("/{program_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_program(program_id: IdPath, request: Request, session: SessionDep, scope: ScopeDep) -> Response:
    """Delete a programme nobody was referred to (its organisation's staff, admins)."""
    catalog.delete_program(session, scope, program_id=program_id, request_id=request_id(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@programs.get("/{program_id}/revisions", response_model=list[Revision])
def program_revisions(program_id: IdPath, session: SessionDep, scope: ScopeDep) -> list[Revision]:
    """Who changed the programme, when, and each field's old and new value (oldest first)."""
    return catalog.program_revisions(session, scope, program_id)


class Approval(BaseModel):
    approved: bool


@programs.put("/{program_id}/service-area/{region_code}/approval", response_model=ProgramPublic)
def approve_service_area(
    program_id: IdPath, region_code: RegionCode, body: Approval, request: Request, session: SessionDep, scope: ScopeDep
) -> ProgramPublic:
    """Approve one service area of a programme beyond its organisation's region, or withdraw the
    approval (admins only): only approved areas widen the organisation's reach."""
    return catalog.approve_service_area(
        session,
        scope,
        program_id=program_id,
        region_code=region_code,
        approved=body.approved,
        request_id=request_id(request),
    )


class Verification(BaseModel):
    verified: bool


@organizations.put("/{organization_id}/verification", response_model=OrganizationPublic)
def verify_organization(
    organization_id: IdPath, body: Verification, request: Request, session: SessionDep, scope: ScopeDep
) -> OrganizationPublic:
    """Mark an organisation verified, or take the mark away (admins, forum organisers of its region)."""
    return catalog.set_verified(
        session, scope, organization_id=organization_id, verified=body.verified, request_id=request_id(request)
    )


@organizations.get("/{organization_id}/demand", response_model=Demand)
def organization_demand(organization_id: IdPath, session: SessionDep, scope: ScopeDep, settings: SettingsDep) -> Demand:
    """Per village of the organisation's service areas: families, those with a business its
    programmes serve (sector and need), those eligible for one of its programmes, and those
    referred. Counts only; 1 to 4 are withheld (null) for everyone but administrators.
    Its own staff, forum organisers of its region and administrators."""
    return demand_of(session, scope, organization_id, today=settings.today())
