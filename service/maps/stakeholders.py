"""The stakeholder map (organisers, facilitators, agencies, admins): the region's network drawn
by ``mapping.layers.stakeholders`` for the caller."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from mapping.layers.homes import homes_of, resolution_for
from mapping.layers.stakeholders import (
    MapViewer,
    StakeholderRecords,
    nodes_of_kind,
    stakeholder_doc,
    stakeholder_villages,
)
from mapping.maps import MapDoc
from models.users import Role
from service.core.audit import record_read
from service.core.regions import region_names
from service.core.scope import Scope
from service.i18n import translator
from service.maps import queries
from service.maps.homes import entitled, load_places
from service.maps.links import RECORD_LINKS
from service.network import load_network, region_metrics


def map_viewer(scope: Scope) -> MapViewer:
    """Who a stakeholder map is drawn for: admins see every count; a facilitator their own
    suggested links only."""
    return MapViewer(
        sees_all=scope.is_admin, facilitator_id=scope.facilitator_id, own_links_only=scope.role is Role.facilitator
    )


def stakeholder_map(
    session: Session, scope: Scope, region: str, *, today: date, lang: str, request_id: str | None = None
) -> MapDoc:
    """The stakeholder map of ``region`` for ``scope`` (422 unknown region, 404 out of reach).
    A map that places the caller's own households is audited as a read of them."""
    found = load_network(session, scope, region, today=today)
    g = found.graph
    homes = homes_of(found.chunks)
    resolution = resolution_for(homes, region)
    locations = queries.load_locations(session, org_ids=nodes_of_kind(g, "organization"))
    places = load_places(session, homes, stakeholder_villages(g, homes), locations, resolution)
    records = StakeholderRecords(
        region=region,
        region_name=region_names(session, [region]).get(region, region),
        graph=g,
        metrics=region_metrics(g, exact=scope.is_admin),
        chunks=found.chunks,
        homes=homes,
        resolution=resolution,
        places=places,
        locations=locations,
        service_areas=queries.service_areas(session, nodes_of_kind(g, "program")),
    )
    shown = entitled(homes, scope)
    if shown.any():
        record_read(session, scope, entity="household_places", entity_id=region, request_id=request_id, action="map")
    return stakeholder_doc(records, map_viewer(scope), shown, translator(lang), lang, RECORD_LINKS)
