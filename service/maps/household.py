"""One family's map (the family's own facilitator and admins): its place, its programmes'
nearest service points and the distances (``mapping.layers.household``)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from mapping.layers.household import HOUSEHOLD_MAP_PROGRAMS, Family, MatchedProgram, household_doc
from mapping.maps import MapDoc
from models.households import Household
from service.core.audit import audited_read
from service.core.scope import Scope, get_in_scope
from service.errors import NotFound
from service.i18n import translator
from service.maps import queries
from service.matching import find_matches


def household_map(
    session: Session, scope: Scope, household_id: int, *, today: date, lang: str, request_id: str | None = None
) -> MapDoc:
    """One family's map: its place, its programmes' nearest service points and the distances.
    Only the family's own facilitator and admins (404 for anyone else). Audited (refusals too)."""
    with audited_read(session, scope, entity="household_map", entity_id=household_id, request_id=request_id):
        doc = _household_map(session, scope, household_id, today=today, lang=lang)
    return doc


def _household_map(session: Session, scope: Scope, household_id: int, *, today: date, lang: str) -> MapDoc:
    if not (scope.is_admin or scope.facilitator_id is not None):
        raise NotFound(f"household {household_id} not found")
    household: Household = get_in_scope(session, scope, Household, household_id, "Household")
    if not scope.is_admin and household.facilitator_id != scope.facilitator_id:
        raise NotFound(f"household {household_id} not found")
    found = find_matches(session, household, today=today, lang=lang, max_ineligible=3)
    programs = [
        MatchedProgram(m["program_id"], m["program_name"], m["organization_name"], m["status"])
        for m in found.items[:HOUSEHOLD_MAP_PROGRAMS]
    ]
    where = queries.program_locations(session, [p.program_id for p in programs])
    located = {x.id: x for x in queries.load_locations(session, ids=[lid for ids in where.values() for lid in ids])}
    points = {pid: [located[lid] for lid in ids if lid in located] for pid, ids in where.items()}
    family = Family(household.id or household_id, household.head_name, household.latitude, household.longitude)
    return household_doc(family, programs, points, translator(lang), lang)
