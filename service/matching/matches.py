"""One family's programmes, ranked, with the reason for every yes and no."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlmodel import Session

from mapping.catalog import STATUS_NAMES
from mapping.matching import evaluate_program
from models.households import Household
from models.types import utcnow
from service.core.audit import audited_read
from service.core.regions import region_names
from service.core.scope import Scope, get_in_scope, require_in_processing
from service.matching.catalog_cache import published_catalog
from service.matching.queries import household_facts, referenced_program_names, village_centre
from service.matching.schemas import Match, Matches


@dataclass
class MatchList:
    """A family's ranked matches (one page of them) and how many there are per status."""

    items: list[dict[str, Any]]  # the fields of ``Match``, as the pages and the maps read them
    counts: dict[str, int]
    total: int


def find_matches(
    session: Session,
    household: Household,
    *,
    today: date,
    lang: str,
    include_ineligible: bool = True,
    limit: int | None = None,
    offset: int = 0,
    max_ineligible: int | None = None,
) -> MatchList:
    """The family's programmes ranked (``CompiledCatalog.ranked``); reasons are written for the
    returned page only. ``max_ineligible`` keeps only that many near misses. 409 for a family
    that has restricted the processing of its data."""
    require_in_processing(household)
    facts = household_facts(session, [household], today=today)[0]
    catalog = published_catalog(session)
    compiled = catalog.compiled
    result = compiled.evaluate(facts, today=today)
    origin: tuple[float, float] | None = None
    if household.latitude is not None and household.longitude is not None:
        origin = (household.latitude, household.longitude)
    else:
        origin = village_centre(session, household.village_code)
    km = catalog.points.nearest_km(origin) if origin is not None else np.full(len(compiled.programs), np.nan)
    parts = compiled.scores(facts, result, km, today=today)
    order = compiled.ranked(
        result, parts["total"], include_ineligible=include_ineligible, max_ineligible=max_ineligible
    )
    total = int(order.size)
    page = order[offset : None if limit is None else offset + limit]
    programs = [compiled.programs[i] for i in page]
    names = region_names(session, [household.village_code, *(c for p in programs for c in p.service_area)])
    program_names = referenced_program_names(session, programs)
    by_id = {b.business_id: b for b in facts.businesses}
    items = []
    for i, program in zip(page.tolist(), programs, strict=True):
        evaluation = evaluate_program(
            facts, program, today=today, lang=lang, region_names=names, program_names=program_names
        )
        status = STATUS_NAMES[int(result.code[i])]
        assert evaluation.status.value == status, (program.program_id, evaluation.status, status)
        business = by_id.get(evaluation.business_id) if evaluation.business_id is not None else None
        items.append(
            {
                "program_id": program.program_id,
                "program_name": program.name,
                "organization_name": program.organization_name,
                "organization_verified": program.organization_verified,
                "kind": program.kind,
                "status": status,
                "score": float(parts["total"][i]),
                "score_parts": {k: float(v[i]) for k, v in parts.items() if k != "total"},
                "distance_km": None if np.isnan(km[i]) else round(float(km[i]), 2),
                "business_id": None if business is None else business.business_id,
                "failing": int(result.fails[i]),
                "unknowns": int(result.unknowns[i]),
                "reasons": [r.as_dict() for r in evaluation.reasons],
            }
        )
    return MatchList(items=items, counts=compiled.status_counts(result), total=total)


def household_matches(
    session: Session,
    scope: Scope,
    household_id: int,
    *,
    today: date,
    lang: str,
    include_ineligible: bool,
    limit: int,
    offset: int,
    request_id: str | None = None,
) -> Matches:
    """The ranked matches of a family in the caller's care, one page of them; audited."""
    with audited_read(
        session, scope, entity="household", entity_id=household_id, request_id=request_id, action="read_matches"
    ):
        household: Household = get_in_scope(session, scope, Household, household_id, "Household")
        now = utcnow()
        found = find_matches(
            session,
            household,
            today=today,
            lang=lang,
            include_ineligible=include_ineligible,
            limit=limit,
            offset=offset,
        )
    return Matches(
        household_id=household_id,
        evaluated_at=now.isoformat(),
        counts={
            "eligible": found.counts["eligible"],
            "unknown": found.counts["unknown"],
            "ineligible": found.counts["ineligible"],
        },
        total=found.total,
        limit=limit,
        offset=offset,
        matches=[Match.model_validate(m) for m in found.items],
    )


def matches_for(
    session: Session,
    household: Household,
    *,
    today: date,
    lang: str,
    include_ineligible: bool = True,
    limit: int | None = None,
    max_ineligible: int | None = None,
) -> list[dict[str, Any]]:
    """The family's ranked matches with reasons, score parts and distance (see ``find_matches``)."""
    return find_matches(
        session,
        household,
        today=today,
        lang=lang,
        include_ineligible=include_ineligible,
        limit=limit,
        max_ineligible=max_ineligible,
    ).items
