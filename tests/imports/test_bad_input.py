"""Each bad input of the issue, with the exact reason a facilitator reads, and nothing stored from it."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from models.households import Business, Household
from service.core.scope import Scope
from service.households.imports import FileRefused, ImportOptions, ImportOutcome
from service.households.imports.messages import render
from service.households.imports.run import import_households
from tests.conftest import settings_for
from tests.factories import KEBON_JAYANTI
from tests.imports.helpers import INDONESIAN_HEADER, csv_bytes, facilitator_scope, family

KEY = settings_for("sqlite://").nik_hash_key


def run(session: Session, scope: Scope, data: bytes, name: str = "kpm.csv", **options: Any) -> ImportOutcome:
    return import_households(
        session,
        scope,
        opener=lambda: (io.BytesIO(data), name, len(data)),
        options=ImportOptions(**options),
        nik_key=KEY,
    )


def reasons(out: ImportOutcome) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, render(p.key, p.params, "id")) for p in out.problems]


def households(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Household)).one()


@pytest.fixture
def scope(bare_session: Session) -> Scope:
    return facilitator_scope(bare_session)[0]


# One good family on line 3 (a title row, then the header) and one bad one on line 4.
CASES = [
    (
        {"NIK Pengurus": "3.27316E+15"},
        "NIK Pengurus",
        "NIK tertulis sebagai angka ilmiah (mis. 3.27316E+15): Excel membulatkannya dan digit terakhirnya hilang. "
        "Format kolom NIK sebagai Teks lalu ketik ulang NIK.",
    ),
    (
        {"NIK Pengurus": "327316520384002.0"},
        "NIK Pengurus",
        "NIK tersimpan sebagai angka desimal sehingga digitnya bisa berubah. Format kolom NIK sebagai Teks lalu ketik "
        "ulang 16 digit NIK.",
    ),
    ({"NIK Pengurus": "327316520384002"}, "NIK Pengurus", "NIK harus 16 digit; yang tertulis 15 digit."),
    ({"NIK Pengurus": "32731652038400211"}, "NIK Pengurus", "NIK harus 16 digit; yang tertulis 17 digit."),
    (
        {"Kode Kelurahan": "3273169999"},
        "Kode Kelurahan",
        "Kode desa/kelurahan 32.73.16.9999 tidak ada dalam daftar wilayah Kemendagri.",
    ),
    (
        {"Kode Kelurahan": "32.73.16"},
        "Kode Kelurahan",
        "Kode wilayah 32.73.16 tidak berbentuk kode desa/kelurahan (10 digit: 3273161002 atau 32.73.16.1002).",
    ),
    ({"Tanggal Lahir": "31/02/1985"}, "Tanggal Lahir", "Tanggal 31/02/1985 tidak ada di kalender."),
    (
        {"Tanggal Lahir": "kemarin"},
        "Tanggal Lahir",
        "Bukan tanggal. Tulis sebagai HH/BB/TTTT (31/12/1985), HH-BB-TTTT atau TTTT-BB-HH.",
    ),
    (
        {"Status PKH": "lulus"},
        "Status PKH",
        "lulus bukan pilihan yang dikenal. Pilihan: aktif, graduasi alami, graduasi sejahtera mandiri, keluar.",
    ),
    (
        {"Sektor Usaha": "kulinerr"},
        "Sektor Usaha",
        "kulinerr bukan pilihan yang dikenal. Pilihan: fesyen/jahit, jasa, kerajinan, kuliner, lainnya, perikanan, "
        "pertanian, peternakan, warung/dagang.",
    ),
    ({"Omzet per Bulan": "-500000"}, "Omzet per Bulan", "Tidak boleh negatif."),
    ({"Jumlah Anak Sekolah": "-1"}, "Jumlah Anak Sekolah", "Tidak boleh negatif."),
    ({"Disabilitas": "mungkin"}, "Disabilitas", "Tulis ya atau tidak (juga Y/T, 1/0)."),
    ({"Jenis Kelamin": "X"}, "Jenis Kelamin", "Jenis kelamin ditulis L (laki-laki) atau P (perempuan)."),
    ({"Desil": "11"}, "Desil", "Terlalu besar: paling banyak 10."),
    ({"Nama Pengurus": ""}, "Nama Pengurus", "Wajib diisi."),
]


@pytest.mark.parametrize(("bad", "column", "reason"), CASES, ids=[f"{c[1]}={next(iter(c[0].values()))}" for c in CASES])
def test_a_bad_cell_is_refused_with_its_reason(
    bare_session: Session, scope: Scope, bad: dict[str, str], column: str, reason: str
) -> None:
    good, wrong = family(1), family(2, **bad)
    out = run(bare_session, scope, csv_bytes([good, wrong]), accept_partial=True)
    assert reasons(out) == [(4, column, reason)]
    assert (out.rows, out.created, out.refused_rows) == (2, 1, 1)
    stored = bare_session.exec(select(Household.pkh_id)).all()
    assert stored == [good["ID PKH"]]  # nothing of the refused row


def test_nik_digits_must_agree_with_the_district_and_the_birth_date(bare_session: Session, scope: Scope) -> None:
    other_district = family(1)
    other_district["NIK Pengurus"] = "3204" + other_district["NIK Pengurus"][4:]
    wrong_birthday = family(2, **{"Tanggal Lahir": "13/03/1984"})  # the NIK says 12 March
    a_man = family(3, **{"Jenis Kelamin": "L"})  # the NIK is a woman's (day + 40)
    out = run(bare_session, scope, csv_bytes([other_district, wrong_birthday, a_man]), accept_partial=True)
    assert reasons(out) == [
        (
            3,
            "NIK Pengurus",
            "Enam digit pertama NIK tidak cocok dengan kecamatan keluarga (32.73.16). Periksa NIK dan kode wilayah.",
        ),
        (
            4,
            "NIK Pengurus",
            "Digit tanggal lahir dalam NIK tidak cocok dengan tanggal lahir 13/03/1984 "
            "(untuk perempuan tanggal ditambah 40).",
        ),
        (
            5,
            "NIK Pengurus",
            "NIK ini milik orang dengan jenis kelamin lain dari yang tertulis di baris ini "
            "(perempuan: tanggal lahir di NIK ditambah 40).",
        ),
    ]
    assert households(bare_session) == 0


def test_a_row_reports_every_problem_at_once(bare_session: Session, scope: Scope) -> None:
    row = family(1, **{"Tanggal Lahir": "31/02/1985", "Desil": "0", "Sektor Usaha": "kulinerr"})
    out = run(bare_session, scope, csv_bytes([row]))
    assert [c for _, c, _ in reasons(out)] == ["Tanggal Lahir", "Desil", "Sektor Usaha"]


def test_the_same_family_twice_with_different_data(bare_session: Session, scope: Scope) -> None:
    first = family(1)
    again = family(1, **{"Alamat": "Jl. Lain No. 9"})
    same_nik = family(2)
    same_nik["NIK Pengurus"] = first["NIK Pengurus"]
    out = run(bare_session, scope, csv_bytes([first, again, same_nik]), accept_partial=True)
    assert reasons(out) == [
        (
            4,
            "ID PKH",
            "Keluarga ini (ID PKH yang sama) sudah ada di baris 3 dengan data berbeda. Samakan kedua baris "
            "atau hapus salah satunya.",
        ),
        (5, "NIK Pengurus", "NIK ini sudah dipakai keluarga lain di baris 3 berkas ini."),
    ]
    assert households(bare_session) == 1


def test_a_missing_required_column_refuses_the_whole_file(bare_session: Session, scope: Scope) -> None:
    header = [h for h in INDONESIAN_HEADER if h != "Kode Kelurahan"]
    with pytest.raises(FileRefused) as refused:
        run(bare_session, scope, csv_bytes([family(1)], header=header))
    assert render(refused.value.key, refused.value.params, "id") == (
        "Kolom wajib tidak ada: Kode Wilayah (village_code). Tambahkan kolom itu (lihat templat) lalu unggah lagi."
    )
    assert households(bare_session) == 0


def test_without_accept_partial_nothing_is_stored(bare_session: Session, scope: Scope) -> None:
    rows = [family(i) for i in range(1, 6)] + [family(6, **{"Tanggal Lahir": "31/02/1985"})]
    for one_transaction in (True, False):  # the CLI's way and the job's way on SQLite
        out = import_households(
            bare_session,
            scope,
            opener=lambda: (io.BytesIO(csv_bytes(rows)), "k.csv", 1),
            options=ImportOptions(),
            nik_key=KEY,
            one_transaction=one_transaction,
        )
        assert (out.rows, out.refused_rows, out.stored) == (6, 1, False)
        assert households(bare_session) == 0
        assert bare_session.exec(select(func.count()).select_from(Business)).one() == 0
    out = run(bare_session, scope, csv_bytes(rows), accept_partial=True)
    assert (out.created, out.refused_rows, out.stored, households(bare_session)) == (5, 1, True, 5)


def test_a_dry_run_counts_and_stores_nothing(bare_session: Session, scope: Scope) -> None:
    out = run(bare_session, scope, csv_bytes([family(1), family(2)]), dry_run=True)
    assert (out.rows, out.created, out.stored, households(bare_session)) == (2, 2, False, 0)


# --- file level -------------------------------------------------------------------------------


def test_encodings_delimiters_title_rows_and_trailing_rows(bare_session: Session, scope: Scope) -> None:
    names = ["Siti Nurhayati Él", "Dewi Lestari Ñ"]
    rows = [family(1, **{"Nama Pengurus": names[0]}), family(2, **{"Nama Pengurus": names[1]})]
    for encoding, delimiter in (("cp1252", ";"), ("utf-8-sig", ","), ("utf-8", ";")):
        bare_session.rollback()
        out = run(bare_session, scope, csv_bytes(rows, encoding=encoding, delimiter=delimiter), dry_run=True)
        assert (out.rows, out.created, out.refused_rows) == (2, 2, 0), (encoding, out.problems)
    # one line saved as UTF-8, the next as Windows-1252 (two exports pasted together)
    mixed = (
        csv_bytes(rows[:1], encoding="utf-8") + csv_bytes(rows[1:], encoding="cp1252", title=None).split(b"\r\n", 1)[1]
    )
    out = run(bare_session, scope, mixed)
    assert (out.rows, out.created, out.refused_rows) == (2, 2, 0)
    assert sorted(bare_session.exec(select(Household.head_name)).all()) == sorted(names)


def test_lines_count_title_rows_as_a_spreadsheet_shows_them(bare_session: Session, scope: Scope) -> None:
    data = b"DATA KPM\r\nKelurahan Kebon Jayanti\r\n\r\n" + csv_bytes([family(1), family(2, Desil="0")], title=None)
    out = run(bare_session, scope, data, accept_partial=True)
    assert [(line, column) for line, column, _ in reasons(out)] == [(6, "Desil")]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_dates_serials_formulas_and_numbers(bare_session: Session, scope: Scope) -> None:
    header = ["pkh_id", "nik", "head_name", "head_birth_date", "village_code", "head_sex", "dtsen_decile"]
    good = family(1)
    serial = family(2)
    formula = family(3)
    number = family(4)
    data = _xlsx(
        [
            ["Daftar KPM"],
            header,
            [good["ID PKH"], good["NIK Pengurus"], "Keluarga A", datetime(1984, 3, 12), KEBON_JAYANTI, "P", 2],
            [
                serial["ID PKH"],
                serial["NIK Pengurus"],
                "Keluarga B",
                (date(1984, 3, 12) - date(1899, 12, 30)).days,
                3273161002,
                "P",
                2.0,
            ],
            [
                formula["ID PKH"],
                formula["NIK Pengurus"],
                '=UPPER("keluarga c")',
                datetime(1984, 3, 12),
                KEBON_JAYANTI,
                "P",
                2,
            ],
            [number["ID PKH"], 3.27316e15, "Keluarga D", datetime(1984, 3, 12), KEBON_JAYANTI, "P", 2],
            [None, None, None],
        ]
    )
    out = run(bare_session, scope, data, name="kpm.xlsx", accept_partial=True)
    assert reasons(out) == [
        (
            5,
            "head_name",
            "Sel ini berisi rumus; rumus tidak dihitung. Salin lalu tempel sebagai nilai (Tempel Spesial → Nilai).",
        ),
        # a 16-digit number Excel rounded to 15 significant digits: its birth digits are gone
        (6, "nik", "Digit 7–12 NIK bukan tanggal lahir yang mungkin (HHBBTT; perempuan HH+40)."),
    ]
    assert (out.rows, out.created) == (4, 2)
    births = set(bare_session.exec(select(Household.head_birth_date)).all())
    assert births == {date(1984, 3, 12)}


def test_a_file_that_is_not_a_real_xlsx_or_a_zip_bomb(bare_session: Session, scope: Scope) -> None:
    with pytest.raises(FileRefused) as refused:
        run(bare_session, scope, b"this is not a workbook at all", name="kpm.xlsx")
    assert refused.value.key == "imp.f.not_zip"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    with pytest.raises(FileRefused) as refused:
        run(bare_session, scope, bomb.getvalue(), name="kpm.xlsx")
    assert render(refused.value.key, refused.value.params, "id") == (
        "Isi berkas XLSX ini jauh lebih besar daripada berkasnya (bom zip?); berkas ditolak."
    )
    assert households(bare_session) == 0


def test_a_file_across_many_villages_checks_them_against_the_whole_list(
    bare_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.households.imports import run as import_run

    monkeypatch.setattr(import_run, "VILLAGES_AT_ONCE", 1)  # two unknown villages in a batch: load the list
    admin = Scope(user_id=None, role=import_run.Role.admin)
    rows = [family(1), family(2, **{"Kode Kelurahan": "3273161001"}), family(3, **{"Kode Kelurahan": "3273169999"})]
    out = run(bare_session, admin, csv_bytes(rows), accept_partial=True)
    assert reasons(out) == [
        (5, "Kode Kelurahan", "Kode desa/kelurahan 32.73.16.9999 tidak ada dalam daftar wilayah Kemendagri.")
    ]
    assert out.created == 2
