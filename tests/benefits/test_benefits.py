"""The benefit record and the double-funding guard, through the API on the demo: completed
referrals enter the record, a certificate reaches the business once its facilitator confirms it
(and the family's matches follow), a referral for a need already funded carries a warning that the
receiving organisation reads without amounts or givers unless the family consented, reach and
bad input."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.benefits import Benefit
from models.households import Business, Household
from models.organizations import Organization, Program
from models.protection import hash_password
from models.users import AuditEvent, Role, User
from seeds.demo import DEMO_CASES
from tests.api.test_referrals import Headers, consent, move, refer
from tests.api.test_referrals import kemensos_staff as kemensos_staff  # a fixture

KJ, JAKTIM = "pendamping.kebonjayanti", "pendamping.jaktim"
KEMENSOS = "Kementerian Sosial Republik Indonesia"
SUDINSOS = "Suku Dinas Sosial Kota Administrasi Jakarta Timur"
LOAN, HALAL, TRAINING = (
    "Jakpreneur: Pinjaman Modal Usaha",
    "Jakpreneur: Fasilitasi Label dan Sertifikasi Halal",
    ("Jakpreneur: Pelatihan Kewirausahaan KPM"),
)
JAKPRENEUR_STAFF = "staf.jakpreneur"


def program(session: Session, name: str) -> Program:
    return session.exec(select(Program).where(Program.name == name)).one()


def org_id(session: Session, name: str) -> int:
    found = session.exec(select(Organization.id).where(Organization.name == name)).one()
    assert found is not None
    return found


def case(session: Session, key: str) -> Household:
    return session.exec(select(Household).where(Household.pkh_id == DEMO_CASES[key])).one()


def pena_last_month(session: Session, village_prefix: str) -> Household:
    """The demo's family of that area whose PENA capital grant came about a month ago."""
    pena = program(session, "PENA Berdikari")
    rows = session.exec(
        select(Household, Benefit)
        .join(Benefit, col(Benefit.household_id) == col(Household.id))
        .where(Benefit.program_id == pena.id, col(Household.village_code).startswith(village_prefix))
    ).all()
    recent = [h for h, b in rows if (date.today() - b.received_on).days == 30]
    assert recent, f"the demo has no family of {village_prefix} with a PENA grant last month"
    return recent[0]


@pytest.fixture
def jakpreneur(client: TestClient, session: Session) -> dict[str, str]:
    """Staff of Suku Dinas Sosial Jakarta Timur, which runs Jakpreneur."""
    session.add(
        User(
            username=JAKPRENEUR_STAFF,
            full_name="Petugas Jakpreneur (uji)",
            password_hash=hash_password("jakpreneur-uji-2026"),
            role=Role.agency_staff,
            organization_id=org_id(session, SUDINSOS),
        )
    )
    session.commit()
    token = client.post("/api/v1/auth/token", data={"username": JAKPRENEUR_STAFF, "password": "jakpreneur-uji-2026"})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def benefits_of(client: TestClient, headers: dict[str, str], hid: int) -> Any:
    return client.get(f"/api/v1/households/{hid}/benefits", headers=headers)


