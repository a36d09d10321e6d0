"""The demand in an organisation's service area (``/lembaga/permintaan``): families by village,
those with a business its programmes serve, those eligible, those referred."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mapping.privacy import MIN_HOUSEHOLDS
from service.deps import SessionDep, SettingsDep
from service.matching import organization_demand
from service.web.agency.access import GATE, organization_page
from service.web.kit import render, viewer_for

router = APIRouter(include_in_schema=False)


@router.get("/lembaga/permintaan", response_class=HTMLResponse)
def demand_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Families in the organisation's service area by village: with a fitting business, eligible, referred."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    org = organization_page(request, session, settings, viewer, "/lembaga/permintaan")
    if isinstance(org, Response):
        return org
    exact = viewer.scope.is_admin
    rows = organization_demand(session, viewer.scope, org.id, today=settings.today()).villages
    withheld = any(None in (r.households, r.with_fitting_business, r.eligible, r.referred) for r in rows)
    context = {"org": org, "rows": rows, "exact": exact, "withheld": withheld, "small": MIN_HOUSEHOLDS}
    return render(request, settings, "agency_demand.html", context, user=viewer.user)
