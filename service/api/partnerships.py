"""Partnerships: party A proposes, party B confirms or declines, either side ends; only confirmed
ties count in the network. A proposal is seen by its two sides (and admins) only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from models.network import PartnershipCreate, PartnershipPublic, PartnershipStatus, PartnershipUpdate, PartyKind
from service import partnerships
from service.api.etag import PRECONDITION, IfMatch, expected_version, precondition, with_etag
from service.api.params import IdPath, IdQuery, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id
from service.errors import InvalidInput

router = APIRouter(prefix="/partnerships", tags=["partnerships"])
KIND = "partnership"


@router.get("", response_model=Page[PartnershipPublic])
def list_partnerships(
    session: SessionDep,
    scope: ScopeDep,
    party_kind: Annotated[PartyKind | None, Query(description="With party_id: ties this party is a side of")] = None,
    party_id: IdQuery = None,
    status_: Annotated[PartnershipStatus | None, Query(alias="status", description="Only ties in this status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PartnershipPublic]:
    """The partnerships you see, newest first: your own side's (proposals too); a forum organiser
    also the agreed ties of parties in the forum's region; admins all."""
    if (party_kind is None) != (party_id is None):
        raise InvalidInput(
            "give party_kind and party_id together", loc=("query", "party_id" if party_id is None else "party_kind")
        )
    party = (party_kind, party_id) if party_kind is not None and party_id is not None else None
    return partnerships.list_partnerships(
        session, scope, party=party, statuses=[status_] if status_ else [], limit=limit, offset=offset
    )


@router.post("", response_model=PartnershipPublic, status_code=status.HTTP_201_CREATED)
def propose_partnership(
    data: PartnershipCreate, request: Request, response: Response, session: SessionDep, scope: ScopeDep
) -> PartnershipPublic:
    """Propose a tie from party A (your organisation, yourself, your forum; admins: anyone) to
    party B, who confirms or declines it; it counts in the network once confirmed."""
    tie = partnerships.propose_partnership(session, scope, data=data, request_id=request_id(request))
    with_etag(response, KIND, tie.id, tie.version)
    return tie


@router.get("/{partnership_id}", response_model=PartnershipPublic)
def get_partnership(
    partnership_id: IdPath, response: Response, session: SessionDep, scope: ScopeDep
) -> PartnershipPublic:
    """One partnership you see (404 otherwise)."""
    tie = partnerships.get_partnership(session, scope, partnership_id)
    with_etag(response, KIND, tie.id, tie.version)
    return tie


@router.patch("/{partnership_id}", response_model=PartnershipPublic, responses=PRECONDITION)
def update_partnership(
    partnership_id: IdPath,
    data: PartnershipUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> PartnershipPublic:
    """Party B: ``{"status": "confirmed"}`` or ``"declined"`` (answering your own proposal is
    409); either side: ``{"status": "ended", "ended_on"}`` (default today). The ``version`` (or
    If-Match) is optional: the move itself is checked against the status it leaves."""
    data.version = expected_version(if_match, data.version, kind=KIND, record_id=partnership_id)
    with precondition(if_match):
        tie = partnerships.update_partnership(
            session,
            scope,
            partnership_id=partnership_id,
            data=data,
            today=settings.today(),
            request_id=request_id(request),
        )
    with_etag(response, KIND, tie.id, tie.version)
    return tie
