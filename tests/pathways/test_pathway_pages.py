"""The pathway pages through the TestClient with a cookie sign-in: an agency defines a pathway on
the form (a step naming a programme that does not exist is refused naming the step), the
organiser changes its forum's pathway, the family page and the caseload show each family's next
step, and the forum dashboard shows each pathway's funnel with small counts withheld."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from models.households import Household
from models.organizations import Program
from models.pathways import Pathway, PathwayStep
from models.referrals import Referral, ReferralStatus
from seeds.demo import DEMO_CASES
from service.web.pathways import STEP_ROWS
from tests.conftest import DEMO_PASSWORDS, login_form

KJ_PATHWAY = "Jalur Kemandirian Usaha KPM Kebon Jayanti"


def sign_in(client: TestClient, username: str) -> str:
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORDS[username], **login_form(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client.cookies.get("jejaring_session") or ""


def csrf(client: TestClient) -> str:
    page = client.get("/jalur/baru").text
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _program(session: Session, name: str) -> int:
    return int(session.exec(select(Program.id).where(Program.name == name)).one())


def _family(session: Session, case: str) -> int:
    return int(session.exec(select(Household.id).where(Household.pkh_id == DEMO_CASES[case])).one())


def test_an_agency_defines_a_pathway_on_the_form(client: TestClient, session: Session) -> None:
    sign_in(client, "dinsos.bandung")
    form = client.get("/jalur/baru")
    assert form.status_code == 200
    assert f'name="s{STEP_ROWS - 1}_target"' in form.text and f'name="s{STEP_ROWS}_target"' not in form.text
    assert "Program sertifikasi apa pun" in form.text
    token = csrf(client)
    training = _program(session, "Pelatihan Manajemen Usaha Mikro")
    fields = {
        "csrf": token,
        "name": "Jalur Kuliner Kiaracondong",
        "goal": "Usaha kuliner bersertifikat",
        "region_code": "32.73",
        "s0_target": f"program:{training}",
        "s1_target": "kind:certification",
        "s1_label": "PIRT / halal",
        "s3_target": "kind:marketing",  # an empty row between is skipped
    }
    refused = client.post("/jalur/baru", data={**fields, "s1_target": "program:999999"})
    assert refused.status_code == 422
    assert "Langkah 2: program itu tidak ditemukan" in text_of(refused.text)
    assert 'value="Jalur Kuliner Kiaracondong"' in refused.text  # what was typed comes back
    made = client.post("/jalur/baru", data=fields, follow_redirects=False)
    assert made.status_code == 303, text_of(made.text)[:400]
    page = client.get(made.headers["location"])
    shown = text_of(page.text)
    assert "Jalur tersimpan." in shown and "Dinas Sosial Kota Bandung" in shown
    assert re.search(r"Pelatihan Manajemen Usaha Mikro .*PIRT / halal .*Program pemasaran apa pun", shown)
    pathway = session.exec(select(Pathway).where(Pathway.name == "Jalur Kuliner Kiaracondong")).one()
    steps = session.exec(select(PathwayStep).where(PathwayStep.pathway_id == pathway.id)).all()
    assert [s.position for s in steps] == [0, 1, 2]
    listed = text_of(client.get("/jalur").text)
    assert "Jalur Kuliner Kiaracondong" in listed and KJ_PATHWAY in listed


def test_the_organiser_changes_its_forums_pathway_and_a_facilitator_has_no_pathway_pages(
    client: TestClient, session: Session
) -> None:
    pathway = session.exec(select(Pathway).where(Pathway.name == KJ_PATHWAY)).one()
    sign_in(client, "forum.bandung")
    page = client.get(f"/jalur/{pathway.id}")
    assert page.status_code == 200 and 'name="s4_target"' in page.text
    token = csrf(client)
    fields = {"csrf": token, "version": str(pathway.version), "name": "Jalur KJ", "region_code": "32.73"}
    fields |= {"s0_target": "kind:training", "s0_label": "Modul ekonomi P2K2", "s1_target": "kind:marketing"}
    changed = client.post(f"/jalur/{pathway.id}", data=fields, follow_redirects=False)
    assert changed.status_code == 303
    stale = client.post(f"/jalur/{pathway.id}", data=fields)
    assert stale.status_code == 409 and "baru saja diubah" in stale.text
    client.cookies.clear()
    sign_in(client, "pendamping.kebonjayanti")
    assert client.get("/jalur").status_code == 404
    assert client.get(f"/jalur/{pathway.id}").status_code == 404


def test_the_family_page_and_the_caseload_show_the_next_step(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    lacking = text_of(client.get(f"/kpm/{_family(session, 'kebon_jayanti_non_prse_woman')}").text)
    assert "Langkah berikutnya di jalur kemandirian" in lacking and KJ_PATHWAY in lacking
    assert "Langkah 1: Modul ekonomi P2K2 dan pelatihan usaha" in lacking
    assert "Belum memenuhi syarat" in lacking and "Yang belum terpenuhi:" in lacking
    eligible = text_of(client.get(f"/kpm/{_family(session, 'kebon_jayanti_age35_culinary')}").text)
    assert re.search(r"Modul ekonomi P2K2 dan pelatihan usaha .{0,80}Memenuhi syarat", eligible)
    assert "0 dari 5 langkah selesai" in eligible
    caseload = client.get("/kpm")
    assert caseload.status_code == 200
    rows = re.findall(r"<tr><td><a href=\"/kpm/(\d+)\">.*?</tr>", caseload.text, re.S)
    assert rows
    table = text_of(caseload.text)
    assert "Langkah berikutnya" in table and "Modul ekonomi P2K2 dan pelatihan usaha" in table
    assert 'data-status="eligible"' in caseload.text and 'data-status="ineligible"' in caseload.text
    assert ">certification<" not in caseload.text and ">ineligible<" not in caseload.text  # labels, not enums


def _funnel_cells(html: str, pathway_id: int) -> dict[str, str]:
    table = re.search(rf'<table class="funnel" data-pathway="{pathway_id}".*?</table>', html, re.S)
    assert table, "no funnel"
    cells = re.findall(r'<tr data-position="([^"]+)">.*?<td class="num">(.*?)</td>', table.group(0), re.S)
    total = re.search(r"<tfoot>.*?<td class=\"num\">(.*?)</td>", table.group(0), re.S)
    assert total
    return {k: text_of(v).strip() for k, v in cells} | {"total": text_of(total.group(1)).strip()}


def test_the_forum_dashboard_shows_each_pathways_funnel_withholding_small_counts(
    client: TestClient, session: Session
) -> None:
    pathway = session.exec(select(Pathway).where(Pathway.name == KJ_PATHWAY)).one()
    training, berdikari = _program(session, "Pelatihan Manajemen Usaha Mikro"), _program(session, "PENA Berdikari")
    done = {r for r in session.exec(select(Referral.household_id).where(Referral.status == ReferralStatus.completed))}
    families = session.exec(
        select(Household)
        .where(col(Household.village_code).startswith("32.73."), col(Household.id).not_in(done))
        .order_by(col(Household.id))
        .limit(8)
    ).all()
    for i, h in enumerate(families):  # 2 trained (next: PENA), 6 trained and funded by PENA (next: certification)
        programs = [training] if i < 2 else [training, berdikari]
        for pid in programs:
            session.add(
                Referral(household_id=h.id, program_id=pid, facilitator_id=h.facilitator_id, status="completed")
            )
    session.commit()
    total = session.exec(
        select(func.count()).select_from(Household).where(col(Household.village_code).startswith("32.73."))
    ).one()
    sign_in(client, "forum.bandung")
    page = client.get("/forum")
    assert page.status_code == 200
    organiser = _funnel_cells(page.text, pathway.id or 0)
    assert organiser["1"] == "<5" and organiser["2"] == "<5"  # 2 withheld, and 6 with it (else derivable)
    assert organiser["3"] == "0" and organiser["done"] == "0"
    assert int(organiser["0"]) % 5 == 0 and abs(int(organiser["0"]) - (total - 8)) <= 2
    assert "Corong jalur kemandirian" in text_of(page.text)
    client.cookies.clear()
    sign_in(client, "admin")
    admin = _funnel_cells(client.get("/forum?region=32.73").text, pathway.id or 0)
    assert admin == {"0": str(total - 8), "1": "2", "2": "6", "3": "0", "4": "0", "done": "0", "total": str(total)}
