"""Building caseload files for the import tests: the way facilitators' exports come (Indonesian
headers, ``;``, Windows-1252, DD/MM/YYYY, a title row) and the contract's own form."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from models.users import Role, User
from service.core.scope import Scope
from tests.factories import KEBON_JAYANTI, facilitator, synthetic_nik, user

INDONESIAN_HEADER = (
    "No",
    "ID PKH",
    "NIK Pengurus",
    "Nama Pengurus",
    "Tanggal Lahir",
    "Jenis Kelamin",
    "Alamat",
    "Kode Kelurahan",
    "Kelompok",
    "Status PKH",
    "Tahun Bergabung",
    "Desil",
    "Disabilitas",
    "Lansia",
    "Jumlah Anak Sekolah",
    "Sektor Usaha",
    "Omzet per Bulan",
)


def family(
    n: int,
    *,
    village: str = KEBON_JAYANTI,
    born: date = date(1984, 3, 12),
    sex: str = "P",
    sector: str | None = "kuliner",
    revenue: str | None = "1.500.000",
    group: str = "Melati 1",
    **over: Any,
) -> dict[str, Any]:
    """One synthetic family in the Indonesian columns (a woman's NIK: day + 40)."""
    nik_born = date(born.year, born.month, born.day)
    nik = synthetic_nik(n, village, nik_born)
    if sex == "P":
        nik = nik[:6] + f"{born.day + 40:02d}" + nik[8:]
    row = {
        "No": str(n),
        "ID PKH": f"IMP-{n:06d}",
        "NIK Pengurus": nik,
        "Nama Pengurus": f"Keluarga Impor {n}",
        "Tanggal Lahir": born.strftime("%d/%m/%Y"),
        "Jenis Kelamin": sex,
        "Alamat": f"Jl. Uji No. {n}, RT 0{n % 9 + 1}",
        "Kode Kelurahan": village.replace(".", ""),
        "Kelompok": group,
        "Status PKH": "Aktif",
        "Tahun Bergabung": "2019",
        "Desil": "2",
        "Disabilitas": "Tidak",
        "Lansia": "T",
        "Jumlah Anak Sekolah": "2",
        "Sektor Usaha": sector or "",
        "Omzet per Bulan": revenue or "",
    }
    row.update(over)
    return row


def csv_bytes(
    rows: Sequence[dict[str, Any]],
    *,
    header: Sequence[str] = INDONESIAN_HEADER,
    delimiter: str = ";",
    encoding: str = "cp1252",
    title: str | None = "DATA KPM PKH KELURAHAN KEBON JAYANTI",
) -> bytes:
    """A CSV as Indonesian Excel saves it: ``;``, Windows-1252, CRLF, a title row above the header."""
    out = io.StringIO()
    if title:
        out.write(title + delimiter * (len(header) - 1) + "\r\n")
    out.write(delimiter.join(header) + "\r\n")
    for row in rows:
        cells = [str(row.get(h, "") if row.get(h) is not None else "") for h in header]
        out.write(delimiter.join(f'"{c}"' if delimiter in c or '"' in c else c for c in cells) + "\r\n")
    out.write(delimiter * (len(header) - 1) + "\r\n")  # an empty trailing row, as Excel leaves one
    return out.getvalue().encode(encoding)


def facilitator_scope(session: Session, villages: tuple[str, ...] = (KEBON_JAYANTI,)) -> tuple[Scope, User]:
    f = facilitator(session, villages=villages)
    account = user(session, Role.facilitator, facilitator=f)
    session.commit()
    return Scope.for_user(session, account), account