def test_the_double_funding_warning_appears_for_a_pena_grant_last_month_when_referred_to_jakpreneurs_loan(
    client: TestClient, session: Session, as_user: Headers, jakpreneur: dict[str, str]
) -> None:
    family = pena_last_month(session, "31.75")  # Jakarta Timur: PENA Jatinegara, where Jakpreneur lends
    assert family.id is not None
    record = benefits_of(client, as_user(JAKTIM), family.id)
    assert record.status_code == 200, record.text
    grant = next(b for b in record.json()["items"] if b["program_name"] == "PENA Berdikari")
    assert grant["kind"] == "capital_grant" and grant["need"] == "capital" and grant["amount"] == 2_400_000
    assert grant["organization_name"] == KEMENSOS and grant["referral_id"] and grant["source"] == "referral"

    loan = program(session, LOAN)
    consent(client, as_user(JAKTIM), family.id, loan.organization_id)
    sent = refer(client, as_user(JAKTIM), family.id, loan.id)
    assert sent.status_code == 201, sent.text  # a warning, not a refusal
    warnings = sent.json()["warnings"]
    assert [(w["code"], w["need"], w["since"]) for w in warnings] == [
        ("already_funded", "capital", grant["received_on"])
    ]
    assert warnings[0]["details"] == [
        {
            "kind": "capital_grant",
            "amount": 2_400_000,
            "received_on": grant["received_on"],
            "organization_name": KEMENSOS,
            "program_name": "PENA Berdikari",
        }
    ]

    # The receiving organisation reads only "already funded for this need".
    seen = client.get(f"/api/v1/referrals/{sent.json()['id']}", headers=jakpreneur)
    assert seen.status_code == 200, seen.text
    assert seen.json()["warnings"] == [{"code": "already_funded", "need": "capital", "since": None, "details": None}]
    inbox = client.get("/api/v1/referrals", params={"program_id": loan.id}, headers=jakpreneur).json()["items"]
    listed = next(r for r in inbox if r["id"] == sent.json()["id"])
    assert listed["warnings"][0]["details"] is None
    for text in (seen.text, str(inbox)):
        assert "2400000" not in text and KEMENSOS not in text and "PENA" not in text

    # A training programme is not funding: no warning.
    training = program(session, TRAINING)
    trained = refer(client, as_user(JAKTIM), family.id, training.id)
    assert trained.status_code == 201, trained.text
    assert trained.json()["warnings"] == []


def test_the_receiving_organisation_sees_the_details_when_the_family_consented_to_share_them(
    client: TestClient, session: Session, as_user: Headers, kemensos_staff: dict[str, str]
) -> None:
    family = pena_last_month(session, "32.73.16.1002")  # Kebon Jayanti
    assert family.id is not None
    body = {"kind": "loan", "received_on": (date.today() - timedelta(days=20)).isoformat(), "amount": 1_000_000,
            "provider": "Koperasi Uji Sejahtera"}  # fmt: skip
    assert client.post(f"/api/v1/households/{family.id}/benefits", json=body, headers=as_user(KJ)).status_code == 201
    reguler = program(session, "PENA Reguler")
    given = consent(client, as_user(KJ), family.id, reguler.organization_id, share_benefits=True)
    assert given["share_benefits"] is True
    sent = refer(client, as_user(KJ), family.id, reguler.id)
    assert sent.status_code == 201, sent.text
    seen = client.get(f"/api/v1/referrals/{sent.json()['id']}", headers=kemensos_staff).json()
    (warning,) = seen["warnings"]
    assert warning["since"] == body["received_on"]
    assert [(d["organization_name"], d["amount"]) for d in warning["details"]] == [
        ("Koperasi Uji Sejahtera", 1_000_000),
        (KEMENSOS, 2_400_000),
    ]


