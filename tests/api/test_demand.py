"""Demand in an agency's area, by village: counts only, small counts withheld."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from mapping.catalog import KIND_MEETS_NEEDS
from mapping.matching import MatchStatus, evaluate_program
from mapping.privacy import withhold
from models.households import Business, Household
from models.organizations import Organization, Program, ProgramStatus
from models.referrals import Referral
from models.types import code_within
from service.matching import household_facts, program_facts
from tests.conftest import settings_for

Headers = Callable[[str], dict[str, str]]
DINSOS = "Dinas Sosial Kota Bandung"


def expected_demand(session: Session, org_id: int) -> dict[str, tuple[int, int, int, int]]:
    """The same figures computed the slow, obvious way: family by family, programme by programme."""
    today = settings_for("sqlite://").today()
    programs, _ = program_facts(session, [Program.organization_id == org_id, Program.status != ProgramStatus.closed])
    areas = {c for p in programs for c in p.service_area}
    households = [h for h in session.exec(select(Household)) if any(code_within(h.village_code, a) for a in areas)]
    facts = {f.household_id: f for f in household_facts(session, households, today=today)}
    referred = set(
        session.exec(select(Referral.household_id).where(Referral.program_id.in_([p.program_id for p in programs])))
    )  # type: ignore[attr-defined]
    sectors = {s for p in programs for s in p.sectors}
    any_sector = any(not p.sectors for p in programs)
    needs = {n for p in programs for n in KIND_MEETS_NEEDS.get(p.kind, ())}
    out: dict[str, Counter[str]] = {}
    for h in households:
        c = out.setdefault(h.village_code, Counter())
        c["households"] += 1
        businesses = session.exec(select(Business).where(Business.household_id == h.id)).all()
        c["fit"] += any((any_sector or b.sector in sectors) and set(b.needs or ()) & needs for b in businesses)
        opened = [replace(p, status="active") for p in programs]
        c["eligible"] += any(
            evaluate_program(facts[h.id or 0], p, today=today).status is MatchStatus.eligible for p in opened
        )
        c["referred"] += h.id in referred
    return {v: (c["households"], c["fit"], c["eligible"], c["referred"]) for v, c in out.items()}


def test_demand_by_village_matches_a_family_by_family_count(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    dinsos = session.exec(select(Organization).where(Organization.name == DINSOS)).one()
    exact = client.get(f"/api/v1/organizations/{dinsos.id}/demand", headers=as_user("admin")).json()
    got = {
        v["village_code"]: (v["households"], v["with_fitting_business"], v["eligible"], v["referred"])
        for v in exact["villages"]
    }
    expected = expected_demand(session, dinsos.id or 0)
    assert got == expected
    kebon_jayanti = got["32.73.16.1002"]
    assert kebon_jayanti[0] == 350 and kebon_jayanti[2] > 0

    seen = client.get(f"/api/v1/organizations/{dinsos.id}/demand", headers=as_user("dinsos.bandung"))
    assert seen.status_code == 200 and seen.json()["withheld_below"] == 5
    for village in seen.json()["villages"]:
        figures = (village["households"], village["with_fitting_business"], village["eligible"], village["referred"])
        for shown, true in zip(figures, got[village["village_code"]], strict=True):
            assert shown == withhold(true)  # 1-4 withheld, the rest rounded to multiples of 5 (issue 15 #1)
    assert "head_name" not in seen.text and "pkh_id" not in seen.text


def test_demand_is_not_for_facilitators_or_other_agencies(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    dinsos = session.exec(select(Organization).where(Organization.name == DINSOS)).one()
    csr = session.exec(select(Organization).where(Organization.name == "Forum CSR Kota Bandung")).one()
    assert (
        client.get(f"/api/v1/organizations/{dinsos.id}/demand", headers=as_user("pendamping.kebonjayanti")).status_code
        == 403
    )
    assert client.get(f"/api/v1/organizations/{csr.id}/demand", headers=as_user("dinsos.bandung")).status_code == 404
    assert client.get(f"/api/v1/organizations/{dinsos.id}/demand", headers=as_user("forum.bandung")).status_code == 200
