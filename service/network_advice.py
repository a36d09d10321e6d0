"""What the network tells its users to do: gaps, suggested links, forum invitations.

Everything here is counts. Counts of 1 to 4 households are withheld (``None``) from everyone but
administrators, as in ``service.demand``; a facilitator's own figures are about their own
families, so they see them exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from mapping import analysis as an
from mapping.labels import Lang
from mapping.network import NetworkRecords, build_graph, node_id
from mapping.network import metrics as net_metrics
from models.households import Facilitator, FacilitatorVillage, Household
from models.network import Forum, ForumMember, PartyKind
from models.organizations import Organization
from models.referrals import Referral
from models.types import code_within
from models.users import Role
from service.core.regions import region_names
from service.core.scope import Scope
from service.demand import SMALL_COUNT
from service.errors import NotFound
from service.network import RegionNetwork, load_records, screen_chunks, screen_region


def withhold(value: int, exact: bool) -> int | None:
    return value if exact or value == 0 or value >= SMALL_COUNT else None


def shown(exact: bool) -> Callable[[int], str]:
    """How a count is written in a sentence: exactly, or "< 5" when withheld."""
    return lambda n: str(n) if withhold(n, exact) is not None else f"< {SMALL_COUNT}"


def safe_total(parts: list[int], exact: bool) -> int | None:
    """A total over rows some of which are withheld, published only when it does not give the
    withheld rows away by subtraction: their sum must be 0, or at least 5 and neither all ones
    nor all fours (``k`` rows of 1 to 4 summing to ``k`` or ``4k`` are each known)."""
    total = sum(parts)
    if exact:
        return total
    hidden = [n for n in parts if withhold(n, exact) is None]
    k, rest = len(hidden), sum(hidden)
    if k == 0 or (rest >= SMALL_COUNT and k < rest < 4 * k):
        return total
    return None


def region_metrics(graph: Any, *, exact: bool) -> dict[str, Any]:
    """``mapping.network.metrics`` for a reader: a village's weighted degree sums the eligible
    households of its demand edges, so below 5 it is withheld like any small count."""
    m = net_metrics(graph)
    for v, figures in m["nodes"].items():
        if graph.nodes[v].get("kind") == "village":
            figures["weighted_degree"] = withhold(int(figures["weighted_degree"]), exact)
    return m


# --- gaps -------------------------------------------------------------------------------------


def referrals_by_program(
    session: Session, program_ids: list[int], since: date | None, until: date | None
) -> dict[int, int]:
    """Referrals sent to each programme in the window, by any facilitator."""
    if not program_ids:
        return {}
    stmt = (
        select(Referral.program_id, sa.func.count())
        .where(Referral.program_id.in_(program_ids))  # type: ignore[attr-defined]
        .group_by(Referral.program_id)
    )
    if since is not None:
        stmt = stmt.where(Referral.sent_at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until is not None:
        stmt = stmt.where(Referral.sent_at <= datetime.combine(until, time.max, tzinfo=UTC))
    return {int(p): int(n) for p, n in session.exec(stmt)}


def caseloads(session: Session, facilitator_ids: list[int]) -> list[an.Caseload]:
    """Each facilitator's whole caseload (all their KPM, wherever they live)."""
    if not facilitator_ids:
        return []
    counts = dict(
        session.exec(
            select(Household.facilitator_id, sa.func.count())
            .where(Household.facilitator_id.in_(facilitator_ids))  # type: ignore[union-attr]
            .group_by(Household.facilitator_id)
        ).all()
    )
    names = dict(
        session.exec(select(Facilitator.id, Facilitator.name).where(Facilitator.id.in_(facilitator_ids))).all()
    )  # type: ignore[union-attr]
    return sorted(
        (an.Caseload(f, names.get(f, str(f)), int(counts.get(f, 0))) for f in facilitator_ids),
        key=lambda c: (-c.households, c.name),
    )


def gaps(session: Session, net: RegionNetwork, *, exact: bool) -> dict[str, Any]:
    """Unmet demand, unused supply (no referral in the network's window), isolated stakeholders
    and facilitators' load in the region."""
    g = net.graph
    unmet = an.unmet_demand(net.chunks)
    names = region_names(session, sorted({u.village_code for u in unmet}))
    by_need: dict[str, list[int]] = {}
    for u in unmet:
        by_need.setdefault(u.need, []).append(u.households)
    programs = sorted({p.program_id for s in net.chunks for p in s.programs})
    unused = an.unused_supply(net.chunks, referrals_by_program(session, programs, net.since, net.until))
    facilitators = [int(v.split(":")[1]) for v, k in g.nodes(data="kind") if k == "facilitator"]
    loads = caseloads(session, facilitators)
    return {
        "region": net.region,
        "unmet_demand": [
            {
                "village_code": u.village_code,
                "village_name": names.get(u.village_code),
                "need": u.need,
                "sector": u.sector,
                "households": withhold(u.households, exact),
            }
            for u in unmet
        ],
        "unmet_by_need": {need: safe_total(parts, exact) for need, parts in sorted(by_need.items())},
        "unused_supply": [asdict(u) | {"eligible_households": withhold(u.eligible_households, exact)} for u in unused],
        "isolated": [asdict(i) for i in an.isolated_stakeholders(g)],
        "load": {
            "summary": an.load_summary(loads),
            "facilitators": [asdict(c) | {"over_mark": c.over_mark} for c in loads],
        },
    }


