"""The stakeholder network of a region: graph and metrics (counts only, never households)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from models.types import MAX_ID, DbId, RegionCode
from service import network
from service.api.params import Offset
from service.deps import ScopeDep, SessionDep, SettingsDep
from service.errors import InvalidInput

router = APIRouter(prefix="/network", tags=["network"])

Region = Annotated[RegionCode, Query(description="Region code of any level, e.g. 32.73")]
Since = Annotated[date | None, Query(description="Window start: partnerships active and referrals sent from")]
Until = Annotated[date | None, Query(description="Window end (inclusive)")]


def region_network(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    region: Region,
    since: Since = None,
    until: Until = None,
) -> network.RegionNetwork:
    """The network of ``region`` in the window, for the caller (422 unknown, 404 out of reach)."""
    return network.load_network(session, scope, region, today=settings.today(), since=since, until=until)


RegionNetworkDep = Annotated[network.RegionNetwork, Depends(region_network)]


@router.get("/graph")
def network_graph(scope: ScopeDep, found: RegionNetworkDep) -> dict[str, Any]:
    """Nodes (organisations, programmes, facilitators, forums, villages) and typed edges of a
    region. Households appear only as the weight of ``demand`` edges (eligible households of a
    village for a programme), withheld (null) from all but administrators when 1 to 4."""
    return {"region": found.region} | network.graph_body(found.graph, exact=scope.is_admin)


@router.get("/metrics")
def network_metrics(scope: ScopeDep, found: RegionNetworkDep) -> dict[str, Any]:
    """Per-node centralities and brokerage, and the network's figures and communities."""
    return {"region": found.region} | network.metrics_body(found.graph, exact=scope.is_admin)


@router.get("/gaps")
def network_gaps(
    session: SessionDep,
    scope: ScopeDep,
    found: RegionNetworkDep,
    limit: Annotated[int, Query(ge=1, le=5000, description="Unmet-demand rows per page, largest first")] = 500,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Unmet demand (village x need x sector, largest first, paged: a province has hundreds of
    thousands of rows), unused supply, isolated stakeholders, caseloads."""
    return network.region_gaps(session, scope, found, limit=limit, offset=offset)


@router.get("/changes")
def network_changes(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    region: Region,
    since: Annotated[date | None, Query(description="The earlier date (default: 30 days before until)")] = None,
    until: Annotated[date | None, Query(description="The later date (default: today)")] = None,
) -> dict[str, Any]:
    """The network at two dates side by side: ties (partnerships, forum memberships) added and
    ended, village x programme demand newly within reach of a facilitator there (a path of ties
    to the programme's organisation), stakeholders no longer isolated, and unmet demand before
    and after. Households only as counts, small ones withheld (null) for all but administrators."""
    return network.network_changes(session, scope, region, since=since, until=until, today=settings.today()).body


@router.get("/suggestions")
def network_suggestions(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    facilitator_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Organisations this facilitator should meet")
    ] = None,
    forum_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Organisations this forum should invite")
    ] = None,
    lang: Annotated[Literal["id", "en"] | None, Query(description="Language of the reasons")] = None,
) -> dict[str, Any]:
    """Links to make: for a facilitator, organisations ranked by the families they would serve;
    for a forum, the invitations that cover most unmet demand (greedy, with marginal gains)."""
    if (facilitator_id is None) == (forum_id is None):
        raise InvalidInput("give exactly one of facilitator_id and forum_id", loc=("query", "facilitator_id"))
    if facilitator_id is not None:
        return network.facilitator_suggestions(
            session, scope, facilitator_id, today=settings.today(), lang=lang or settings.default_language
        )
    assert forum_id is not None
    return network.forum_suggestions(
        session, scope, forum_id, today=settings.today(), lang=lang or settings.default_language
    )


class PlanRequest(BaseModel):
    region: RegionCode = Field(description="Region code of any level, e.g. 32.73.16")
    program_ids: list[DbId] | None = Field(
        default=None, max_length=1000, description="Only these programmes (default: every published one)"
    )


@router.post("/referral-plan")
def referral_plan(session: SessionDep, scope: ScopeDep, settings: SettingsDep, body: PlanRequest) -> dict[str, Any]:
    """Eligible families assigned to programmes with places left, maximising the total match
    score (min-cost flow): at most one referral per family per need, never above capacity.
    Facilitators plan their own caseload; organisers and agencies get counts per programme and
    village. At most ``MAX_PLAN_FAMILIES`` families (422 above)."""
    return network.region_plan(
        session,
        scope,
        body.region,
        today=settings.today(),
        program_ids=body.program_ids,
        funding_months=settings.double_funding_months,
    )
