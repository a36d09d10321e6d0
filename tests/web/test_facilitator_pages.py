"""The facilitator's caseload, household and screening pages, through the TestClient.

Every list a page shows is checked against an independent query of the database.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.households import Business, Household, KpmGroup
from models.organizations import Organization
from models.types import utcnow
from models.users import User
from seeds.demo import DEMO_CASES
from service.matching import matches_for
from tests.conftest import DEMO_PASSWORDS, login_form

PKH_ID = re.compile(r"PKH-\d{10}-\d{4}")
PENA_CASE = DEMO_CASES["kebon_jayanti_age35_culinary"]
AGE43_CASE = DEMO_CASES["kebon_jayanti_age43_culinary"]
JAKTIM_CASE = DEMO_CASES["jaktim_business_8_months"]


def sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORDS[username], **login_form(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def facilitator_id(session: Session, username: str) -> int:
    user = session.exec(select(User).where(User.username == username)).one()
    assert user.facilitator_id is not None
    return user.facilitator_id


def own_groups(session: Session, fid: int) -> list[KpmGroup]:
    return list(session.exec(select(KpmGroup).where(KpmGroup.facilitator_id == fid)).all())


def with_a_business() -> sa.ColumnElement[bool]:
    return sa.exists().where(Business.household_id == Household.id)  # type: ignore[arg-type]


def household(session: Session, pkh_id: str) -> Household:
    return session.exec(select(Household).where(Household.pkh_id == pkh_id)).one()


def caseload(session: Session, username: str) -> list[Household]:
    fid = facilitator_id(session, username)
    return list(session.exec(select(Household).where(Household.facilitator_id == fid)).all())


def businesses_by_household(session: Session, households: list[Household]) -> dict[int, list[Business]]:
    ids = [h.id for h in households]
    out: dict[int, list[Business]] = {i: [] for i in ids if i is not None}
    for b in session.exec(select(Business).where(Business.household_id.in_(ids))):  # type: ignore[attr-defined]
        out[b.household_id].append(b)
    return out


def table_body(html: str) -> str:
    """The <tbody> of the page's table ('' when the page has no table)."""
    match = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return match.group(1) if match else ""


def listed(client: TestClient, query: str) -> list[str]:
    """Every PKH id the caseload lists for ``query``, following the pages."""
    seen: list[str] = []
    url: str | None = "/kpm?" + query
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        rows = PKH_ID.findall(table_body(response.text))
        assert len(rows) <= 50
        seen.extend(rows)
        nxt = re.search(r'<a href="([^"]+)" rel="next">', response.text)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    return seen


def section(html: str, name: str) -> str:
    """The household page's matches section ``eligible``, ``unknown`` or ``ineligible``."""
    match = re.search(rf'<section class="matches" id="{name}".*?</section>', html, re.S)
    assert match, name
    return match.group(0)


def article(section_html: str, program: str) -> str | None:
    for art in re.findall(r"<article .*?</article>", section_html, re.S):
        if f"<h4>{program}</h4>" in art:
            return str(art)
    return None


# --- caseload ---------------------------------------------------------------------------------


