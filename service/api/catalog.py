"""Organisation, location and programme endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel
from sqlmodel import select

from models.organizations import (
    Location,
    LocationCreate,
    LocationPublic,
    Organization,
    OrganizationCreate,
    OrganizationKind,
    OrganizationPublic,
    OrganizationUpdate,
    Program,
    ProgramCreate,
    ProgramKind,
    ProgramPublic,
    ProgramStatus,
    ProgramUpdate,
    Sector,
)
from models.types import RegionCode
from service import catalog as svc
from service.api.params import Limit, Offset
from service.core.paging import Page, paginate
from service.core.scope import get_in_scope
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id
from service.matching import demand
from service.matching.schemas import Demand

organizations = APIRouter(prefix="/organizations", tags=["organizations"])
programs = APIRouter(prefix="/programs", tags=["programs"])

Q = Annotated[str | None, Query(max_length=100, description="Part of the name")]
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
    stmt = select(Organization).where(
        scope.where(Organization), *svc.organization_filters(kind=kind, region=region, q=q, verified=verified)
    )
    rows, total = paginate(session, stmt, limit=limit, offset=offset, order_by=Organization.id)
    return Page(
        items=[OrganizationPublic.model_validate(r.model_dump()) for r in rows], total=total, limit=limit, offset=offset
    )


@organizations.post("", response_model=OrganizationPublic, status_code=status.HTTP_201_CREATED)
def create_organization(
    data: OrganizationCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> OrganizationPublic:
    """Register an organisation (admins)."""
    org = svc.create_organization(session, data=data, scope=scope, request_id=request_id(request))
    return OrganizationPublic.model_validate(org.model_dump())


@organizations.get("/{organization_id}", response_model=OrganizationPublic)
def get_organization(organization_id: int, session: SessionDep, scope: ScopeDep) -> OrganizationPublic:
    """One organisation."""
    org = get_in_scope(session, scope, Organization, organization_id, "Organization")
    return OrganizationPublic.model_validate(org.model_dump())


@organizations.patch("/{organization_id}", response_model=OrganizationPublic)
def update_organization(
    organization_id: int, data: OrganizationUpdate, request: Request, session: SessionDep, scope: ScopeDep
) -> OrganizationPublic:
    """Change an organisation (admins). Send the ``version`` you read."""
    org = get_in_scope(session, scope, Organization, organization_id, "Organization")
    org = svc.update_organization(session, org=org, data=data, scope=scope, request_id=request_id(request))
    return OrganizationPublic.model_validate(org.model_dump())


@organizations.delete("/{organization_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_organization(organization_id: int, request: Request, session: SessionDep, scope: ScopeDep) -> Response:
    """Delete an organisation without programmes (admins)."""
    org = get_in_scope(session, scope, Organization, organization_id, "Organization")
    svc.delete_organization(session, org=org, scope=scope, request_id=request_id(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@organizations.get("/{organization_id}/locations", response_model=list[LocationPublic])
def list_locations(organization_id: int, session: SessionDep, scope: ScopeDep) -> list[LocationPublic]:
    """An organisation's service points."""
    get_in_scope(session, scope, Organization, organization_id, "Organization")
    rows = session.exec(select(Location).where(Location.organization_id == organization_id).order_by(Location.id))
    return [LocationPublic.model_validate(r.model_dump()) for r in rows]


