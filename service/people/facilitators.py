"""Facilitators (pendamping sosial) and the villages they serve."""

from __future__ import annotations

from sqlmodel import Session

from models.households import Facilitator, FacilitatorCreate, FacilitatorPublic, FacilitatorUpdate
from service.core.audit import record_event
from service.core.paging import Page
from service.core.records import update_versioned
from service.core.regions import require_regions
from service.core.scope import Scope, get_in_scope
from service.errors import Forbidden, InvalidInput
from service.people import queries


def facilitators_public(session: Session, rows: list[Facilitator]) -> list[FacilitatorPublic]:
    """Facilitators with their villages and caseload size, in two queries."""
    ids = [f.id for f in rows if f.id is not None]
    villages = queries.villages_of(session, ids)
    counts = queries.caseload_sizes(session, ids)
    out = []
    for f in rows:
        assert f.id is not None
        data = f.model_dump()
        data.update(village_codes=villages[f.id], household_count=counts.get(f.id, 0))
        out.append(FacilitatorPublic.model_validate(data))
    return out


def list_facilitators(
    session: Session, scope: Scope, *, region: str | None, q: str | None, limit: int, offset: int
) -> Page[FacilitatorPublic]:
    """The facilitators the caller may see (themselves; their forum's region; all for admins)."""
    scope.require_list(Facilitator, "facilitators")
    rows, total = queries.facilitator_page(session, scope, region=region, q=q, limit=limit, offset=offset)
    return Page(items=facilitators_public(session, rows), total=total, limit=limit, offset=offset)


def get_facilitator(session: Session, scope: Scope, facilitator_id: int) -> FacilitatorPublic:
    """One facilitator the caller may see."""
    facilitator: Facilitator = get_in_scope(session, scope, Facilitator, facilitator_id, "Facilitator")
    return facilitators_public(session, [facilitator])[0]


def create_facilitator(
    session: Session, *, data: FacilitatorCreate, scope: Scope, request_id: str | None
) -> FacilitatorPublic:
    """Register a facilitator and the villages they serve (admins)."""
    facilitator = add_facilitator(session, data=data, scope=scope, request_id=request_id)
    session.commit()
    return facilitators_public(session, [facilitator])[0]


def add_facilitator(session: Session, *, data: FacilitatorCreate, scope: Scope, request_id: str | None) -> Facilitator:
    """``create_facilitator`` without the commit: the caller commits it with what it belongs to
    (the account created with it)."""
    if not scope.is_admin:
        raise Forbidden("Only administrators register facilitators")
    if data.region_code:
        require_regions(session, [data.region_code], loc=("body", "region_code"))
    require_regions(session, data.village_codes, loc=("body", "village_codes"), level="village")
    facilitator = Facilitator(**data.model_dump(exclude={"village_codes"}))
    session.add(facilitator)
    session.flush()
    assert facilitator.id is not None
    queries.replace_villages(session, facilitator.id, data.village_codes)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="create",
        entity="facilitator",
        entity_id=facilitator.id,
        request_id=request_id,
    )
    return facilitator


def update_facilitator(
    session: Session, *, facilitator_id: int, data: FacilitatorUpdate, scope: Scope, request_id: str | None
) -> FacilitatorPublic:
    """Change a facilitator or their villages (admins)."""
    facilitator: Facilitator = get_in_scope(session, scope, Facilitator, facilitator_id, "Facilitator")
    if not scope.is_admin:
        raise Forbidden("Only administrators edit facilitators")
    changes = data.model_dump(exclude_unset=True, exclude={"version", "village_codes"})
    for required in ("name", "education_background"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"{required} cannot be empty", loc=("body", required))
    if changes.get("region_code"):
        require_regions(session, [changes["region_code"]], loc=("body", "region_code"))
    if data.village_codes is not None:
        require_regions(session, data.village_codes, loc=("body", "village_codes"), level="village")
    update_versioned(session, facilitator, changes, expected_version=data.version, what="Facilitator")
    assert facilitator.id is not None
    if data.village_codes is not None:
        queries.replace_villages(session, facilitator.id, data.village_codes)
    record_event(
        session,
        actor_user_id=scope.user_id,
        action="update",
        entity="facilitator",
        entity_id=facilitator.id,
        request_id=request_id,
        fields=list(changes) + (["village_codes"] if data.village_codes is not None else []),
    )
    session.commit()
    return facilitators_public(session, [facilitator])[0]