# --- suggestions ------------------------------------------------------------------------------


def _facilitator_region(session: Session, facilitator_id: int) -> str | None:
    """The regency the facilitator's villages lie in (the province if they span several)."""
    villages = session.exec(
        select(FacilitatorVillage.village_code).where(FacilitatorVillage.facilitator_id == facilitator_id)
    ).all()
    regencies = {".".join(v.split(".")[:2]) for v in villages}
    if not regencies:
        return None
    if len(regencies) == 1:
        return regencies.pop()
    provinces = {r.split(".")[0] for r in regencies}
    return provinces.pop() if len(provinces) == 1 else None


facilitator_region = _facilitator_region


def _require_facilitator(session: Session, scope: Scope, facilitator_id: int) -> Facilitator:
    """The facilitator, if the caller may advise them: themselves, an admin, or the organiser
    of a forum whose region holds one of their villages (404 otherwise)."""
    fac = session.get(Facilitator, facilitator_id)
    allowed = fac is not None and (
        scope.is_admin
        or (scope.role is Role.facilitator and scope.facilitator_id == facilitator_id)
        or (
            scope.role is Role.forum_organizer
            and scope.forum_region is not None
            and any(
                code_within(v, scope.forum_region)
                for v in session.exec(
                    select(FacilitatorVillage.village_code).where(FacilitatorVillage.facilitator_id == facilitator_id)
                )
            )
        )
    )
    if not allowed or fac is None:
        raise NotFound(f"facilitator {facilitator_id} not found")
    return fac


def facilitator_suggestions(
    session: Session, scope: Scope, facilitator_id: int, *, today: date, lang: Lang = "id"
) -> dict[str, Any]:
    """The organisations the facilitator should meet first, with the reason for each."""
    fac = _require_facilitator(session, scope, facilitator_id)
    region = _facilitator_region(session, facilitator_id) or fac.region_code
    mine = screen_region(session, [Household.facilitator_id == facilitator_id], today=today)
    g = build_graph(load_records(session, region, screened=[mine]) if region else NetworkRecords())
    suggestions = an.link_suggestions(g, facilitator_id, mine)
    # The facilitator sees their own families' counts exactly; an organiser, small ones withheld.
    exact = scope.is_admin or scope.facilitator_id == facilitator_id
    return {
        "facilitator_id": facilitator_id,
        "facilitator": fac.name,
        "region": region,
        "households": mine.n_households,
        "suggestions": [
            asdict(x)
            | {
                "eligible_households": withhold(x.eligible_households, exact),
                "possible_households": withhold(x.possible_households, exact),
                "programs": [{"name": n, "eligible_households": withhold(k, exact)} for n, k in x.programs],
                "reason": x.reason(lang, shown(exact)),
            }
            for x in suggestions
        ],
    }


def _require_forum(session: Session, scope: Scope, forum_id: int) -> Forum:
    forum = session.get(Forum, forum_id)
    if forum is None or not (scope.is_admin or (scope.role is Role.forum_organizer and scope.forum_id == forum_id)):
        raise NotFound(f"forum {forum_id} not found")
    return forum


def forum_suggestions(
    session: Session,
    scope: Scope,
    forum_id: int,
    *,
    today: date,
    limit: int = 10,
    lang: Lang = "id",
    screened: RegionNetwork | None = None,
) -> dict[str, Any]:
    """The organisations whose invitation to the forum would cover most unmet demand (greedy).
    ``screened``: the forum region's network already loaded (its screening is reused)."""
    forum = _require_forum(session, scope, forum_id)
    exact = scope.is_admin
    if screened is not None and screened.region == forum.region_code:
        chunks = screened.chunks
    else:
        chunks = screen_chunks(session, forum.region_code, today=today)
    members = {
        m.member_id
        for m in session.exec(
            select(ForumMember).where(
                ForumMember.forum_id == forum_id,
                ForumMember.member_kind == PartyKind.organization,  # type: ignore[arg-type]
            )
        )
    }
    orgs = sorted({o for s in chunks for o in s.program_orgs})
    labels: dict[int, str] = {}
    if orgs:
        rows = session.exec(select(Organization.id, Organization.name).where(Organization.id.in_(orgs)))  # type: ignore[union-attr]
        labels = {int(oid or 0): name for oid, name in rows}
    unmet_units, invitations = an.forum_invitations(chunks, members, labels, limit=limit)
    return {
        "forum_id": forum_id,
        "forum": forum.name,
        "region": forum.region_code,
        "members": sorted(node_id("organization", m) for m in members),
        "unmet_units": withhold(unmet_units, exact),
        "invitations": [
            asdict(i)
            | {
                "marginal_households": withhold(i.marginal_households, exact),
                "marginal_units": withhold(i.marginal_units, exact),
                "cumulative_units": withhold(i.cumulative_units, exact),
                "reason": i.reason(lang, shown(exact)),
            }
            for i in invitations
        ],
    }