def test_a_benefit_outside_the_period_raises_no_warning_and_a_manual_entry_counts_from_any_giver(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    family = case(session, "jaktim_business_8_months")
    assert family.id is not None
    loan = program(session, LOAN)
    old = (date.today() - timedelta(days=400)).isoformat()
    body = {"kind": "capital_grant", "received_on": old, "amount": 3_000_000, "provider": "Bank Mitra (CSR)"}
    created = client.post(f"/api/v1/households/{family.id}/benefits", json=body, headers=as_user(JAKTIM))
    assert created.status_code == 201, created.text
    assert created.json()["need"] == "capital" and created.json()["source"] == "manual"
    assert created.json()["organization_name"] == "Bank Mitra (CSR)"
    consent(client, as_user(JAKTIM), family.id, loan.organization_id)
    sent = refer(client, as_user(JAKTIM), family.id, loan.id)
    assert sent.status_code == 201 and sent.json()["warnings"] == []

    # A loan from a cooperative two months ago, for capital: the open referral now warns, naming it.
    recent = (date.today() - timedelta(days=60)).isoformat()
    body = {"kind": "loan", "received_on": recent, "amount": 1_500_000, "provider": "Koperasi Simpan Pinjam"}
    assert (
        client.post(f"/api/v1/households/{family.id}/benefits", json=body, headers=as_user(JAKTIM)).status_code == 201
    )
    seen = client.get(f"/api/v1/referrals/{sent.json()['id']}", headers=as_user(JAKTIM)).json()
    (warning,) = seen["warnings"]
    assert warning["since"] == recent and warning["details"][0]["organization_name"] == "Koperasi Simpan Pinjam"


def test_a_completed_halal_certification_once_confirmed_makes_the_business_halal_and_the_matches_change(
    client: TestClient, session: Session, as_user: Headers, jakpreneur: dict[str, str]
) -> None:
    family = case(session, "jaktim_business_8_months")
    assert family.id is not None
    halal = program(session, HALAL)

    def halal_match() -> str:
        found = client.get(
            f"/api/v1/households/{family.id}/matches", params={"include_ineligible": True, "limit": 100},
            headers=as_user(JAKTIM),
        )  # fmt: skip
        assert found.status_code == 200, found.text
        return next(str(m["status"]) for m in found.json()["matches"] if m["program_id"] == halal.id)

    assert halal_match() == "eligible"
    consent(client, as_user(JAKTIM), family.id, halal.organization_id)
    sent = refer(client, as_user(JAKTIM), family.id, halal.id)
    assert sent.status_code == 201, sent.text
    rid = sent.json()["id"]
    for status in ("accepted", "enrolled"):
        assert move(client, jakpreneur, rid, status=status).status_code == 200
    done = move(client, jakpreneur, rid, status="completed", outcome={"certificate_obtained": True})
    assert done.status_code == 200, done.text

    record = benefits_of(client, as_user(JAKTIM), family.id).json()["items"]
    entry = next(b for b in record if b["referral_id"] == rid)
    assert entry["kind"] == "certification" and entry["certificates"] == ["halal"]
    assert entry["certificates_pending"] is True and entry["organization_name"] == SUDINSOS
    business = session.exec(select(Business).where(Business.household_id == family.id)).one()
    session.refresh(business)
    assert business.has_halal is False  # not before the facilitator confirms
    assert halal_match() == "eligible"

    confirmed = client.post(
        f"/api/v1/households/{family.id}/benefits/{entry['id']}/confirm", json={}, headers=as_user(JAKTIM)
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["certificates_pending"] is False and confirmed.json()["business_id"] == business.id
    household = client.get(f"/api/v1/households/{family.id}", headers=as_user(JAKTIM)).json()
    assert household["businesses"][0]["has_halal"] is True
    assert halal_match() == "ineligible"  # the programme asks for a business without a halal certificate

    again = client.post(
        f"/api/v1/households/{family.id}/benefits/{entry['id']}/confirm", json={}, headers=as_user(JAKTIM)
    )
    assert again.status_code == 409
    audited = session.exec(select(AuditEvent.action, AuditEvent.entity).where(AuditEvent.entity == "benefit")).all()
    assert ("create", "benefit") in audited and ("confirm", "benefit") in audited


def test_the_record_is_the_familys_facilitators_and_admins_only(
    client: TestClient, session: Session, as_user: Headers, jakpreneur: dict[str, str]
) -> None:
    family = pena_last_month(session, "31.75")
    entry = session.exec(select(Benefit).where(Benefit.household_id == family.id)).first()
    assert family.id is not None and entry is not None
    assert benefits_of(client, as_user("admin"), family.id).status_code == 200
    for outsider in (as_user(KJ), as_user("dinsos.bandung"), as_user("forum.bandung"), jakpreneur):
        assert benefits_of(client, outsider, family.id).status_code == 404
        body = {"kind": "loan", "received_on": "2026-01-05", "provider": "Bank"}
        assert client.post(f"/api/v1/households/{family.id}/benefits", json=body, headers=outsider).status_code == 404
        confirm = client.post(f"/api/v1/households/{family.id}/benefits/{entry.id}/confirm", json={}, headers=outsider)
        assert confirm.status_code == 404
    # A benefit of another family through this family's path: not found.
    other = case(session, "jaktim_business_8_months")
    wrong = client.post(f"/api/v1/households/{other.id}/benefits/{entry.id}/confirm", json={}, headers=as_user(JAKTIM))
    assert wrong.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "loan", "received_on": "2999-01-01", "provider": "Bank"}, "received_on"),
        ({"kind": "loan", "received_on": "2026-01-05"}, None),  # no giver
        ({"kind": "loan", "received_on": "2026-01-05", "provider": "Bank", "amount": -5}, "amount"),
        ({"kind": "loan", "received_on": "2026-01-05", "provider": "Bank", "certificates": ["halal"]}, "certificates"),
        ({"kind": "loan", "received_on": "2026-01-05", "organization_id": 999999}, "organization_id"),
        ({"kind": "gift", "received_on": "2026-01-05", "provider": "Bank"}, "kind"),
    ],
)
def test_a_manual_entry_with_bad_input_is_refused_naming_the_field(
    client: TestClient, session: Session, as_user: Headers, body: dict[str, Any], field: str | None
) -> None:
    family = case(session, "kebon_jayanti_age35_culinary")
    refused = client.post(f"/api/v1/households/{family.id}/benefits", json=body, headers=as_user(KJ))
    assert refused.status_code == 422, refused.text
    if field is not None:
        assert any(field in d["loc"] for d in refused.json()["detail"]), refused.text


