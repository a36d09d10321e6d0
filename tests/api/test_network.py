"""The network API on the demo: graph, metrics, scoping, bad input, and the papers' picture."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from mapping import network as net
from models.households import Facilitator, FacilitatorVillage, Household
from models.organizations import Organization
from models.regions import Region
from models.users import Role
from service import network as svc
from service.core.scope import Scope
from tests.conftest import settings_for

Headers = Callable[[str], dict[str, str]]
GRAPH = "/api/v1/network/graph"
METRICS = "/api/v1/network/metrics"
ISOLATED = (
    "Dinas Koperasi dan UMKM Kota Bandung",
    "Dinas Perdagangan dan Perindustrian Kota Bandung",
    "Forum CSR Kota Bandung",
)
KEBON_JAYANTI = "32.73.16.1002"


def test_graph_of_kota_bandung(client: TestClient, as_user: Headers, session: Session) -> None:
    r = client.get(GRAPH, params={"region": "32.73"}, headers=as_user("admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    kinds = {n["kind"] for n in body["nodes"]}
    assert kinds == set(net.NODE_KINDS)
    labels = {n["label"] for n in body["nodes"]}
    assert "Dinas Sosial Kota Bandung" in labels and set(ISOLATED) <= labels
    ids = {n["id"] for n in body["nodes"]}
    assert f"village:{KEBON_JAYANTI}" in ids
    assert all(e["source"] in ids and e["target"] in ids for e in body["edges"])
    assert {e["type"] for e in body["edges"]} <= set(net.EDGE_TYPES)
    # Demand: eligible households as counts, never more than the village holds.
    families = len(session.exec(select(Household.id).where(Household.village_code == KEBON_JAYANTI)).all())
    demand = [e for e in body["edges"] if e["type"] == "demand"]
    assert demand and all(0 < e["weight"] <= families for e in demand)
    refers = [e for e in body["edges"] if e["type"] == "refers"]
    assert refers and all(e["weight"] == sum(e["by_status"].values()) for e in refers)


def test_no_household_identity_in_any_output(client: TestClient, as_user: Headers, session: Session) -> None:
    households = session.exec(select(Household).where(Household.village_code == KEBON_JAYANTI)).all()
    assert households
    for url in (GRAPH, METRICS):
        for user in ("admin", "forum.bandung", "pendamping.kebonjayanti", "dinsos.bandung"):
            r = client.get(url, params={"region": "32.73"}, headers=as_user(user))
            assert r.status_code == 200, (url, user, r.text)
            text = r.text
            assert "household" not in text.lower()
            for h in households[:40]:
                assert h.pkh_id not in text and h.nik_masked not in text and h.head_name not in text


def test_metrics_of_kota_bandung(client: TestClient, as_user: Headers) -> None:
    r = client.get(METRICS, params={"region": "32.73"}, headers=as_user("forum.bandung"))
    assert r.status_code == 200, r.text
    body = r.json()
    net_ = body["network"]
    assert net_["nodes"] == len(body["nodes"]) > 0
    assert net_["components"] >= 1 and 0 < net_["density"] <= 1
    assert net_["betweenness_exact"] and net_["paths_exact"]
    fields = {"degree", "weighted_degree", "betweenness", "closeness", "pagerank", "two_step_reach",
              "constraint", "effective_size", "community"}  # fmt: skip
    assert all(fields <= n.keys() for n in body["nodes"])
    assert sorted(m for c in net_["communities"] for m in c["members"]) == sorted(n["id"] for n in body["nodes"])
    labels = {n["id"]: n["label"] for n in body["nodes"]}
    assert all(c["label"] == labels[c["center"]] for c in net_["communities"])


def test_scoping(client: TestClient, as_user: Headers) -> None:
    cases = {
        "admin": {"32.73": 200, "31.75": 200, "32": 200},
        "forum.bandung": {"32.73": 200, "32.73.16": 200, KEBON_JAYANTI: 200, "32": 404, "31.75": 404},
        "pendamping.kebonjayanti": {"32.73": 200, "32": 200, "32.73.16": 200, "31.75": 404},
        "dinsos.bandung": {"32.73": 200, "31.75": 404},
    }
    for user, expected in cases.items():
        for region, code in expected.items():
            for url in (GRAPH, METRICS):
                r = client.get(url, params={"region": region}, headers=as_user(user))
                assert r.status_code == code, (user, region, url, r.text)


def test_bad_input(client: TestClient, as_user: Headers) -> None:
    assert client.get(GRAPH, params={"region": "32.73"}).status_code == 401
    r = client.get(GRAPH, params={"region": "32.99"}, headers=as_user("admin"))
    assert r.status_code == 422, r.text
    r = client.get(METRICS, params={"region": "not-a-code"}, headers=as_user("admin"))
    assert r.status_code == 422, r.text
    assert client.get(GRAPH, headers=as_user("admin")).status_code == 422


def test_empty_region_is_well_formed(client: TestClient, as_user: Headers, session: Session) -> None:
    # A village far from every demo record (Papua): no organisation, facilitator, forum or household.
    region = session.exec(
        select(Region.code).where(Region.code.like("9%.%.%.%")).order_by(Region.code)  # type: ignore[attr-defined]
    ).first()
    assert region is not None
    g = client.get(GRAPH, params={"region": region}, headers=as_user("admin"))
    m = client.get(METRICS, params={"region": region}, headers=as_user("admin"))
    assert g.status_code == m.status_code == 200, (g.text, m.text)
    kinds = {n["kind"] for n in g.json()["nodes"]}
    assert kinds <= {"organization", "program"}  # at most national programmes serving everywhere
    assert not any(e["type"] in ("demand", "refers", "serves") for e in g.json()["edges"])
    assert m.json()["network"]["nodes"] == len(g.json()["nodes"])


def test_window_filters_referrals(client: TestClient, as_user: Headers) -> None:
    full = client.get(GRAPH, params={"region": "32.73"}, headers=as_user("admin")).json()
    none = client.get(GRAPH, params={"region": "32.73", "until": "2000-01-01"}, headers=as_user("admin")).json()
    assert any(e["type"] == "refers" for e in full["edges"])
    assert not any(e["type"] in ("refers", "partners") for e in none["edges"])


def test_demo_kumkm_disdagin_and_csr_are_isolated_from_pkh(session: Session) -> None:
    """Paper 002's picture: in Kota Bandung, Dinas KUMKM, Disdagin and Forum CSR have no tie to PKH."""
    admin = Scope(user_id=0, role=Role.admin)
    g = svc.load_network(session, admin, "32.73", today=settings_for("sqlite://").today()).graph
    fid = session.exec(
        select(Facilitator.id)
        .join(FacilitatorVillage, FacilitatorVillage.facilitator_id == Facilitator.id)  # type: ignore[arg-type]
        .where(FacilitatorVillage.village_code == KEBON_JAYANTI)
    ).one()
    facilitator = net.node_id("facilitator", fid or 0)
    by_name = {name: oid or 0 for name, oid in session.exec(select(Organization.name, Organization.id))}
    isolated = {net.node_id("organization", by_name[name]) for name in ISOLATED}
    assert isolated <= set(g.nodes)
    facilitators = {v for v, k in g.nodes(data="kind") if k == "facilitator"}
    for v in isolated:
        ties = [(a, b) for a, b, t in g.edges(v, data="type") if t in net.TIE_TYPES]
        ties += [(a, b) for a, b, t in g.in_edges(v, data="type") if t in net.TIE_TYPES]
        assert ties == [], (v, ties)
    # Not in the facilitator's ego network over ties, and no path at all through ties and offers
    # (so not even via a referral to one of their programmes).
    assert not isolated & net.ego_ties(g, facilitator, radius=2)
    ties_and_offers = net.undirected(g, net.TIE_TYPES | {"offers"})
    assert not any(nx.has_path(ties_and_offers, facilitator, v) for v in isolated)
    assert not any(nx.has_path(ties_and_offers, f, v) for f in facilitators for v in isolated)
    # Their partners in the same graph, by contrast, reach the facilitator in one step.
    dinsos = net.node_id("organization", by_name["Dinas Sosial Kota Bandung"])
    assert dinsos in net.ego_ties(g, facilitator, radius=1)
    # Yet families of Kebon Jayanti are eligible for their programmes: demand meets no tie.
    programmes = {b for v in isolated for _, b, t in g.out_edges(v, data="type") if t == "offers"}
    demand = {b for _, b, t in g.out_edges(net.node_id("village", KEBON_JAYANTI), data="type") if t == "demand"}
    assert programmes & demand
