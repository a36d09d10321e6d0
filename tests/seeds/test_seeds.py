"""Reference regions and the demo: complete, faithful to the field, and idempotent."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from models.households import Business, Facilitator, Household, KpmGroup
from models.network import Partnership, PartyKind
from models.organizations import Organization
from models.referrals import Referral
from models.regions import Region
from seeds.demo import load_demo
from seeds.regions import load_regions
from tests.conftest import settings_for

KEBON_JAYANTI = "32.73.16.1002"
ISOLATED_IN_BANDUNG = (
    "Dinas Koperasi dan UMKM Kota Bandung",
    "Dinas Perdagangan dan Perindustrian Kota Bandung",
    "Forum CSR Kota Bandung",
)


def table_counts(session: Session) -> dict[str, int]:
    return {
        name: int(session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
        for name, table in SQLModel.metadata.tables.items()
        if name != "auditevent"
    }


def test_regions_hold_every_official_code(session: Session) -> None:
    counts = dict(session.exec(select(Region.level, sa.func.count()).group_by(Region.level)).all())
    assert counts == {"province": 38, "regency": 514, "district": 7277, "village": 83763}
    village = session.get(Region, KEBON_JAYANTI)
    assert village is not None and village.name == "Kebon Jayanti" and village.parent_code == "32.73.16"
    orphans = session.scalar(
        sa.select(sa.func.count()).select_from(Region).where(Region.level != "province", Region.parent_code.is_(None))  # type: ignore[union-attr]
    )
    assert orphans == 0


def test_seeding_twice_changes_no_count(session: Session, db_url: str) -> None:
    before = table_counts(session)
    assert before["household"] > 1000
    assert load_regions(session)["village"] == 83763
    load_demo(session, nik_key=settings_for(db_url).nik_hash_key)
    assert table_counts(session) == before


def test_demo_kebon_jayanti_matches_paper_002(session: Session) -> None:
    households = session.exec(select(Household).where(Household.village_code == KEBON_JAYANTI)).all()
    assert len(households) == 350
    assert len({h.facilitator_id for h in households}) == 1
    groups = session.exec(select(KpmGroup).where(KpmGroup.village_code == KEBON_JAYANTI)).all()
    assert len(groups) == 13
    sizes = [sum(1 for h in households if h.group_id == g.id) for g in groups]
    assert all(20 <= n <= 35 for n in sizes), sizes
    leaders = {g.leader_household_id for g in groups}
    assert leaders <= {h.id for h in households}
    ids = [h.id for h in households]
    owners = session.exec(select(Business.household_id, Business.sector).where(Business.household_id.in_(ids))).all()  # type: ignore[attr-defined]
    with_business = {hid for hid, _ in owners}
    assert 70 <= len(with_business) <= 90
    sectors = [s for _, s in owners]
    assert max(set(sectors), key=sectors.count) == "culinary"


def test_demo_bandung_agencies_have_no_tie_to_pkh(session: Session) -> None:
    orgs = session.exec(select(Organization).where(Organization.name.in_(ISOLATED_IN_BANDUNG))).all()  # type: ignore[attr-defined]
    assert len(orgs) == 3
    org_ids = {o.id for o in orgs}
    ties = session.exec(select(Partnership)).all()
    touching = [
        p
        for p in ties
        if (p.party_a_kind == PartyKind.organization and p.party_a_id in org_ids)
        or (p.party_b_kind == PartyKind.organization and p.party_b_id in org_ids)
    ]
    assert touching == []
    assert len(ties) > 0
    from models.organizations import Program

    their_programs = session.exec(select(Program.id).where(Program.organization_id.in_(org_ids))).all()  # type: ignore[attr-defined]
    assert len(their_programs) >= 3
    referred = session.exec(select(Referral).where(Referral.program_id.in_(their_programs))).all()  # type: ignore[attr-defined]
    assert referred == []


def test_demo_covers_four_areas_and_stores_no_nik_in_clear(session: Session) -> None:
    for code in ("32.73.16.1002", "31.75", "18.02.10.2002", "35.14.01.2011"):
        n = session.scalar(
            sa.select(sa.func.count())
            .select_from(Household)
            .where(sa.or_(Household.village_code == code, Household.village_code.like(code + ".%")))
        )
        assert n and n >= 100, code
    assert session.scalar(sa.select(sa.func.count()).select_from(Facilitator)) >= 6
    for h in session.exec(select(Household).limit(50)).all():
        assert len(h.nik_hash) == 64 and h.nik_masked[:12] == "*" * 12
