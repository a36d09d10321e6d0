"""The forum organiser's dashboard: the network of a region (the forum's, or one inside it) with
its figures, its stakeholders and their metrics, its gaps and, for a forum, whom to invite.

Everything is counts, withheld below ``mapping.privacy.MIN_HOUSEHOLDS`` for everyone but
administrators (``region_metrics``, ``gaps`` and ``forum_suggestions`` apply the rule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx
from sqlmodel import Session

from mapping.analysis import Screened
from mapping.network import NODE_KINDS
from models.network import Forum
from models.users import Role
from service.core.regions import region_names
from service.core.scope import Scope
from service.errors import NotFound
from service.network import queries
from service.network.advice import forum_suggestions, gaps, region_metrics
from service.network.graph import load_network

# The stakeholder table: its node kinds (villages only when asked) and its columns, each a sort key.
STAKEHOLDER_KINDS = ("organization", "program", "facilitator", "forum")
TEXT_COLUMNS = ("label", "kind", "community")
METRIC_COLUMNS = (
    "degree",
    "weighted_degree",
    "betweenness",
    "closeness",
    "pagerank",
    "two_step_reach",
    "constraint",
    "effective_size",
)
STAKEHOLDER_COLUMNS = TEXT_COLUMNS + METRIC_COLUMNS


@dataclass(frozen=True)
class DashboardSubject:
    """What a dashboard is about: the forum (if any) and the region (``None``: none named yet)."""

    forum: Forum | None
    region: str | None


@dataclass
class Dashboard:
    """Everything the page and the exports show, for one region and (maybe) one forum."""

    region: str
    region_name: str
    forum: Forum | None
    exact: bool
    figures: dict[str, Any]
    stakeholders: list[dict[str, Any]]
    gaps: dict[str, Any]
    invitations: dict[str, Any] | None
    today: date
    villages_total: int = 0
    screened: list[Screened] = field(default_factory=list)  # the families' screening the graph came from

    @property
    def withheld(self) -> bool:
        """Whether a household count of the gaps or the invitations is withheld (``None``)."""
        g = self.gaps
        counts = [u["households"] for u in g["unmet_demand"]] + list(g["unmet_by_need"].values())
        counts += [u["eligible_households"] for u in g["unused_supply"]]
        if self.invitations:
            counts.append(self.invitations["unmet_units"])
            for inv in self.invitations["invitations"]:
                counts += [inv["marginal_households"], inv["marginal_units"], inv["cumulative_units"]]
        return None in counts


def dashboard_subject(session: Session, scope: Scope, *, forum_id: int | None, region: str | None) -> DashboardSubject:
    """The organiser's own forum (an admin's: the one ``forum_id`` names, ``NotFound`` if none) and
    the region to show: ``region``, else the forum's, else the organiser's forum region."""
    forum: Forum | None = None
    if scope.role is Role.forum_organizer:
        forum = session.get(Forum, scope.forum_id)
    elif forum_id is not None:
        forum = session.get(Forum, forum_id)
        if forum is None:
            raise NotFound(f"forum {forum_id} not found")
    return DashboardSubject(forum, region or (forum.region_code if forum else None) or scope.forum_region)


def forum_choices(session: Session, scope: Scope) -> list[Forum]:
    """The forums an admin may pick, by name (nobody else picks one)."""
    return queries.forums_by_name(session) if scope.is_admin else []


def _sort_key(column: str) -> Callable[[dict[str, Any]], Any]:
    if column == "kind":
        return lambda r: NODE_KINDS.index(r["kind"]) if r["kind"] in NODE_KINDS else len(NODE_KINDS)
    if column in ("label", "community"):
        return lambda r: (r[column] or "").casefold()
    return lambda r: r[column]


def sort_rows(rows: list[dict[str, Any]], column: str, descending: bool) -> list[dict[str, Any]]:
    """Rows by ``column`` (ties by name, then id); missing values last whichever the direction."""
    ordered = sorted(rows, key=lambda r: ((r["label"] or "").casefold(), r["id"]))
    present = [r for r in ordered if r[column] is not None]
    missing = [r for r in ordered if r[column] is None]
    return sorted(present, key=_sort_key(column), reverse=descending) + missing


def stakeholder_rows(graph: nx.MultiDiGraph, metrics: dict[str, Any], *, villages: bool) -> list[dict[str, Any]]:
    """One row a node (villages only if asked): kind, name, community's label and the node's metrics."""
    community = {c["id"]: c["label"] for c in metrics["network"]["communities"]}
    kinds = STAKEHOLDER_KINDS + (("village",) if villages else ())
    rows = []
    for v, data in graph.nodes(data=True):
        if data.get("kind") not in kinds:
            continue
        m = metrics["nodes"].get(v, {})
        rows.append(
            {
                "id": v,
                "kind": data["kind"],
                "label": data.get("label", v),
                "community": community.get(m.get("community")),
                **{c: m.get(c) for c in METRIC_COLUMNS},
            }
        )
    return rows


def forum_dashboard(
    session: Session,
    scope: Scope,
    *,
    forum: Forum | None,
    region: str,
    sort: str,
    descending: bool,
    villages: bool,
    today: date,
    lang: str,
) -> Dashboard:
    """The network of ``region`` with its metrics, gaps, stakeholders sorted by ``sort`` (one of
    ``STAKEHOLDER_COLUMNS``) and, with a forum, its invitations (422 unknown region, 404 outside
    the caller's reach)."""
    found = load_network(session, scope, region, today=today)
    metrics = region_metrics(found.graph, exact=scope.is_admin)
    found_gaps = gaps(session, found, exact=scope.is_admin)
    invitations = None
    if forum is not None and forum.id is not None:
        invitations = forum_suggestions(session, scope, forum.id, today=today, lang=lang, screened=found)
    rows = sort_rows(stakeholder_rows(found.graph, metrics, villages=villages), sort, descending)
    return Dashboard(
        region=region,
        region_name=region_names(session, [region]).get(region, region),
        forum=forum,
        exact=scope.is_admin,
        figures=metrics["network"],
        stakeholders=rows,
        gaps=found_gaps,
        invitations=invitations,
        today=today,
        villages_total=metrics["network"]["nodes_by_kind"].get("village", 0),
        screened=found.chunks,
    )
