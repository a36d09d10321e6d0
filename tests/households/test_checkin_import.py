"""The ``checkins`` sheet of a caseload workbook: each row a business visit, stored through the
check-in rules (the family in your care, the refusals, the facts from the latest), each refused row
reported with its line, column and reason."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
from sqlmodel import Session, select

from models.households import Business
from models.monitoring import BusinessCheckin
from models.users import Role, User
from service.core.scope import Scope
from service.households.imports.use_cases import checkin_sheet
from service.settings import Settings
from tests.factories import business, facilitator, household, user

TODAY = Settings().today()
HEADER = ["ID PKH", "Nama Usaha", "Sektor", "Tanggal Kunjungan", "Omzet", "Biaya", "Pekerja", "Saluran Penjualan",
          "Sertifikat", "Status Pinjaman", "Catatan"]  # fmt: skip


def workbook(rows: list[list[object]], *, sheet: str = "checkins") -> bytes:
    book = openpyxl.Workbook()
    families = book.active
    assert families is not None
    families.title = "KPM"
    visits = book.create_sheet(sheet)
    visits.append(HEADER)
    for row in rows:
        visits.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_checkins_sheet_stores_its_rows_and_reports_the_refused(bare_session: Session) -> None:
    s = bare_session
    pendamping, other = facilitator(s), facilitator(s)
    mine = household(s, facilitator=pendamping)
    started = TODAY - timedelta(days=300)
    warung = business(s, mine, name="Warung Bu Uji", started_on=started, monthly_revenue=1_000_000)
    business(s, mine, name="Jahit Bu Uji", sector="fashion", started_on=started)
    theirs = household(s, facilitator=other)
    business(s, theirs, started_on=started)
    account = user(s, Role.facilitator, facilitator=pendamping)
    s.commit()
    scope = Scope.for_user(s, s.get(User, account.id))
    day = (TODAY - timedelta(days=10)).isoformat()
    earlier = (TODAY - timedelta(days=40)).strftime("%d/%m/%Y")
    data = workbook(
        [
            [mine.pkh_id, "Warung Bu Uji", None, day, "Rp 1.750.000", "900.000", 2, "WA, toko", "NIB, halal", None, "ok"],  # noqa: E501
            [mine.pkh_id, None, "kuliner", earlier, 1_200_000, None, 1, None, None, None, None],  # the sector names it
            [mine.pkh_id, None, None, day, 1_000_000, None, None, None, None, None, None],  # which of the two?
            [theirs.pkh_id, None, None, day, 1_000_000, None, None, None, None, None, None],  # not in this caseload
            [mine.pkh_id, "Warung Bu Uji", None, (TODAY + timedelta(days=2)).isoformat(), 1, None, None, None, None,
             None, None],  # in the future
            [mine.pkh_id, "Warung Bu Uji", None, day, -5, None, None, None, None, None, None],
            [mine.pkh_id, "Warung Bu Uji", None, day, 1_000, None, None, None, "ISO", None, None],
            [mine.pkh_id, "Warung Bu Uji", None, day, 1_000, None, None, None, None, "lunas", None],  # no loan
        ]
    )  # fmt: skip
    outcome = checkin_sheet(s, scope, data, filename="kpm.xlsx", today=TODAY, lang="id", dry_run=False)
    assert outcome is not None
    assert (outcome.rows, outcome.stored) == (8, 2)
    refused = {line: (column, reason) for line, column, reason in outcome.refused}
    assert refused[4] == ("business_name", "Keluarga ini punya beberapa usaha: tulis nama usahanya")
    assert refused[5] == ("pkh_id", "ID PKH ini tidak ada dalam dampingan Anda")
    assert refused[6][0] == "checked_on" and "masa depan" in refused[6][1]
    assert refused[7][0] == "monthly_revenue" and "negatif" in refused[7][1].lower()
    assert refused[8][0] == "certifications"
    assert refused[9][0] == "loan_status"

    stored = s.exec(select(BusinessCheckin).order_by(BusinessCheckin.checked_on)).all()
    assert [c.monthly_revenue for c in stored] == [1_200_000, 1_750_000]
    assert stored[1].certifications == ["halal", "nib"] and stored[1].sales_channels == ["whatsapp", "shop"]
    s.refresh(warung)
    fresh = s.get(Business, warung.id)
    assert fresh is not None and fresh.monthly_revenue == 1_750_000 and fresh.has_nib and fresh.has_halal
    assert fresh.workers == 2


def test_a_workbook_without_a_checkins_sheet_or_a_csv_has_none(bare_session: Session) -> None:
    s = bare_session
    account = user(s, Role.admin)
    s.commit()
    scope = Scope.for_user(s, account)
    book = workbook([], sheet="lain")
    assert checkin_sheet(s, scope, book, filename="kpm.xlsx", today=TODAY, lang="id", dry_run=False) is None
    assert (
        checkin_sheet(s, scope, b"ID PKH;Nama\n1;A\n", filename="kpm.csv", today=TODAY, lang="id", dry_run=False)
        is None
    )


def test_the_template_has_an_empty_checkins_sheet_the_import_reads(bare_session: Session) -> None:
    from service.households.imports.checkins import COLUMNS, is_header
    from service.households.imports.sheets import template

    book = openpyxl.load_workbook(io.BytesIO(template()))
    header = [c.value for c in book["checkins"][1]]
    assert header == [c.name for c in COLUMNS] and is_header(header)
    account = user(bare_session, Role.admin)
    bare_session.commit()
    scope = Scope.for_user(bare_session, account)
    assert (
        checkin_sheet(bare_session, scope, template(), filename="t.xlsx", today=TODAY, lang="id", dry_run=True) is None
    )
