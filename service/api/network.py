"""The stakeholder network of a region: graph and metrics (counts only, never households)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from mapping import network as net
from models.types import RegionCode
from service import network as svc
from service.deps import ScopeDep, SessionDep, SettingsDep

router = APIRouter(prefix="/network", tags=["network"])

Region = Annotated[RegionCode, Query(description="Region code of any level, e.g. 32.73")]
Since = Annotated[date | None, Query(description="Window start: partnerships active and referrals sent from")]
Until = Annotated[date | None, Query(description="Window end (inclusive)")]


@router.get("/graph")
def network_graph(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    region: Region,
    since: Since = None,
    until: Until = None,
) -> dict[str, Any]:
    """Nodes (organisations, programmes, facilitators, forums, villages) and typed edges of a region."""
    g = svc.load_graph(session, scope, region, today=settings.today(), since=since, until=until)
    return {"region": region} | net.graph_json(g)


@router.get("/metrics")
def network_metrics(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    region: Region,
    since: Since = None,
    until: Until = None,
) -> dict[str, Any]:
    """Per-node centralities and brokerage, and the network's figures and communities."""
    g = svc.load_graph(session, scope, region, today=settings.today(), since=since, until=until)
    m = net.metrics(g)
    nodes = [
        {"id": v, "kind": g.nodes[v]["kind"], "label": g.nodes[v].get("label", v)} | m["nodes"][v] for v in g.nodes
    ]
    return {"region": region, "nodes": nodes, "network": m["network"]}