def test_confirming_needs_a_certificate_and_the_familys_own_business(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    family = case(session, "kebon_jayanti_age35_culinary")
    other = case(session, "kebon_jayanti_age43_culinary")
    assert family.id is not None and other.id is not None
    body = {"kind": "certification", "received_on": "2026-01-05", "provider": "Dinas"}
    entry = client.post(f"/api/v1/households/{family.id}/benefits", json=body, headers=as_user(KJ)).json()
    path = f"/api/v1/households/{family.id}/benefits/{entry['id']}/confirm"
    nothing = client.post(path, json={}, headers=as_user(KJ))
    assert nothing.status_code == 422 and "certificates" in nothing.json()["detail"][0]["loc"]
    theirs = session.exec(select(Business.id).where(Business.household_id == other.id)).first()
    foreign = client.post(path, json={"certificates": ["pirt"], "business_id": theirs}, headers=as_user(KJ))
    assert foreign.status_code == 422 and "business_id" in foreign.json()["detail"][0]["loc"]
    done = client.post(path, json={"certificates": ["pirt"]}, headers=as_user(KJ))
    assert done.status_code == 200, done.text
    assert client.get(f"/api/v1/households/{family.id}", headers=as_user(KJ)).json()["businesses"][0]["has_pirt"]


def test_the_referral_plan_rows_carry_the_warning(client: TestClient, session: Session, as_user: Headers) -> None:
    family = pena_last_month(session, "31.75")
    loan = program(session, LOAN)
    plan = client.post(
        "/api/v1/network/referral-plan", json={"region": "31.75", "program_ids": [loan.id]}, headers=as_user(JAKTIM)
    )
    assert plan.status_code == 200, plan.text
    rows = {r["household_id"]: r for r in plan.json()["rows"]}
    assert family.id in rows, "the funded family is eligible for the loan and planned"
    (warning,) = rows[family.id]["warnings"]
    assert warning["code"] == "already_funded" and warning["need"] == "capital" and warning["since"]


def test_the_familys_access_export_holds_its_benefits_and_erasure_closes_the_record(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    family = pena_last_month(session, "32.73.16.1002")
    assert family.id is not None
    body = {"kind": "loan", "received_on": "2026-01-05", "provider": "Koperasi", "note": "Pinjaman untuk etalase"}
    created = client.post(f"/api/v1/households/{family.id}/benefits", json=body, headers=as_user(KJ)).json()
    export = client.post(f"/api/v1/households/{family.id}/data-requests/access", json={}, headers=as_user(KJ))
    assert export.status_code == 200, export.text
    data = export.json()
    held = {b["id"]: b for b in data["benefits"]}
    assert created["id"] in held and any(b["program_id"] for b in held.values())
    logged = {(e["entity"], e["action"]) for e in data["processing_log"]}
    assert ("benefit", "create") in logged
    erased = client.post(f"/api/v1/households/{family.id}/data-requests/erasure", json={}, headers=as_user(KJ))
    assert erased.status_code == 201, erased.text
    assert benefits_of(client, as_user(KJ), family.id).status_code == 404
    session.expire_all()
    assert session.get(Benefit, created["id"]).note is None  # type: ignore[union-attr]
