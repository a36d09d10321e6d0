"""Who a row is: the same family by PKH id, else by NIK; re-imports change nothing; a family's second
business row adds a business; a facilitator imports into their own caseload only; the round trip."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, func, select

from models.households import Business, Household, KpmGroup
from models.users import Role
from service.core.scope import Scope
from service.households.imports import export_caseload
from service.households.imports.messages import render
from tests.factories import KEBON_JAYANTI, facilitator, household, user
from tests.imports.helpers import csv_bytes, facilitator_scope, family
from tests.imports.test_bad_input import reasons, run

ADMIN = Scope(user_id=None, role=Role.admin)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_re_importing_an_unchanged_file_creates_nothing(bare_session: Session) -> None:
    scope, _ = facilitator_scope(bare_session)
    rows = [family(i) for i in range(1, 11)] + [family(4, sector="jasa", revenue="300.000")]
    first = run(bare_session, scope, csv_bytes(rows))
    assert (first.rows, first.created, first.updated, first.unchanged) == (11, 11, 0, 0)
    assert (count(bare_session, Household), count(bare_session, Business), count(bare_session, KpmGroup)) == (10, 11, 1)
    versions = dict(bare_session.exec(select(Household.pkh_id, Household.version)).all())
    again = run(bare_session, scope, csv_bytes(rows))
    assert (again.rows, again.created, again.updated, again.unchanged) == (11, 0, 0, 11)
    bare_session.expire_all()
    assert dict(bare_session.exec(select(Household.pkh_id, Household.version)).all()) == versions
    assert count(bare_session, Business) == 11


def test_a_changed_row_updates_its_family_and_keeps_the_version_moving(bare_session: Session) -> None:
    scope, _ = facilitator_scope(bare_session)
    run(bare_session, scope, csv_bytes([family(1), family(2)]))
    moved = family(
        2, **{"Alamat": "Jl. Baru No. 7", "Status PKH": "graduasi sejahtera mandiri", "Omzet per Bulan": "2.000.000"}
    )
    out = run(bare_session, scope, csv_bytes([family(1), moved]))
    assert (out.created, out.updated, out.unchanged) == (0, 1, 1)
    bare_session.expire_all()
    stored = bare_session.exec(select(Household).where(Household.pkh_id == moved["ID PKH"])).one()
    assert (stored.address, stored.pkh_status, stored.version) == ("Jl. Baru No. 7", "graduated_self_sufficient", 2)
    assert stored.exited_on is not None  # UU PDP retention counts from the day the family left PKH
    revenue = bare_session.exec(select(Business.monthly_revenue).where(Business.household_id == stored.id)).one()
    assert revenue == 2_000_000


def test_a_family_is_found_by_its_nik_when_its_pkh_id_changed(bare_session: Session) -> None:
    scope, _ = facilitator_scope(bare_session)
    run(bare_session, scope, csv_bytes([family(1)]))
    renamed = family(1, **{"ID PKH": "PKH-BARU-1"})
    out = run(bare_session, scope, csv_bytes([renamed]))
    assert (out.created, out.updated) == (0, 1)
    assert bare_session.exec(select(Household.pkh_id)).all() == ["PKH-BARU-1"]


def test_a_facilitator_imports_only_into_their_own_villages_and_caseload(bare_session: Session) -> None:
    scope, _ = facilitator_scope(bare_session)
    other = facilitator(bare_session)
    theirs = household(bare_session, facilitator=other, head_name="Keluarga Orang Lain")
    theirs.pkh_id = "ORANG-LAIN-1"
    bare_session.commit()
    outside = family(1, **{"Kode Kelurahan": "3273161001"})
    outside["NIK Pengurus"] = outside["NIK Pengurus"]  # same district, another village
    taken = family(2, **{"ID PKH": "ORANG-LAIN-1"})
    out = run(bare_session, scope, csv_bytes([outside, taken]), accept_partial=True)
    assert reasons(out) == [
        (
            3,
            "Kode Kelurahan",
            "Desa/kelurahan 32.73.16.1001 bukan wilayah dampingan Anda. Minta administrator "
            "menambahkannya atau memindahkan keluarga ini.",
        ),
        (4, "ID PKH", "ID PKH atau NIK ini tidak dapat dipakai untuk keluarga ini; hubungi administrator."),
    ]
    bare_session.refresh(theirs)
    assert (theirs.head_name, theirs.facilitator_id, theirs.version) == ("Keluarga Orang Lain", other.id, 1)


def test_an_admin_puts_families_in_a_facilitators_caseload(bare_session: Session) -> None:
    chosen = facilitator(bare_session)
    bare_session.commit()
    out = run(bare_session, ADMIN, csv_bytes([family(1), family(2)]), facilitator_id=chosen.id)
    assert out.created == 2
    assert set(bare_session.exec(select(Household.facilitator_id)).all()) == {chosen.id}
    group = bare_session.exec(select(KpmGroup)).one()
    assert (group.name, group.village_code, group.facilitator_id) == ("Melati 1", KEBON_JAYANTI, chosen.id)


def test_group_names_match_whatever_their_case_and_spaces(bare_session: Session) -> None:
    scope, _ = facilitator_scope(bare_session)
    rows = [family(1, group="Melati 1"), family(2, group="  melati   1 "), family(3, group="MAWAR")]
    run(bare_session, scope, csv_bytes(rows))
    assert sorted(bare_session.exec(select(KpmGroup.name)).all()) == ["MAWAR", "Melati 1"]


def test_export_edit_three_revenues_import_updates_exactly_three(bare_session: Session) -> None:
    scope, _ = facilitator_scope(bare_session)
    rows = [family(i, revenue=str(i * 100_000)) for i in range(1, 21)] + [family(21, sector=None, revenue=None)]
    assert run(bare_session, scope, csv_bytes(rows)).created == 21
    exported = export_caseload(bare_session, scope)
    book = load_workbook(io.BytesIO(exported))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["pkh_id", "nik", "head_name"]
    assert all(str(r[1]).startswith("************") for r in sheet.iter_rows(min_row=2, values_only=True))
    revenue = header.index("business_monthly_revenue")
    changed = 0
    for row in sheet.iter_rows(min_row=2):
        if row[revenue].value and changed < 3:
            row[revenue].value = row[revenue].value + 50_000
            changed += 1
    edited = io.BytesIO()
    book.save(edited)
    data = edited.getvalue()
    out = run(bare_session, scope, data, name="kpm.xlsx")
    assert out.problems == []
    assert (out.rows, out.created, out.updated, out.unchanged) == (21, 0, 3, 18)


def test_a_masked_nik_of_a_refused_row_is_accepted_when_the_report_comes_back(bare_session: Session) -> None:
    from service.households.imports.sheets import report
    from service.households.imports.use_cases import _store_report, report_rows

    scope, account = facilitator_scope(bare_session)
    bad = family(1, **{"Tanggal Lahir": "12-03-1984x"})
    out = run(bare_session, scope, csv_bytes([bad]))
    assert out.refused_rows == 1
    _store_report(bare_session, owner_user_id=account.id, job_id=None, outcome=out, lang="id", filename="kpm.csv")
    bare_session.commit()
    sheet = load_workbook(io.BytesIO(report(out.header, report_rows(out, "id")))).active
    header = [c.value for c in sheet[1]]
    values = [c.value for c in sheet[2]]
    assert header[-2:] == ["baris asal", "alasan"]
    assert values[header.index("NIK Pengurus")] == "************" + bad["NIK Pengurus"][-4:]
    fixed = dict(zip(header, values, strict=True)) | {"Tanggal Lahir": "12/03/1984"}
    again = run(bare_session, scope, csv_bytes([fixed]))
    assert (again.created, again.refused_rows) == (1, 0)
    assert count(bare_session, Household) == 1
    # another account's report does not lend its NIKs
    other_scope = Scope.for_user(
        bare_session, user(bare_session, Role.facilitator, facilitator=facilitator(bare_session))
    )
    refused = run(bare_session, other_scope, csv_bytes([fixed | {"ID PKH": "X", "Kelompok": "Kenanga"}]))
    assert [render(p.key, p.params, "en") for p in refused.problems] == [
        "A masked NIK (************1234) cannot register a new family. Write the full 16-digit NIK."
    ]
    assert date(1984, 3, 12) in set(bare_session.exec(select(Household.head_birth_date)).all())


def test_another_facilitators_group_is_not_borrowed(bare_session: Session) -> None:
    from tests.factories import group

    scope, _ = facilitator_scope(bare_session)
    other = facilitator(bare_session)
    group(bare_session, name="Anggrek", facilitator_id=other.id)
    bare_session.commit()
    out = run(
        bare_session, scope, csv_bytes([family(1, group="anggrek"), family(2, group="Melati 1")]), accept_partial=True
    )
    assert reasons(out) == [
        (
            3,
            "Kelompok",
            "Kelompok anggrek di desa ini didampingi pendamping lain; pakai nama kelompok Anda sendiri "
            "atau minta administrator memindahkannya.",
        ),
    ]
    assert out.created == 1


def test_expired_uploads_and_reports_are_removed(bare_session: Session, tmp_path) -> None:
    from datetime import timedelta

    from models.jobs import Upload, UploadPurpose
    from models.types import utcnow
    from service.errors import NotFound
    from service.jobs.files import get_file, purge_expired, store_file

    scope, account = facilitator_scope(bare_session)
    kept = store_file(
        bare_session, owner_user_id=account.id, purpose=UploadPurpose.import_report, filename="a.xlsx", data=b"x"
    )
    old = store_file(
        bare_session, owner_user_id=account.id, purpose=UploadPurpose.import_report, filename="b.xlsx", data=b"y"
    )
    old.expires_at = utcnow() - timedelta(seconds=1)
    bare_session.commit()
    with pytest.raises(NotFound):
        get_file(bare_session, scope, old.id)
    assert purge_expired(bare_session) == 1
    assert bare_session.exec(select(Upload.id)).all() == [kept.id]


def test_a_family_that_restricted_processing_is_not_changed(bare_session: Session) -> None:
    from models.types import utcnow

    scope, _ = facilitator_scope(bare_session)
    run(bare_session, scope, csv_bytes([family(1)]))
    stored = bare_session.exec(select(Household)).one()
    stored.restricted_at = utcnow()
    bare_session.add(stored)
    bare_session.commit()
    out = run(bare_session, scope, csv_bytes([family(1, **{"Alamat": "Jl. Baru"})]), accept_partial=True)
    assert [r for _, _, r in reasons(out)] == [
        "Keluarga ini membatasi pemrosesan datanya (UU PDP); datanya tidak diubah sampai pembatasan dicabut."
    ]
    bare_session.refresh(stored)
    assert stored.address != "Jl. Baru" and stored.version == 1


def test_an_xlsx_sheet_is_chosen_by_name(bare_session: Session) -> None:
    from openpyxl import Workbook

    from service.households.imports import FileRefused

    scope, _ = facilitator_scope(bare_session)
    good = family(1)
    book = Workbook()
    book.active.title = "Catatan"
    book.active.append(["catatan saja"])
    sheet = book.create_sheet("KPM")
    sheet.append(["ID PKH", "NIK", "Nama Pengurus", "Kode Desa", "Tanggal Lahir"])
    sheet.append([good["ID PKH"], good["NIK Pengurus"], "Keluarga Lembar", "32.73.16.1002", "12/03/1984"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(FileRefused) as refused:
        run(bare_session, scope, out.getvalue(), name="kpm.xlsx", sheet="Data")
    assert (
        render(refused.value.key, refused.value.params, "id") == "Lembar Data tidak ada. Lembar yang ada: Catatan, KPM."
    )
    done = run(bare_session, scope, out.getvalue(), name="kpm.xlsx", sheet="KPM")
    assert (done.created, done.refused_rows) == (1, 0)
