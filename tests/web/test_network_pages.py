"""The facilitator's network page (``/jejaring``): organisations to meet first and the referral
plan of their own caseload, through the TestClient with a cookie sign-in; one test drives it in
headless Chromium on a phone-sized screen, from the plan to the family's refer form."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Household
from models.organizations import Program, ProgramStatus
from models.users import User
from service import network as advice
from service.core.scope import Scope
from service.i18n import translator
from service.network import plan as plan_svc
from service.network.facilitator import SHOWN_ROWS, NetworkPage, group_rows
from service.web.facilitator.network import count_text
from service.web.kit import templates
from tests.conftest import DEMO_PASSWORDS, login_form
from tests.web.conftest import ARTIFACTS, sign_in_form

FACILITATOR = "pendamping.kebonjayanti"
ISOLATED = (
    "Dinas Koperasi dan UMKM Kota Bandung",
    "Dinas Perdagangan dan Perindustrian Kota Bandung",
    "Forum CSR Kota Bandung",
)
LINK = re.compile(r'<a class="rujuk" href="/kpm/(\d+)#program-(\d+)">')


def sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORDS[username], **login_form(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def scope_of(session: Session, username: str) -> Scope:
    user = session.exec(select(User).where(User.username == username)).one()
    return Scope.for_user(session, user)


def expected(session: Session, app: FastAPI, username: str = FACILITATOR, **kwargs: Any) -> dict[str, Any]:
    """What the services say for the facilitator: suggestions and the plan of their region."""
    scope = scope_of(session, username)
    assert scope.facilitator_id is not None
    today = app.state.settings.today()
    region = advice.facilitator_region(session, scope.facilitator_id)
    assert region is not None
    return {
        "facilitator_id": scope.facilitator_id,
        "suggestions": advice.facilitator_suggestions(session, scope, scope.facilitator_id, today=today)["suggestions"],
        "plan": plan_svc.region_plan(session, scope, region, today=today, **kwargs),
    }


def organisations(html: str) -> list[tuple[str, str, str]]:
    """(name, tied yes/no, the item's text) for each organisation, in page order."""
    match = re.search(r'<ol class="inv nw-orgs" id="organisations">(.*?)</ol>', html, re.S)
    assert match
    items = re.findall(r'<li class="m [^"]+" data-node="[^"]+" data-tied="(yes|no)">(.*?)</li>\n', match.group(1), re.S)
    out = []
    for tied, body in items:
        name = re.search(r"<h3>(.*?)</h3>", body)
        assert name
        out.append((unescape(name.group(1)), tied, unescape(re.sub(r"<[^>]+>", " ", body))))
    return out


def plan_tables(html: str) -> dict[int, list[tuple[int, int]]]:
    """Programme id -> its table's (household id, programme id of the link) rows."""
    tables = re.findall(r'<table class="nw-plan" data-program="(\d+)"[^>]*>(.*?)</table>', html, re.S)
    return {int(pid): [(int(h), int(p)) for h, p in LINK.findall(body)] for pid, body in tables}


# --- the page ---------------------------------------------------------------------------------


def test_facilitator_sees_whom_to_meet_first(client: TestClient, session: Session, app: FastAPI) -> None:
    sign_in(client, FACILITATOR)
    home = client.get("/").text
    assert '<a href="/jejaring">Jejaring</a>' in home  # the navigation link
    assert '<a href="/jejaring">Jejaring dan rencana rujukan</a>' in home  # the home page's action
    response = client.get("/jejaring")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Jejaring dan rencana rujukan</h1>" in html
    assert '<h2 id="lembaga-h">Lembaga yang perlu ditemui</h2>' in html
    want = expected(session, app)["suggestions"]
    orgs = organisations(html)
    assert [name for name, _, _ in orgs] == [s["label"] for s in want]
    # One of the three Bandung agencies no facilitator works with comes first, with its reason.
    first_name, first_tied, first_text = orgs[0]
    assert first_name in ISOLATED and first_tied == "no"
    assert want[0]["reason"] in first_text
    assert "Belum terhubung" in first_text and "Belum ada kemitraan, rujukan, atau forum bersama." in first_text
    for program in want[0]["programs"]:
        assert f"{program['name']} {program['eligible_households']} keluarga" in " ".join(first_text.split())
    # Untied ones first; the tied ones say how they are tied.
    tied = [t for _, t, _ in orgs]
    assert tied == sorted(tied) and "yes" in tied
    for (_, t, text), s in zip(orgs, want, strict=True):
        assert s["reason"] in text
        if t == "yes":
            assert "Sudah terhubung: " in text and "kemitraan" in text


def test_plan_lists_only_the_facilitators_own_families(client: TestClient, session: Session, app: FastAPI) -> None:
    sign_in(client, FACILITATOR)
    html = client.get("/jejaring").text
    assert '<h2 id="rencana-h">Rencana rujukan</h2>' in html
    want = expected(session, app)
    plan = want["plan"]
    assert f'<div data-figure="families"><dt>KPM dampingan di wilayah</dt><dd>{plan["families"]}</dd>' in html
    assert f'<div data-figure="planned"><dt>Rujukan direncanakan</dt><dd>{plan["planned"]}</dd>' in html
    assert f"<dd>{plan['total_score']:.1f}</dd>".replace(".", ",") in html
    for need, n in plan["unmet_by_need"].items():
        assert f'<dd data-need="{need}">{n}</dd>' in html
    assert "<dt>peralatan</dt>" in html and "<dt>pelatihan</dt>" in html  # needs in Indonesian

    tables = plan_tables(html)
    assert [pid for pid in tables] == [p["program_id"] for p in plan["by_program"] if p["planned"]]
    links = [link for rows in tables.values() for link in rows]
    assert len(links) == plan["planned"] <= SHOWN_ROWS
    assert {(r["household_id"], r["program_id"]) for r in plan["rows"]} == set(links)
    for pid, rows in tables.items():
        assert all(p == pid for _, p in rows)  # each table links to its own programme
    owners = dict(
        session.exec(
            select(Household.id, Household.facilitator_id).where(Household.id.in_({h for h, _ in links}))  # type: ignore[union-attr]
        ).all()
    )
    assert len(owners) == len({h for h, _ in links})
    assert set(owners.values()) == {want["facilitator_id"]}

    # Another facilitator's page lists their own families only.
    sign_in(client, "pendamping.jaktim")
    other = expected(session, app, "pendamping.jaktim")["facilitator_id"]
    theirs = [h for rows in plan_tables(client.get("/jejaring").text).values() for h, _ in rows]
    assert theirs
    mine = set(
        session.exec(select(Household.id).where(Household.id.in_(theirs), Household.facilitator_id == other))  # type: ignore[union-attr]
    )
    assert mine == set(theirs)


def test_a_plan_link_opens_the_family_at_the_programme(client: TestClient) -> None:
    sign_in(client, FACILITATOR)
    html = client.get("/jejaring").text
    household, program = (int(x) for x in LINK.findall(html)[0])
    family = client.get(f"/kpm/{household}")
    assert family.status_code == 200
    page = family.text
    article = re.search(rf'<article class="m m-eligible" id="program-{program}">(.*?)</article>', page, re.S)
    assert article, "the planned programme is among the family's eligible matches"
    form = article.group(1)
    assert '<form method="post" action="/rujukan/baru">' in form
    assert f'name="household_id" value="{household}"' in form and f'name="program_id" value="{program}"' in form
    assert 'name="consent"' in form or "Persetujuan" in form


def test_no_programme_is_planned_above_its_places(client: TestClient, session: Session) -> None:
    sign_in(client, FACILITATOR)
    html = client.get("/jejaring").text
    places = dict(session.exec(select(Program.id, Program.capacity_remaining)).all())
    planned = Counter(pid for rows in plan_tables(html).values() for _, pid in rows)
    assert planned
    for pid, n in planned.items():
        assert places[pid] is None or n <= places[pid], (pid, n, places[pid])
    shown = re.findall(r'<p data-program="(\d+)"><span data-capacity="(\d*)">.*?<span data-planned="(\d+)">', html)
    assert shown
    for pid, capacity, n in shown:
        assert capacity == ("" if places[int(pid)] is None else str(places[int(pid)]))
        assert int(n) == planned.get(int(pid), 0)
        assert places[int(pid)] is None or int(n) <= places[int(pid)]


def test_plan_for_one_programme(client: TestClient, session: Session, app: FastAPI) -> None:
    sign_in(client, FACILITATOR)
    full = expected(session, app)["plan"]
    pid = next(p["program_id"] for p in full["by_program"] if p["planned"])
    name = session.get(Program, pid).name  # type: ignore[union-attr]
    response = client.get(f"/jejaring?program={pid}")
    assert response.status_code == 200
    html = response.text
    assert f"Rencana hanya untuk program {name}." in unescape(html)
    assert '<a href="/jejaring#rencana">Tampilkan semua program</a>' in html
    only = expected(session, app, program_ids=[pid])["plan"]
    tables = plan_tables(html)
    assert list(tables) == [pid]
    assert len(tables[pid]) == only["planned"] > 0
    assert all(p == pid for _, p in tables[pid])
    assert only["planned"] >= next(p["planned"] for p in full["by_program"] if p["program_id"] == pid)
    # The full page links to the one-programme plans.
    assert f'href="/jejaring?program={pid}#rencana"' in client.get("/jejaring").text
    # A published programme that serves none of the facilitator's families: an empty plan, said so.
    jakarta = session.exec(select(Program.id).where(Program.name == "Jakpreneur: Pelatihan Kewirausahaan KPM")).one()
    elsewhere = client.get(f"/jejaring?program={jakarta}")
    assert elsewhere.status_code == 200
    assert "Program ini tidak melayani keluarga dampingan Anda di wilayah ini." in elsewhere.text
    assert not LINK.findall(elsewhere.text)


def test_unknown_or_malformed_programme_is_a_clear_4xx(client: TestClient, session: Session) -> None:
    sign_in(client, FACILITATOR)
    unknown = client.get("/jejaring?program=999999")
    assert unknown.status_code == 422
    assert "Program 999999 tidak ada atau belum diterbitkan." in unknown.text
    draft = session.exec(select(Program.id).where(Program.status == ProgramStatus.draft)).first()
    assert draft is not None
    assert client.get(f"/jejaring?program={draft}").status_code == 422
    for value in ("x", "%3Cscript%3E", "-1", "1.5"):
        response = client.get(f"/jejaring?program={value}")
        assert response.status_code == 422, value
        assert "Nilai saringan “Program” tidak valid" in response.text and "<script>" not in response.text
    english = client.get("/jejaring?program=999999&lang=en")
    assert english.status_code == 422 and "Programme 999999 does not exist or is not published." in english.text


def test_network_page_speaks_english(client: TestClient, session: Session, app: FastAPI) -> None:
    sign_in(client, FACILITATOR)
    html = client.get("/jejaring?lang=en").text
    assert "<h1>Network and referral plan</h1>" in html
    assert "Organisations to meet first" in html and "Referral plan" in html
    assert "Not tied yet" in html and "Already tied: shared forum, partnership, referral" in html
    assert "No partnership, referral or shared forum yet." in html  # the reason, in English
    assert "of your families qualify for its programmes" in html
    assert "Planned referrals" in html and "Places left" in html and "<dt>equipment</dt>" in html
    assert re.search(r'<a class="rujuk" href="/kpm/\d+#program-\d+">Refer<span class="sr">', html)
    # The language sticks (cookie), as on the other pages.
    assert "Network and referral plan" in client.get("/jejaring").text
    assert '<a href="/jejaring">Network</a>' in client.get("/").text


def test_network_page_is_for_facilitators_only(client: TestClient) -> None:
    anonymous = client.get("/jejaring?program=5", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fjejaring%3Fprogram%3D5"
    for username in ("admin", "dinsos.bandung", "forum.bandung"):
        sign_in(client, username)
        response = client.get("/jejaring")
        assert response.status_code == 404, username
        assert "Halaman tidak ditemukan." in response.text
        assert 'href="/jejaring"' not in client.get("/").text


def test_network_page_stays_under_200_kb(client: TestClient) -> None:
    sign_in(client, FACILITATOR)
    for path in ("/jejaring", "/jejaring?lang=en", "/jejaring?program=8"):
        response = client.get(path)
        assert response.status_code == 200 and len(response.content) < 200_000, (path, len(response.content))
    html = client.get("/jejaring").text
    assert "<script" not in html  # no JavaScript, no external assets
    assert "http://" not in html and "https://" not in html


def test_plan_rows_are_capped_and_the_page_stays_under_200_kb() -> None:
    """A plan of 1,000 families with long names: 300 rows shown, the rest counted, under 200 KB."""
    name = "Dinas Koperasi, Usaha Kecil dan Menengah Kabupaten Bandung Barat Ø"
    programs = [
        {"program_id": i, "name": name, "organization": name, "need": "training", "capacity_remaining": 200}
        | {"planned": 200}
        for i in range(1, 6)
    ]
    rows = [
        {
            "household_id": 100_000 + n,
            "head_name": "Siti Nurhaliza Rahmawati Kusumadewi",
            "village_code": "32.17.01.2001",
            "program_id": 1 + n // 200,
            "program": name,
            "need": "training",
            "score": (n % 100) / 100,
            "refer_url": f"/kpm/{100_000 + n}#program-{1 + n // 200}",
        }
        for n in range(1000)
    ]
    plan = {
        "families": 1000,
        "programs": 5,
        "planned": 1000,
        "total_score": 495.0,
        "unmet_by_need": {"capital": 12, "training": 345},
        "by_program": programs,
        "rows": rows,
    }
    grouped = group_rows(plan)
    assert sum(len(p.rows) for p in grouped) == SHOWN_ROWS
    assert [len(p.rows) for p in grouped] == [200, 100, 0, 0, 0]
    assert sum(p.hidden for p in grouped) == 1000 - SHOWN_ROWS
    assert [r["score"] for r in grouped[0].rows] == sorted((r["score"] for r in grouped[0].rows), reverse=True)
    suggestion = {
        "organization": "org:1",
        "label": name,
        "eligible_households": 1234,
        "possible_households": None,
        "programs": [{"name": name, "eligible_households": 1234}] * 3,
        "tied": False,
        "tie_kinds": [],
        "reason": f"1234 keluarga dampingan Anda memenuhi syarat programnya: {name}, {name}, {name}.",
    }
    d = NetworkPage(
        facilitator=name,
        households=1000,
        suggestions=[suggestion] * 12,
        region="32.17",
        region_name="KABUPATEN BANDUNG BARAT",
        program_id=None,
        program_name=None,
        plan=plan,
        programs=grouped,
        villages={"32.17.01.2001": name},
        today=date(2026, 11, 27),
    )
    for lang in ("id", "en"):
        html = templates.get_template("facilitator_network.html").render(
            d=d, count=count_text, t=translator(lang), lang=lang, user=None, csrf="", path="/jejaring", here="/jejaring"
        )
        assert len(LINK.findall(html)) == SHOWN_ROWS
        assert "&lt;5 " in html and "&amp;lt;" not in html  # a withheld count, escaped once
        assert 'id="plan-more"' in html and ("700 lainnya" in html or "700 more" in html)
        assert len(html.encode()) < 200_000, (lang, len(html.encode()))


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_facilitator_turns_a_planned_row_into_a_referral(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto("/login")
    sign_in_form(page, FACILITATOR)
    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="Jejaring", exact=True).click()
    expect(page.get_by_role("heading", name="Jejaring dan rencana rujukan")).to_be_visible()
    expect(page.get_by_role("heading", name="Lembaga yang perlu ditemui")).to_be_visible()
    first = page.locator("#organisations > li").first
    expect(first).to_have_attribute("data-tied", "no")
    assert first.locator("h3").inner_text() in ISOLATED
    expect(first.locator(".reason")).to_contain_text("Belum ada kemitraan, rujukan, atau forum bersama.")
    expect(page.get_by_role("heading", name="Rencana rujukan", exact=True)).to_be_visible()
    expect(page.locator('[data-figure="planned"] dd')).to_have_text(re.compile(r"^[1-9]\d*$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.screenshot(path=str(ARTIFACTS / "facilitator-network.png"))

    link = page.locator("#rencana a.rujuk").first
    link.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "facilitator-network-plan.png"))
    page.screenshot(path=str(ARTIFACTS / "facilitator-network-full.png"), full_page=True)
    href = link.get_attribute("href") or ""
    match = re.fullmatch(r"/kpm/(\d+)#program-(\d+)", href)
    assert match, href
    program = match.group(2)
    expect(link).to_have_text(re.compile(r"^Rujuk"))
    link.click()
    expect(page).to_have_url(re.compile(rf"/kpm/{match.group(1)}#program-{program}$"))
    article = page.locator(f"#program-{program}")
    expect(article).to_be_in_viewport()
    article.locator("details.refer > summary").click()
    expect(article.locator('form[action="/rujukan/baru"] button[type="submit"]')).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "facilitator-network-refer.png"))