@organizations.post("/{organization_id}/locations", response_model=LocationPublic, status_code=status.HTTP_201_CREATED)
def add_location(
    organization_id: int, data: LocationCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> LocationPublic:
    """Add a service point (admins)."""
    org = get_in_scope(session, scope, Organization, organization_id, "Organization")
    location = svc.add_location(session, org=org, data=data, scope=scope, request_id=request_id(request))
    return LocationPublic.model_validate(location.model_dump())


@programs.get("", response_model=Page[ProgramPublic])
def list_programs(
    session: SessionDep,
    scope: ScopeDep,
    limit: Limit = 50,
    offset: Offset = 0,
    organization_id: int | None = None,
    kind: ProgramKind | None = None,
    status: ProgramStatus | None = None,
    region: Annotated[RegionCode | None, Query(description="Programmes whose service area covers this region")] = None,
    sector: Sector | None = None,  # type: ignore[valid-type]
    q: Q = None,
) -> Page[ProgramPublic]:
    """List the programme catalogue (published programmes; your own drafts too)."""
    stmt = select(Program).where(
        scope.where(Program),
        *svc.program_filters(
            organization_id=organization_id, kind=kind, status=status, region=region, sector=sector, q=q
        ),
    )
    rows, total = paginate(session, stmt, limit=limit, offset=offset, order_by=Program.id)
    return Page(items=svc.programs_public(session, rows), total=total, limit=limit, offset=offset)


@programs.post("", response_model=ProgramPublic, status_code=status.HTTP_201_CREATED)
def create_program(data: ProgramCreate, request: Request, session: SessionDep, scope: ScopeDep) -> ProgramPublic:
    """Register a programme (admins)."""
    program = svc.create_program(session, data=data, scope=scope, request_id=request_id(request))
    return svc.programs_public(session, [program])[0]


@programs.get("/{program_id}", response_model=ProgramPublic)
def get_program(program_id: int, session: SessionDep, scope: ScopeDep) -> ProgramPublic:
    """One programme."""
    program = get_in_scope(session, scope, Program, program_id, "Program")
    return svc.programs_public(session, [program])[0]


@programs.patch("/{program_id}", response_model=ProgramPublic)
def update_program(
    program_id: int, data: ProgramUpdate, request: Request, session: SessionDep, scope: ScopeDep
) -> ProgramPublic:
    """Change a programme (its organisation's staff, admins). Send the ``version`` you read.

    Staff edits to a published programme put it back to ``draft`` unless the same request sets
    ``status`` (``active`` publishes it). Another organisation's programme answers 404.
    """
    program = get_in_scope(session, scope, Program, program_id, "Program")
    program = svc.update_program(session, program=program, data=data, scope=scope, request_id=request_id(request))
    return svc.programs_public(session, [program])[0]


@programs.delete("/{program_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_program(program_id: int, request: Request, session: SessionDep, scope: ScopeDep) -> Response:
    """Delete a programme nobody was referred to (its organisation's staff, admins)."""
    program = get_in_scope(session, scope, Program, program_id, "Program")
    svc.delete_program(session, program=program, scope=scope, request_id=request_id(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class Revision(BaseModel):
    version: int
    at: datetime
    actor_user_id: int | None
    action: str
    changes: dict[str, Any]


@programs.get("/{program_id}/revisions", response_model=list[Revision])
def program_revisions(program_id: int, session: SessionDep, scope: ScopeDep) -> list[Revision]:
    """Who changed the programme, when, and each field's old and new value (oldest first)."""
    get_in_scope(session, scope, Program, program_id, "Program")
    return [Revision.model_validate(r, from_attributes=True) for r in svc.program_revisions(session, program_id)]


class Verification(BaseModel):
    verified: bool


@organizations.put("/{organization_id}/verification", response_model=OrganizationPublic)
def verify_organization(
    organization_id: int, body: Verification, request: Request, session: SessionDep, scope: ScopeDep
) -> OrganizationPublic:
    """Mark an organisation verified, or take the mark away (admins, forum organisers of its region)."""
    org = get_in_scope(session, scope, Organization, organization_id, "Organization")
    org = svc.set_verified(session, org=org, verified=body.verified, scope=scope, request_id=request_id(request))
    return OrganizationPublic.model_validate(org.model_dump())


@organizations.get("/{organization_id}/demand", response_model=Demand)
def organization_demand(organization_id: int, session: SessionDep, scope: ScopeDep, settings: SettingsDep) -> Demand:
    """Per village of the organisation's service areas: families, those with a business its
    programmes serve (sector and need), those eligible for one of its programmes, and those
    referred. Counts only; 1 to 4 are withheld (null) for everyone but administrators.
    Its own staff, forum organisers of its region and administrators."""
    return demand.organization_demand(session, scope, organization_id, today=settings.today())
