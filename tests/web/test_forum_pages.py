"""The forum organiser's dashboard (``/forum``) and its exports, through the TestClient with a
cookie sign-in; one test drives it in headless Chromium on a phone-sized screen."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from mapping import network as net
from mapping.privacy import withhold
from models.organizations import Organization
from models.users import Role, User
from service import network as advice
from service import network as svc
from service.core.scope import Scope
from service.i18n import translator
from service.network import Dashboard, sort_rows
from service.web.forum.dashboard import COLUMNS, SHOWN, DashboardQuery, dashboard_context
from service.web.kit import templates
from tests.conftest import DEMO_PASSWORDS, login_form
from tests.web.conftest import ARTIFACTS, sign_in_form

ORGANISER = "forum.bandung"
BANDUNG = "32.73"
ISOLATED = (
    "Dinas Koperasi dan UMKM Kota Bandung",
    "Dinas Perdagangan dan Perindustrian Kota Bandung",
    "Forum CSR Kota Bandung",
)
FORMULA = '=HYPERLINK("http://contoh.invalid","klik")'


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


def expected(session: Session, app: FastAPI, region: str = BANDUNG) -> dict[str, Any]:
    """What the services say about ``region`` for the organiser: graph, metrics, gaps."""
    scope = scope_of(session, ORGANISER)
    found = svc.load_network(session, scope, region, today=app.state.settings.today())
    return {
        "graph": found.graph,
        "metrics": net.metrics(found.graph),
        "gaps": advice.gaps(session, found, exact=False),
        "forum": advice.forum_suggestions(session, scope, scope.forum_id or 0, today=app.state.settings.today()),
    }


def section(html: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert match, table_id
    return match.group(1)


def stakeholder_rows(html: str) -> list[tuple[str, dict[str, str]]]:
    """(node id, {column: cell text}) for each row of the stakeholder table."""
    body = section(html, "stakeholders")
    rows = []
    for node, cells in re.findall(r'<tr data-node="([^"]+)">(.*?)</tr>', body, re.S):
        texts = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", cells)
        assert len(texts) == len(COLUMNS), cells
        rows.append((node, dict(zip(COLUMNS, texts, strict=True))))
    return rows


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


# --- the page ---------------------------------------------------------------------------------


def test_organiser_sees_the_bandung_dashboard(client: TestClient, session: Session, app: FastAPI) -> None:
    sign_in(client, ORGANISER)
    home = client.get("/").text
    assert '<a href="/forum">Dasbor forum</a>' in home  # the navigation link
    response = client.get("/forum")
    assert response.status_code == 200
    html = response.text
    want = expected(session, app)
    figures = want["metrics"]["network"]
    assert "Dasbor jejaring forum" in html and "Forum Sinergi Kreatif Kota Bandung" in html
    assert f'<div data-figure="nodes"><dt>Simpul</dt><dd>{figures["nodes"]}</dd>' in html
    assert f'<div data-figure="edges"><dt>Hubungan</dt><dd>{figures["edges"]}</dd>' in html
    assert f'<div data-figure="components"><dt>Komponen</dt><dd>{figures["components"]}</dd>' in html
    assert f'<div data-figure="diameter"><dt>Diameter</dt><dd>{figures["diameter"]}</dd>' in html
    assert f"<dd>{len(figures['communities'])}</dd>" in html
    density = f"{figures['density']:.3f}".replace(".", ",")
    assert f'<div data-figure="density"><dt>Kepadatan</dt><dd>{density}</dd>' in html
    for kind, n in figures["nodes_by_kind"].items():
        assert f'<dd data-kind="{kind}">{n}</dd>' in html
    assert "Semua angka dihitung tepat." in html and "Louvain" in html

    # The stakeholder table: every organisation, programme, facilitator and forum; no village.
    rows = stakeholder_rows(html)
    g = want["graph"]
    assert {node for node, _ in rows} == {v for v, k in g.nodes(data="kind") if k != "village"}
    degree = {node: int(cells["degree"]) for node, cells in rows}
    assert degree == {v: want["metrics"]["nodes"][v]["degree"] for v in degree}

    # The papers' picture: three Bandung agencies tied to no facilitator, invited to the forum.
    isolated = unescape(section(html, "isolated"))
    for name in ISOLATED:
        assert name in isolated
    assert isolated.count("Belum ada kemitraan, rujukan, atau forum bersama dengan pendamping mana pun") == 3
    invitations = unescape(re.search(r'<ol class="inv" id="invitations">(.*?)</ol>', html, re.S).group(1))  # type: ignore[union-attr]
    assert any(name in invitations for name in ISOLATED)
    first = want["forum"]["invitations"][0]
    assert first["label"] in invitations and first["reason"] in invitations

    # Gaps: unmet demand row for row, withheld counts as <5; unused supply; the 200-KPM mark.
    unmet = section(html, "unmet")
    assert unmet.count("<tr>") == len(want["gaps"]["unmet_demand"]) + 1
    withheld = sum(1 for u in want["gaps"]["unmet_demand"] if u["households"] is None)
    assert withheld and unmet.count("&lt;5</abbr>") == withheld
    assert "&lt;5 berarti 1 sampai 4 keluarga" in html
    for u in want["gaps"]["unused_supply"]:
        assert u["name"] in unescape(section(html, "unused"))
    summary = want["gaps"]["load"]["summary"]
    assert f"{summary['over_mark']} dari {summary['facilitators']} pendamping mendampingi lebih dari 200 KPM" in html

    # Exports are linked.
    assert 'href="/forum/ekspor.xlsx"' in html
    for table in ("stakeholders", "unmet", "unused", "isolated", "load", "invitations"):
        assert f'href="/forum/ekspor.csv?table={table}"' in html


def test_sorting_by_a_column_changes_the_order(client: TestClient) -> None:
    sign_in(client, ORGANISER)
    default = stakeholder_rows(client.get("/forum").text)
    betweenness = [float(c["betweenness"].replace(",", ".")) for _, c in default]
    assert betweenness == sorted(betweenness, reverse=True)

    html = client.get("/forum?sort=degree&dir=desc").text
    down = stakeholder_rows(html)
    degrees = [int(c["degree"]) for _, c in down]
    assert degrees[0] == max(degrees) and degrees == sorted(degrees, reverse=True)
    assert [n for n, _ in down] != [n for n, _ in default]
    assert 'aria-sort="descending" data-col="degree"' in html
    # The current column's header link flips the direction.
    flip = re.search(r'data-col="degree"><a href="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert "dir=asc" in flip
    up = stakeholder_rows(client.get(unescape(flip)).text)
    assert [int(c["degree"]) for _, c in up] == sorted(degrees)

    by_name = stakeholder_rows(client.get("/forum?sort=label&dir=asc").text)
    assert by_name[0][0] != down[0][0] or len(by_name) == 1
    with_villages = stakeholder_rows(client.get("/forum?villages=1&sort=degree&dir=desc").text)
    assert any(node.startswith("village:") for node, _ in with_villages)
    assert len(with_villages) > len(down)


def test_sort_rows_keeps_missing_values_last() -> None:
    rows = [
        {"id": "a", "label": "A", "constraint": None},
        {"id": "b", "label": "B", "constraint": 0.5},
        {"id": "c", "label": "C", "constraint": 1.0},
    ]
    assert [r["id"] for r in sort_rows(rows, "constraint", True)] == ["c", "b", "a"]
    assert [r["id"] for r in sort_rows(rows, "constraint", False)] == ["b", "c", "a"]


def test_dashboard_speaks_english(client: TestClient) -> None:
    sign_in(client, ORGANISER)
    html = client.get("/forum?lang=en").text
    assert "Forum network dashboard" in html and "Network figures" in html and "Isolated stakeholders" in html
    assert "No partnership, referral or shared forum with any facilitator" in html
    assert "Whom to invite to the forum" in html and "more families whose needs no member of the forum meets" in html
    assert "Betweenness" in html and "Two-step reach" in html
    # The language sticks (cookie), as on the other pages.
    assert "Forum network dashboard" in client.get("/forum").text
    assert '<a href="/forum">Forum dashboard</a>' in client.get("/").text


def test_dashboard_is_for_organisers_and_admins_only(client: TestClient) -> None:
    anonymous = client.get("/forum?sort=degree", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fforum%3Fsort%3Ddegree"
    assert client.get("/forum/ekspor.csv", follow_redirects=False).status_code == 303
    assert client.get("/forum/ekspor.xlsx", follow_redirects=False).status_code == 303
    for username in ("pendamping.kebonjayanti", "dinsos.bandung"):
        sign_in(client, username)
        for path in ("/forum", "/forum/ekspor.csv?table=stakeholders", "/forum/ekspor.xlsx"):
            response = client.get(path)
            assert response.status_code == 404, (username, path)
            assert "Halaman tidak ditemukan." in response.text
        assert 'href="/forum"' not in client.get("/").text


def test_organiser_regions_outside_their_forum_are_not_found(client: TestClient) -> None:
    sign_in(client, ORGANISER)
    narrower = client.get("/forum?region=32.73.16")
    assert narrower.status_code == 200
    assert "Daftar undangan tetap untuk seluruh wilayah forum (32.73)" in narrower.text
    for region in ("31.75", "32", "31.75.01"):
        response = client.get(f"/forum?region={region}")
        assert response.status_code == 404, region
        assert "di luar wilayah forum Anda" in response.text
        assert client.get(f"/forum/ekspor.csv?region={region}").status_code == 404


def test_unknown_or_malformed_region_is_a_clear_422(client: TestClient) -> None:
    sign_in(client, ORGANISER)
    unknown = client.get("/forum?region=32.99")
    assert unknown.status_code == 422
    assert "Kode wilayah 32.99 tidak ada dalam daftar wilayah Kemendagri" in unknown.text
    assert 'name="region" value="32.99"' in unknown.text  # the form to try again
    for query in ("region=bandung", "region=%3Cscript%3E", "sort=nama", "dir=up", "villages=ya", "forum_id=x"):
        response = client.get(f"/forum?{query}")
        assert response.status_code == 422, query
        assert "tidak valid" in response.text and "<script>" not in response.text
    assert client.get("/forum/ekspor.csv?table=rumah_tangga").status_code == 422


def test_admin_names_the_region_or_a_forum(client: TestClient) -> None:
    sign_in(client, "admin")
    ask = client.get("/forum")
    assert ask.status_code == 200
    assert 'name="region"' in ask.text and "Pilih wilayah" in ask.text
    assert 'data-figure="nodes"' not in ask.text  # no region chosen for them
    assert "/forum?forum_id=1" in ask.text and "Forum Sinergi Kreatif Kota Bandung" in ask.text
    by_region = client.get("/forum?region=32.73")
    assert by_region.status_code == 200 and 'data-figure="nodes"' in by_region.text
    assert 'id="invitations"' not in by_region.text and "Pilih forum untuk melihat daftar undangannya" in by_region.text
    by_forum = client.get("/forum?forum_id=1")
    assert by_forum.status_code == 200 and 'id="invitations"' in by_forum.text
    assert "&lt;5</abbr>" not in section(by_forum.text, "unmet")  # admins see exact counts
    assert client.get("/forum?forum_id=999").status_code == 404
    assert client.get("/forum?region=31.75").status_code == 200


# --- exports ----------------------------------------------------------------------------------


def test_csv_exports_every_table(client: TestClient, session: Session, app: FastAPI) -> None:
    sign_in(client, ORGANISER)
    want = expected(session, app)
    response = client.get("/forum/ekspor.csv?table=stakeholders")
    assert 'filename="jejaring-forum-32.73-' in response.headers["content-disposition"]
    rows = csv_rows(response)
    assert rows[0][:4] == ["Nama", "Jenis", "Komunitas", "Derajat"] and len(rows[0]) == 11
    stakeholders = [v for v, k in want["graph"].nodes(data="kind") if k != "village"]
    assert len(rows) - 1 == len(stakeholders)
    labels = {want["graph"].nodes[v]["label"] for v in stakeholders}
    assert {r[0] for r in rows[1:]} == labels
    betweenness = [float(r[5].replace(",", ".")) for r in rows[1:]]
    assert betweenness == sorted(betweenness, reverse=True)

    unmet = csv_rows(client.get("/forum/ekspor.csv?table=unmet"))
    assert unmet[0] == ["Desa/kelurahan", "Kode desa", "Kebutuhan", "Bidang usaha", "KPM"]
    assert len(unmet) - 1 == len(want["gaps"]["unmet_demand"])
    for row, u in zip(unmet[1:], want["gaps"]["unmet_demand"], strict=True):
        assert row[4] == ("<5" if u["households"] is None else str(u["households"]))
    isolated = csv_rows(client.get("/forum/ekspor.csv?table=isolated"))
    assert sorted(r[0] for r in isolated[1:]) == sorted(ISOLATED)
    invitations = csv_rows(client.get("/forum/ekspor.csv?table=invitations"))
    assert [r[1] for r in invitations[1:]] == [i["label"] for i in want["forum"]["invitations"]]
    load = csv_rows(client.get("/forum/ekspor.csv?table=load"))
    assert [r[:2] for r in load[1:]] == [
        [f["name"], str(f["households"])] for f in want["gaps"]["load"]["facilitators"]
    ]
    unused = csv_rows(client.get("/forum/ekspor.csv?table=unused"))
    assert len(unused) - 1 == len(want["gaps"]["unused_supply"])
    summary = csv_rows(client.get("/forum/ekspor.csv?table=summary"))
    assert ["Simpul", str(want["metrics"]["network"]["nodes"])] in summary


def test_exports_never_show_withheld_counts(client: TestClient, session: Session, app: FastAPI) -> None:
    """Counts of 1 to 4 households stay ``<5`` for the organiser; the admin sees them exactly."""
    admin = Scope(user_id=0, role=Role.admin)
    found = svc.load_network(session, admin, BANDUNG, today=app.state.settings.today())
    exact = advice.gaps(session, found, exact=True)["unmet_demand"]
    small = [u for u in exact if 1 <= u["households"] < 5]
    assert small
    sign_in(client, ORGANISER)
    mine = csv_rows(client.get("/forum/ekspor.csv?table=unmet"))[1:]
    for row, u in zip(mine, exact, strict=True):
        # 1-4 withheld, the rest rounded to multiples of 5 (issue 15 #1)
        assert row[4] == ("<5" if 1 <= u["households"] < 5 else str(withhold(u["households"])))
    sign_in(client, "admin")
    theirs = csv_rows(client.get("/forum/ekspor.csv?table=unmet&forum_id=1"))[1:]
    assert [row[4] for row in theirs] == [str(u["households"]) for u in exact]


def test_exports_neutralise_formula_labels(client: TestClient, session: Session) -> None:
    csr = session.exec(select(Organization).where(Organization.name == "Forum CSR Kota Bandung")).one()
    csr.name = FORMULA
    session.add(csr)
    session.commit()
    sign_in(client, ORGANISER)
    page = client.get("/forum").text
    assert "=HYPERLINK(&#34;http://contoh.invalid&#34;,&#34;klik&#34;)" in page  # escaped, shown as text
    rows = csv_rows(client.get("/forum/ekspor.csv?table=stakeholders"))
    assert "'" + FORMULA in [r[0] for r in rows]
    assert not any(cell.startswith("=") for r in rows for cell in r)
    isolated = csv_rows(client.get("/forum/ekspor.csv?table=isolated"))
    assert "'" + FORMULA in [r[0] for r in isolated]

    book = zipfile.ZipFile(io.BytesIO(client.get("/forum/ekspor.xlsx").content))
    sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
    assert all("<f>" not in book.read(n).decode() for n in sheets)  # no cell is a formula
    assert f"<t>{FORMULA}</t>" in unescape(book.read("xl/sharedStrings.xml").decode())  # a text cell


def test_xlsx_has_one_sheet_a_table(client: TestClient) -> None:
    sign_in(client, ORGANISER)
    response = client.get("/forum/ekspor.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"].endswith('.xlsx"')
    book = zipfile.ZipFile(io.BytesIO(response.content))
    assert book.testzip() is None
    workbook = book.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]+)"', workbook)
    assert names == [
        "Ringkasan",
        "Pemangku kepentingan",
        "Kebutuhan belum terlayani",
        "Program belum dimanfaatkan",
        "Belum terhubung",
        "Beban pendamping",
        "Undangan forum",
    ]
    strings = unescape(book.read("xl/sharedStrings.xml").decode())
    for name in ISOLATED:
        assert name in strings
    english = zipfile.ZipFile(io.BytesIO(client.get("/forum/ekspor.xlsx?lang=en").content))
    assert '<sheet name="Stakeholders"' in english.read("xl/workbook.xml").decode()


def test_dashboard_stays_under_200_kb(client: TestClient) -> None:
    sign_in(client, ORGANISER)
    for path in ("/forum", "/forum?villages=1", "/forum?lang=en", "/forum?sort=pagerank&dir=asc"):
        response = client.get(path)
        assert response.status_code == 200 and len(response.content) < 200_000, (path, len(response.content))
    assert "<script" not in client.get("/forum").text  # no JavaScript, no external assets
    assert "http://" not in client.get("/forum").text.split("<main>")[0]


def test_dashboard_stays_under_200_kb_at_its_row_caps() -> None:
    """A big region fills every section to its cap (long names, withheld counts): still under 200 KB."""
    name = "Dinas Koperasi, Usaha Kecil dan Menengah Kabupaten Bandung Barat Ø"
    n = {key: 3 * cap for key, cap in SHOWN.items()}
    figures = {
        **{k: 100_000 for k in ("nodes", "edges", "components", "largest_component_nodes", "diameter")},
        "nodes_by_kind": dict.fromkeys(net.NODE_KINDS, 20_000),
        "edges_by_type": dict.fromkeys(net.EDGE_TYPES, 20_000),
        "density": 0.0001,
        "average_path_length": 6.5,
        "paths_exact": False,
        "betweenness_exact": False,
        "community_method": "leiden",
        "communities": [{"id": i, "label": name, "center": "org:1", "members": ["org:1"]} for i in range(40)],
    }
    row = {
        "kind": "organization",
        "label": name,
        "community": name,
        **dict.fromkeys(("degree", "two_step_reach"), 12_345),
        **dict.fromkeys(("weighted_degree", "betweenness", "closeness", "pagerank", "constraint"), 0.123456),
        "effective_size": 1234.5678,
    }
    d = Dashboard(
        region="32.17",
        region_name="KABUPATEN BANDUNG BARAT",
        forum=None,
        exact=False,
        figures=figures,
        stakeholders=[{"id": f"org:{i}", **row} for i in range(n["stakeholders"])],
        gaps={
            "unmet_demand": [
                {"village_code": "32.17.01.2001", "village_name": name, "need": "certification", "sector": "culinary"}
                | {"households": None}
                for _ in range(n["unmet"])
            ],
            "unmet_by_need": dict.fromkeys(("capital", "training", "marketing", "certification"), None),
            "unused_supply": [
                {"program_id": i, "name": name, "organization": name, "eligible_households": 12_345}
                for i in range(n["unused"])
            ],
            "isolated": [
                {"node": f"org:{i}", "kind": "organization", "label": name, "reason": "no_facilitator_tie"}
                for i in range(n["isolated"])
            ],
            "load": {
                "summary": {"mark": 200, "facilitators": 300, "over_mark": 200, "median": 250.0, "max": 900},
                "facilitators": [
                    {"facilitator_id": i, "name": name, "households": 900, "over_mark": True} for i in range(n["load"])
                ],
            },
        },
        invitations={
            "unmet_units": 12_345,
            "invitations": [
                {
                    "organization": f"org:{i}",
                    "label": name,
                    "marginal_households": 1234,
                    "marginal_units": 1234,
                    "cumulative_units": 12_345,
                    "programs": [name] * 3,
                    "reason": f"Programnya ({name}, {name}, {name}) menjangkau 1234 keluarga lagi.",
                }
                for i in range(10)
            ],
        },
        today=date(2026, 11, 27),
        villages_total=20_000,
    )
    q = DashboardQuery(region="32.17", forum_id=1, sort="pagerank", descending=False, villages=True)
    node = {"id": "org:1", "kind": "organization", "label": name, "record_id": 1}
    tie = {"type": "partnership", "partnership_id": 1, "partnership_kind": "mou", "source": node, "target": node}
    reached = {"village_code": "32.17.01.2001", "village_name": name, "program_id": 1, "program": name,
               "organization_id": 1, "organization": name, "households": None}  # fmt: skip
    figures_at = dict.fromkeys(("stakeholders", "partnerships", "memberships", "isolated", "reached_pairs",
                                "unmet_pairs"), 123_456)  # fmt: skip
    changes = {
        "since": "2026-10-28",
        "until": "2026-11-27",
        "ties_added": [tie] * n["changes"],
        "ties_ended": [tie] * n["changes"],
        "newly_reached": [reached] * n["changes"],
        "no_longer_isolated": [node] * n["changes"],
        "unmet_before": {"pairs": 123_456, "households": 123_455},
        "unmet_after": {"pairs": 123_456, "households": None},
        "figures": {"before": figures_at, "after": figures_at},
        "totals": dict.fromkeys(("ties_added", "ties_ended", "newly_reached", "no_longer_isolated"), n["changes"]),
    }
    for lang in ("id", "en"):
        context = dashboard_context(d, q, lang, forum_region="32", forums=[], changes=changes)
        html = templates.get_template("forum_dashboard.html").render(
            **context, t=translator(lang), lang=lang, user=None, csrf="", path="/forum", here="/forum"
        )
        assert html.count("<tr data-node=") == SHOWN["stakeholders"] + SHOWN["isolated"]
        assert "baris lainnya ada di ekspor" in html or "more rows are in the export" in html
        assert len(html.encode()) < 200_000, (lang, len(html.encode()))


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_organiser_opens_the_dashboard_and_sorts_it(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto("/login")
    sign_in_form(page, ORGANISER)
    page.get_by_role("banner").get_by_role("navigation").get_by_role("link", name="Dasbor forum").click()
    expect(page.get_by_role("heading", name="Dasbor jejaring forum")).to_be_visible()
    expect(page.locator('[data-figure="nodes"] dd')).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator('[data-figure="communities"]')).to_be_visible()
    isolated = page.locator("#isolated")
    for name in ISOLATED:
        expect(isolated.get_by_role("cell", name=name, exact=True)).to_be_visible()
    expect(page.locator("#invitations li").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls in its box
    page.screenshot(path=str(ARTIFACTS / "forum-dashboard.png"))

    page.locator("#stakeholders thead").get_by_role("link", name="Derajat", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=degree&dir=desc"))
    expect(page.locator('#stakeholders th[data-col="degree"]')).to_have_attribute("aria-sort", "descending")
    degrees = [int(x) for x in page.locator("#stakeholders tbody td:nth-child(4)").all_inner_texts()]
    assert degrees and degrees[0] == max(degrees)
    page.locator("#stakeholders").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "forum-dashboard-sorted.png"))
    page.screenshot(path=str(ARTIFACTS / "forum-dashboard-full.png"), full_page=True)
