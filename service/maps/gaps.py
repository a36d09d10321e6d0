"""The gap map (organisers, agencies, admins, facilitators): families with unmet demand per
area, filterable by need and sector, with the coverage of the programmes meeting that need
(``mapping.layers.gaps``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from mapping.layers.gaps import GapRecords, gap_doc, programs_meeting, unmet_households
from mapping.layers.homes import homes_of, resolution_for
from mapping.maps import MapDoc
from models.eligibility import NEEDS, SECTORS
from service.core.regions import region_names
from service.core.scope import Scope, require_region_in_reach
from service.errors import InvalidInput
from service.i18n import translator
from service.maps import queries
from service.maps.homes import load_places
from service.maps.links import RECORD_LINKS
from service.network import screen_chunks


def require_choice(value: str | None, allowed: Sequence[str], name: str) -> str | None:
    """``value`` when it is one of ``allowed``, None when empty (422 otherwise)."""
    if value is None or value == "":
        return None
    if value not in allowed:
        raise InvalidInput(f"unknown {name} {value!r}; use one of: {', '.join(allowed)}", loc=("query", name))
    return value


def gap_map(
    session: Session,
    scope: Scope,
    region: str,
    *,
    today: date,
    lang: str,
    need: str | None = None,
    sector: str | None = None,
) -> MapDoc:
    """Families with a business whose stated need (``need``, or any) no reachable programme
    meets, per H3 cell (or per village on imported boundaries), with the service areas of the
    programmes meeting that need."""
    need = require_choice(need, NEEDS, "need")
    sector = require_choice(sector, SECTORS, "sector")
    require_region_in_reach(session, scope, region)
    chunks = screen_chunks(session, region, today=today)
    homes = homes_of(chunks)
    resolution = resolution_for(homes, region)
    places = load_places(session, homes, frozenset(homes.villages), [], resolution)
    meeting = programs_meeting(chunks, need)
    outlined = sorted(v for v in places.villages if v in places.boundaries)
    records = GapRecords(
        region_name=region_names(session, [region]).get(region, region),
        homes=homes,
        unmet=unmet_households(chunks, need=need, sector=sector),
        resolution=resolution,
        places=places,
        village_names=region_names(session, outlined),
        meeting=meeting,
        service_areas=queries.service_areas(session, meeting),
        program_names=queries.program_names(session, meeting),
        need=need,
        sector=sector,
    )
    return gap_doc(records, translator(lang), lang, RECORD_LINKS)
