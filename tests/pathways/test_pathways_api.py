"""Pathways through the API on the demo: agencies and organisers define them (a step naming a
programme that does not exist or that the caller cannot see is refused naming the step), everyone
reads those of their reach, only owners change them; a family's next step says whether it is
eligible or what it lacks, and only its facilitator and administrators see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from models.households import Household
from models.organizations import Program, ProgramStatus
from models.pathways import Pathway
from models.referrals import Referral, ReferralStatus
from models.users import AuditEvent
from seeds.demo import DEMO_CASES

Headers = Callable[[str], dict[str, str]]
API = "/api/v1"
KJ_PATHWAY = "Jalur Kemandirian Usaha KPM Kebon Jayanti"
JAKTIM_PATHWAY = "Jalur Jakpreneur Jakarta Timur"


def _program(session: Session, name: str) -> int:
    return int(session.exec(select(Program.id).where(Program.name == name)).one())


def _family(session: Session, case: str) -> int:
    return int(session.exec(select(Household.id).where(Household.pkh_id == DEMO_CASES[case])).one())


def _pathway(session: Session, name: str) -> int:
    return int(session.exec(select(Pathway.id).where(Pathway.name == name)).one())


def _body(session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Jalur Kuliner Kiaracondong",
        "goal": "Usaha kuliner bersertifikat dan terjual",
        "region_code": "32.73",
        "steps": [
            {"program_id": _program(session, "Pelatihan Manajemen Usaha Mikro")},
            {"program_kind": "certification", "label": "PIRT / halal"},
            {"program_kind": "marketing"},
        ],
        **extra,
    }


def test_agency_defines_a_pathway_for_its_organisation_and_reads_it_back(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    created = client.post(f"{API}/pathways", json=_body(session), headers=as_user("dinsos.bandung"))
    assert created.status_code == 201, created.text
    p = created.json()
    assert p["owner_kind"] == "organization" and p["owner_name"] == "Dinas Sosial Kota Bandung"
    assert [s["program_name"] or s["program_kind"] for s in p["steps"]] == [
        "Pelatihan Manajemen Usaha Mikro",
        "certification",
        "marketing",
    ]
    assert p["steps"][1]["label"] == "PIRT / halal" and p["can_edit"] is True
    assert p["region_name"]
    audit = session.exec(select(AuditEvent).where(AuditEvent.entity == "pathway", AuditEvent.action == "create")).all()
    assert [a.entity_id for a in audit] == [str(p["id"])]
    listed = client.get(f"{API}/pathways", headers=as_user("dinsos.bandung")).json()
    names = {i["name"] for i in listed["items"]}
    assert {"Jalur Kuliner Kiaracondong", KJ_PATHWAY} <= names and JAKTIM_PATHWAY not in names
    assert set(listed) == {"items", "total", "limit", "offset"}
    # The organiser of Kota Bandung's forum reads it (same region) but does not change it.
    read = client.get(f"{API}/pathways/{p['id']}", headers=as_user("forum.bandung"))
    assert read.status_code == 200 and read.json()["can_edit"] is False
    refused = client.patch(
        f"{API}/pathways/{p['id']}", json={"version": p["version"], "name": "X"}, headers=as_user("forum.bandung")
    )
    assert refused.status_code == 403


def test_a_step_naming_a_programme_that_does_not_exist_is_refused_naming_the_step(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    body = _body(session)
    body["steps"].append({"program_id": 999_999})
    refused = client.post(f"{API}/pathways", json=body, headers=as_user("forum.bandung"))
    assert refused.status_code == 422
    detail = refused.json()["detail"][0]
    assert detail["loc"] == ["body", "steps", 3, "program_id"]
    assert "steps[3].program_id" in detail["msg"] and "999999" in detail["msg"]
    # Another organisation's draft is one the organiser cannot see: the same answer.
    draft = session.exec(
        select(Program.id).where(Program.status == ProgramStatus.draft, col(Program.name).contains("Perempuan"))
    ).one()
    body["steps"][3] = {"program_id": draft}
    refused = client.post(f"{API}/pathways", json=body, headers=as_user("forum.bandung"))
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "steps", 3, "program_id"]
    both = _body(session)
    both["steps"][2] = {"program_id": _program(session, "PENA Berdikari"), "program_kind": "loan"}
    refused = client.post(f"{API}/pathways", json=both, headers=as_user("forum.bandung"))
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "steps", 2, "program_id"]
    assert "not both" in refused.json()["detail"][0]["msg"]
    assert session.exec(select(Pathway).where(Pathway.name == "Jalur Kuliner Kiaracondong")).first() is None


def test_a_region_outside_the_callers_reach_and_a_facilitator_are_refused(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    outside = client.post(f"{API}/pathways", json=_body(session, region_code="31.75"), headers=as_user("forum.bandung"))
    assert outside.status_code == 422 and outside.json()["detail"][0]["loc"] == ["body", "region_code"]
    unknown = client.post(f"{API}/pathways", json=_body(session, region_code="32.99"), headers=as_user("admin"))
    assert unknown.status_code == 422
    facilitator = client.post(f"{API}/pathways", json=_body(session), headers=as_user("pendamping.kebonjayanti"))
    assert facilitator.status_code == 403
    no_owner = client.post(f"{API}/pathways", json=_body(session), headers=as_user("admin"))
    assert no_owner.status_code == 422 and no_owner.json()["detail"][0]["loc"] == ["body", "organization_id"]


def test_an_owner_changes_the_steps_at_the_version_read_and_others_get_404(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    kj, jaktim = _pathway(session, KJ_PATHWAY), _pathway(session, JAKTIM_PATHWAY)
    organiser = as_user("forum.bandung")
    read = client.get(f"{API}/pathways/{kj}", headers=organiser)
    assert read.status_code == 200 and read.json()["can_edit"] is True
    version = read.json()["version"]
    steps = [{"program_kind": "training"}, {"program_id": _program(session, "PENA Berdikari")}]
    changed = client.patch(f"{API}/pathways/{kj}", json={"version": version, "steps": steps}, headers=organiser)
    assert changed.status_code == 200, changed.text
    assert [s["position"] for s in changed.json()["steps"]] == [0, 1] and changed.json()["version"] == version + 1
    stale = client.patch(f"{API}/pathways/{kj}", json={"version": version, "name": "Lama"}, headers=organiser)
    assert stale.status_code == 409
    bad = client.patch(
        f"{API}/pathways/{kj}",
        json={"version": version + 1, "steps": [{"program_kind": "training"}, {"program_id": 999_999}]},
        headers=organiser,
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "steps", 1, "program_id"]
    for who in ("forum.bandung", "dinsos.bandung", "pendamping.kebonjayanti"):
        assert client.get(f"{API}/pathways/{jaktim}", headers=as_user(who)).status_code == 404, who
        patched = client.patch(f"{API}/pathways/{jaktim}", json={"version": 1, "name": "X"}, headers=as_user(who))
        assert patched.status_code == 404, who
    assert client.get(f"{API}/pathways/{jaktim}", headers=as_user("admin")).status_code == 200


def test_next_steps_say_eligible_or_what_the_family_lacks(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    facilitator = as_user("pendamping.kebonjayanti")
    eligible = client.get(
        f"{API}/households/{_family(session, 'kebon_jayanti_age35_culinary')}/next-steps", headers=facilitator
    )
    assert eligible.status_code == 200, eligible.text
    [step] = eligible.json()["items"]  # Jakarta Timur's pathway does not serve Kebon Jayanti
    assert step["pathway_name"] == KJ_PATHWAY and step["position"] == 0 and step["status"] == "eligible"
    assert step["step"]["label"] == "Modul ekonomi P2K2 dan pelatihan usaha" and step["lacks"] == []
    assert "Pelatihan Manajemen Usaha Mikro" in [p["program_name"] for p in step["programs"]]

    lacking = client.get(
        f"{API}/households/{_family(session, 'kebon_jayanti_non_prse_woman')}/next-steps?lang=en", headers=facilitator
    ).json()["items"][0]
    assert lacking["status"] == "ineligible" and lacking["position"] == 0
    assert [(r["field"], r["result"]) for r in lacking["lacks"]] == [("business.exists", "fail")]
    assert lacking["lacks"][0]["message"]

    young = client.get(
        f"{API}/households/{_family(session, 'jaktim_business_3_months')}/next-steps?lang=en", headers=as_user("admin")
    ).json()["items"]
    [jak] = [i for i in young if i["pathway_name"] == JAKTIM_PATHWAY]
    assert jak["status"] == "ineligible" and jak["step"]["label"] == "Pelatihan Jakpreneur"
    assert any(r["field"] == "business.age_months" and "3" in r["message"] for r in jak["lacks"]), jak["lacks"]
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "read_next_steps")).all()
    assert len(audit) == 3


def test_a_family_that_completed_training_and_loan_is_next_at_the_outlet(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    loan = _program(session, "Jakpreneur: Pinjaman Modal Usaha")
    household_id = session.exec(
        select(Referral.household_id).where(Referral.program_id == loan, Referral.status == ReferralStatus.completed)
    ).first()
    assert household_id is not None
    items = client.get(f"{API}/households/{household_id}/next-steps", headers=as_user("admin")).json()["items"]
    [jak] = [i for i in items if i["pathway_name"] == JAKTIM_PATHWAY]
    assert jak["steps_completed"] == 2 and jak["position"] == 2 and jak["step"]["program_kind"] == "marketing"
    assert jak["status"] in ("eligible", "unknown", "ineligible")
    assert jak["programs"] and all(p["program_name"] for p in jak["programs"])


def test_next_steps_of_a_family_outside_ones_care_are_not_found(
    client: TestClient, session: Session, as_user: Headers
) -> None:
    jaktim_family = _family(session, "jaktim_business_8_months")
    kj_family = _family(session, "kebon_jayanti_age35_culinary")
    assert (
        client.get(
            f"{API}/households/{jaktim_family}/next-steps", headers=as_user("pendamping.kebonjayanti")
        ).status_code
        == 404
    )
    for who in ("dinsos.bandung", "forum.bandung"):
        assert client.get(f"{API}/households/{kj_family}/next-steps", headers=as_user(who)).status_code == 404, who
    assert client.get(f"{API}/households/{kj_family}/next-steps").status_code == 401
    denied = session.exec(
        select(AuditEvent).where(AuditEvent.action == "read_next_steps", AuditEvent.outcome == "denied")
    ).all()
    assert len(denied) == 3