def test_caseload_lists_every_household_of_the_facilitator_50_a_page(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    mine = sorted(h.pkh_id for h in caseload(session, "pendamping.kebonjayanti"))
    first = client.get("/kpm")
    assert first.status_code == 200
    assert '<html lang="id">' in first.text
    assert f"<strong>{len(mine)} KPM</strong>" in first.text
    assert PKH_ID.findall(table_body(first.text)) == mine[:50]
    assert "Halaman 1 dari 7" in first.text
    assert listed(client, "") == mine
    # Each row links to its household page.
    h = household(session, mine[0])
    assert f'<a href="/kpm/{h.id}">{h.pkh_id}</a>' in first.text


def test_business_filter_lists_exactly_the_households_with_a_business(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    mine = caseload(session, "pendamping.kebonjayanti")
    businesses = businesses_by_household(session, mine)
    with_business = sorted(h.pkh_id for h in mine if businesses[h.id or 0])
    without = sorted(h.pkh_id for h in mine if not businesses[h.id or 0])
    assert len(with_business) == 80  # the Kebon Jayanti figure of paper 002

    page = client.get("/kpm?usaha=ya").text
    assert "<strong>80 KPM dengan usaha mikro</strong>" in page
    assert listed(client, "usaha=ya") == with_business
    assert listed(client, "usaha=tidak") == without
    assert f"<strong>{len(without)} KPM tanpa usaha mikro</strong>" in client.get("/kpm?usaha=tidak").text


@pytest.mark.parametrize(("param", "value"), [("sektor", "craft"), ("sektor", "services"), ("kebutuhan", "training")])
def test_sector_and_need_filters_follow_the_businesses(
    client: TestClient, session: Session, param: str, value: str
) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    mine = caseload(session, "pendamping.kebonjayanti")
    businesses = businesses_by_household(session, mine)
    if param == "sektor":
        expected = sorted(h.pkh_id for h in mine if any(b.sector == value for b in businesses[h.id or 0]))
    else:
        expected = sorted(h.pkh_id for h in mine if any(value in b.needs for b in businesses[h.id or 0]))
    assert 0 < len(expected) < 80
    assert listed(client, f"{param}={value}") == expected


def test_group_filter_lists_the_groups_members_and_offers_only_own_groups(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    fid = facilitator_id(session, "pendamping.kebonjayanti")
    groups = sorted(own_groups(session, fid), key=lambda g: g.id or 0)
    assert len(groups) == 13
    page = client.get("/kpm").text
    offered = re.search(r'<select name="kelompok">(.*?)</select>', page, re.S)
    assert offered
    assert sorted(int(v) for v in re.findall(r'<option value="(\d+)"', offered.group(1))) == [g.id for g in groups]

    group = groups[3]
    members = session.exec(select(Household).where(Household.group_id == group.id)).all()
    members_with_business = session.exec(
        select(Household).where(Household.group_id == group.id, with_a_business())
    ).all()
    assert listed(client, f"kelompok={group.id}") == sorted(h.pkh_id for h in members)
    assert listed(client, f"usaha=ya&kelompok={group.id}") == sorted(h.pkh_id for h in members_with_business)
    assert f"{group.name}</strong>" in client.get(f"/kpm?kelompok={group.id}").text


def test_eligible_filter_agrees_with_each_households_own_matches(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    fid = facilitator_id(session, "pendamping.kebonjayanti")
    group = min(own_groups(session, fid), key=lambda g: g.id or 0)
    members = session.exec(select(Household).where(Household.group_id == group.id, with_a_business())).all()
    today = utcnow().date()
    eligible = sorted(
        h.pkh_id
        for h in members
        if any(
            m["status"] == "eligible" for m in matches_for(session, h, today=today, lang="id", include_ineligible=False)
        )
    )
    not_eligible = sorted(h.pkh_id for h in members if h.pkh_id not in eligible)
    assert eligible
    assert listed(client, f"usaha=ya&kelompok={group.id}&layak=ya") == eligible
    assert listed(client, f"usaha=ya&kelompok={group.id}&layak=tidak") == not_eligible
    assert "memenuhi syarat setidaknya satu program" in client.get(f"/kpm?layak=ya&kelompok={group.id}").text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("usaha=mungkin", "Punya usaha"),
        ("kebutuhan=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "Kebutuhan usaha"),
        ("sektor=tambang", "Bidang usaha"),
        ("kelompok=abc", "Kelompok KPM"),
        ("kelompok=14", "Kelompok KPM"),  # a Jakarta Timur group: not this facilitator's
        ("layak=1", "Memenuhi syarat"),
        ("hal=0", "Halaman"),
        ("hal=-2", "Halaman"),
        ("hal=%C2%B2", "Halaman"),
    ],
)
def test_bad_filter_values_get_a_clear_page_not_a_crash(client: TestClient, query: str, field: str) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    for path in ("/kpm", "/kpm/skrining", "/kpm/skrining.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422, (path, query)
        assert response.headers["content-type"].startswith("text/html")
        assert "Nilai saringan" in response.text and field in response.text
        assert "<script>alert" not in response.text


def test_signed_out_visitors_are_sent_to_sign_in_and_back(client: TestClient) -> None:
    response = client.get("/kpm?usaha=ya", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fkpm%3Fusaha%3Dya"
    back = client.post(
        "/login",
        data={
            "username": "pendamping.kebonjayanti",
            "password": DEMO_PASSWORDS["pendamping.kebonjayanti"],
            **login_form(client),
            "next": "/kpm?usaha=ya",
        },
        follow_redirects=False,
    )
    assert back.headers["location"] == "/kpm?usaha=ya"


@pytest.mark.parametrize(
    ("username", "role"), [("dinsos.bandung", "Staf lembaga"), ("forum.bandung", "Pengelola forum")]
)
def test_agency_staff_and_forum_organisers_are_refused_household_pages(
    client: TestClient, session: Session, username: str, role: str
) -> None:
    sign_in(client, username)
    h = household(session, PENA_CASE)
    for path in ("/kpm", f"/kpm/{h.id}", "/kpm/skrining", "/kpm/skrining.csv"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "hanya untuk pendamping sosial" in response.text and role in response.text
        assert h.head_name not in response.text


def test_home_and_navigation_link_the_caseload(client: TestClient) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    home = client.get("/").text
    assert 'href="/kpm"' in home and 'href="/kpm/skrining"' in home
    sign_in(client, "dinsos.bandung")
    assert 'href="/kpm"' not in client.get("/").text


# --- household page ---------------------------------------------------------------------------


def test_pena_case_is_eligible_for_pena_berdikari_with_its_reasons(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    h = household(session, PENA_CASE)
    page = client.get(f"/kpm/{h.id}")
    assert page.status_code == 200
    eligible = section(page.text, "eligible")
    assert "Memenuhi syarat" in eligible
    pena = article(eligible, "PENA Berdikari")
    assert pena is not None
    assert "Kementerian Sosial" in pena and "Bantuan modal" in pena and " km" in pena and "Skor" in pena
    reasons = re.search(r"<details><summary>Alasan \(3 kriteria\)</summary>(.*?)</details>", pena, re.S)
    assert reasons
    assert "Usia kepala keluarga 35, program meminta 20–40" in reasons.group(1)
    assert "Bersedia graduasi mandiri ya" in reasons.group(1)
    assert article(section(page.text, "ineligible"), "PENA Berdikari") is None


def test_age43_case_sees_the_age_criterion_as_what_is_missing(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    h = household(session, AGE43_CASE)
    page = client.get(f"/kpm/{h.id}").text
    assert article(section(page, "eligible"), "PENA Berdikari") is None
    near = section(page, "ineligible")
    assert "Hampir memenuhi" in near
    pena = article(near, "PENA Berdikari")
    assert pena is not None
    missing = re.search(r'<p class="ask">Yang belum terpenuhi:</p>\s*<ul>(.*?)</ul>', pena, re.S)
    assert missing
    assert "Usia kepala keluarga 43, program meminta 20–40" in missing.group(1)
    assert "Bersedia graduasi mandiri" not in missing.group(1)  # that criterion passes
    # Near misses come with the fewest failing criteria first.
    failing = [art.count('class="r-fail"') for art in re.findall(r"<article .*?</article>", near, re.S)]
    assert failing == sorted(failing) and failing


def test_unknown_section_lists_the_questions_to_ask(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    h = household(session, DEMO_CASES["kebon_jayanti_business_no_start_date"])
    page = client.get(f"/kpm/{h.id}").text
    unknown = section(page, "unknown")
    pena_reguler = article(unknown, "PENA Reguler")
    assert pena_reguler is not None
    assert "Tanyakan kepada keluarga:" in pena_reguler
    assert "tanyakan sejak kapan usaha berjalan" in pena_reguler


def test_household_profile_shows_business_and_masked_nik_but_no_coordinates(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    h = household(session, PENA_CASE)
    business = session.exec(select(Business).where(Business.household_id == h.id)).one()
    page = client.get(f"/kpm/{h.id}").text
    assert h.head_name in page and h.pkh_id in page
    assert "35 tahun" in page and "perempuan" in page
    assert h.nik_masked in page and "*" in h.nik_masked
    assert not re.search(r"\d{16}", page)
    assert h.nik_hash not in page
    assert business.monthly_revenue is not None
    assert "Rp " + f"{business.monthly_revenue:,}".replace(",", ".") in page
    assert "kuliner" in page and "WhatsApp" in page and "24 bulan" in page
    assert h.latitude is not None and h.longitude is not None
    for coordinate in (h.latitude, h.longitude):
        assert f"{coordinate:.4f}" not in page and f"{coordinate:.4f}".replace(".", ",") not in page
    assert (h.phone or "no phone") not in page and (h.address or "no address") not in page


def test_another_facilitators_household_is_not_found(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.jaktim")
    theirs = household(session, PENA_CASE)
    response = client.get(f"/kpm/{theirs.id}")
    assert response.status_code == 404
    assert theirs.head_name not in response.text
    assert "KPM tidak ditemukan" in response.text
    own = household(session, JAKTIM_CASE)
    assert client.get(f"/kpm/{own.id}").status_code == 200
    assert client.get("/kpm/999999").status_code == 404
    assert client.get("/kpm/satu").status_code == 404
    assert theirs.pkh_id not in "".join(listed(client, "usaha=semua"))


def test_admin_may_open_any_household(client: TestClient, session: Session) -> None:
    sign_in(client, "admin")
    for pkh in (PENA_CASE, JAKTIM_CASE):
        h = household(session, pkh)
        page = client.get(f"/kpm/{h.id}")
        assert page.status_code == 200 and h.head_name in page.text


def test_household_page_in_english(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    h = household(session, PENA_CASE)
    page = client.get(f"/kpm/{h.id}?lang=en").text
    assert '<html lang="en">' in page
    for words in ("Family profile", "35 years", "female", "Eligible", "Needs data", "Near misses", "Capital grant"):
        assert words in page, words
    assert "Head's age 35, the programme asks for 20–40" in unescape(section(page, "eligible"))
    assert "Memenuhi syarat" not in page and "Usia kepala keluarga" not in page


# --- screening --------------------------------------------------------------------------------


def screening_table(html: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(programme names, [(PKH id, cell marks)]) of the screening page."""
    head = re.search(r"<thead><tr>(.*?)</tr></thead>", html, re.S)
    assert head
    programs = re.findall(r'<th scope="col">([^<]+)<small>', head.group(1))
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table_body(html), re.S):
        pkh = PKH_ID.search(row)
        assert pkh
        rows.append((pkh.group(0), re.findall(r'<td class="[ynu]" title="[^"]+">([^<]+)</td>', row)))
    return programs, rows


def test_screening_defaults_to_households_with_a_business(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    mine = caseload(session, "pendamping.kebonjayanti")
    businesses = businesses_by_household(session, mine)
    with_business = sorted(h.pkh_id for h in mine if businesses[h.id or 0])
    page = client.get("/kpm/skrining").text
    assert "<strong>80 KPM dengan usaha mikro</strong>" in page
    programs, rows = screening_table(page)
    assert [pkh for pkh, _ in rows] == with_business
    assert "PENA Berdikari" in programs and "PENA Reguler" in programs
    # Jakarta's programmes do not serve Bandung: no column for them.
    assert not any(p.startswith("Jakpreneur") for p in programs)
    assert all(len(cells) == len(programs) for _, cells in rows)
    marks = dict(rows)
    pena = programs.index("PENA Berdikari")
    assert marks[PENA_CASE][pena] == "✓"
    assert marks[AGE43_CASE][pena] == "–"
    # Every column has someone eligible or unknown, and the header counts match the cells.
    for i, name in enumerate(programs):
        column = [cells[i] for _, cells in rows]
        assert "✓" in column or "?" in column, name
        counted = re.search(rf'<th scope="col">{re.escape(name)}<small>(\d+) ✓ · (\d+) \?</small>', page)
        assert counted and int(counted.group(1)) == column.count("✓") and int(counted.group(2)) == column.count("?")
    assert 'title="memenuhi syarat">✓</td>' in page and 'title="tidak memenuhi">–</td>' in page


def test_screening_cells_agree_with_the_household_page(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    programs, rows = screening_table(client.get("/kpm/skrining").text)
    marks = dict(rows)
    for pkh in (PENA_CASE, AGE43_CASE, DEMO_CASES["kebon_jayanti_business_no_start_date"]):
        h = household(session, pkh)
        page = client.get(f"/kpm/{h.id}").text
        for i, name in enumerate(programs):
            expected = {"eligible": "✓", "unknown": "?", "ineligible": "–"}
            found = [s for s in expected if article(section(page, s), name) is not None]
            assert [expected[s] for s in found] == [marks[pkh][i]], (pkh, name)


def test_screening_csv_is_the_same_table_without_nik_or_coordinates(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    programs, rows = screening_table(client.get("/kpm/skrining").text)
    page = client.get("/kpm/skrining").text
    assert 'href="/kpm/skrining.csv?usaha=ya"' in page
    response = client.get("/kpm/skrining.csv?usaha=ya")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["ID PKH", "Kepala keluarga", *programs]
    words = {"✓": "memenuhi syarat", "?": "perlu data", "–": "tidak memenuhi"}
    mine = {h.pkh_id: h for h in caseload(session, "pendamping.kebonjayanti")}
    assert [r[0] for r in table[1:]] == [pkh for pkh, _ in rows]
    for (pkh, cells), line in zip(rows, table[1:], strict=True):
        assert line[1] == mine[pkh].head_name
        assert line[2:] == [words[c] for c in cells]
    for h in mine.values():
        assert h.nik_masked not in text and h.nik_hash not in text
        assert h.latitude is None or f"{h.latitude:.4f}" not in text
    assert not re.search(r"\d{16}", text)


def test_admin_screening_across_areas_agrees_with_each_households_matches(client: TestClient, session: Session) -> None:
    sign_in(client, "admin")
    table = list(csv.reader(io.StringIO(client.get("/kpm/skrining.csv?lang=en").content.decode("utf-8-sig"))))
    programs, rows = table[0][2:], {r[0]: r[2:] for r in table[1:]}
    assert any(p.startswith("Jakpreneur") for p in programs) and "PENA Berdikari" in programs
    today = utcnow().date()
    for pkh in (PENA_CASE, AGE43_CASE, JAKTIM_CASE, DEMO_CASES["jaktim_business_3_months"]):
        statuses = {
            m["program_name"]: m["status"]
            for m in matches_for(session, household(session, pkh), today=today, lang="en", include_ineligible=True)
        }
        assert rows[pkh] == [statuses.get(p, "ineligible") for p in programs], pkh


def test_screening_csv_in_english_and_with_filters(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    fid = facilitator_id(session, "pendamping.kebonjayanti")
    group = min(own_groups(session, fid), key=lambda g: g.id or 0)
    members = session.exec(select(Household).where(Household.group_id == group.id)).all()
    table = list(
        csv.reader(
            io.StringIO(
                client.get(f"/kpm/skrining.csv?usaha=semua&kelompok={group.id}&lang=en").content.decode("utf-8-sig")
            )
        )
    )
    assert table[0][:2] == ["PKH ID", "Head of household"]
    assert sorted(r[0] for r in table[1:]) == sorted(h.pkh_id for h in members)
    values = {v for r in table[1:] for v in r[2:]}
    assert values and values <= {"eligible", "unknown", "ineligible"}


def test_pages_stay_under_200_kb(client: TestClient, session: Session) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    h = household(session, PENA_CASE)
    paths = ["/kpm", "/kpm?usaha=ya", f"/kpm/{h.id}", "/kpm/skrining", "/kpm/skrining?usaha=semua"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200
        assert len(response.content) < 200_000, (path, len(response.content))
    # The whole caseload of 350 fits on one screening page.
    programs, rows = screening_table(client.get("/kpm/skrining?usaha=semua").text)
    assert len(rows) == 350 and programs
    # An admin sees every household against every programme: paged, each page still light.
    sign_in(client, "admin")
    total = session.scalar(sa.select(sa.func.count()).select_from(Household))
    first = client.get("/kpm/skrining?usaha=semua")
    assert len(first.content) < 200_000, len(first.content)
    assert "Halaman 1 dari" in first.text
    seen = 0
    url: str | None = "/kpm/skrining?usaha=semua"
    while url:
        page = client.get(url)
        assert len(page.content) < 200_000
        seen += len(screening_table(page.text)[1])
        nxt = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert seen == total


def test_caseload_in_english_and_the_language_switch_keeps_the_filter(client: TestClient) -> None:
    sign_in(client, "pendamping.kebonjayanti")
    page = client.get("/kpm?usaha=ya").text
    switch = re.search(r'<a href="(/lang/en\?next=[^"]+)" hreflang="en">', page)
    assert switch
    english = client.get(switch.group(1).replace("&amp;", "&"))
    assert str(english.url).endswith("/kpm?usaha=ya")
    assert '<html lang="en">' in english.text
    assert "<strong>80 households with a micro-business</strong>" in english.text
    for words in ("Head of household", "Business (sector)", "Needs", "Apply", "culinary"):
        assert words in english.text, words
    screening = client.get("/kpm/skrining").text
    assert "eligible" in screening and "Download CSV" in screening and "memenuhi syarat" not in screening


def test_household_page_marks_verified_organisations(client: TestClient, session: Session) -> None:
    prse = household(session, DEMO_CASES["kebon_jayanti_prse_woman"])
    sign_in(client, "pendamping.kebonjayanti")
    assert "terverifikasi" not in client.get(f"/kpm/{prse.id}").text
    org = session.exec(select(Organization).where(Organization.name == "Dinas Sosial Kota Bandung")).one()
    org.verified_at = utcnow()
    session.add(org)
    session.commit()
    page = client.get(f"/kpm/{prse.id}").text
    assert page.count("✓ terverifikasi") == 1, "only the Dinas Sosial programme's organisation is verified"
