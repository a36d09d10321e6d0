"""The columns of a caseload file: canonical names, the headers people actually use, what is required.

A file's header is matched column by column, case- and space-insensitively, against each
column's canonical name and its aliases (the headers e-PKH, SIKS-NG and DTSEN exports and
facilitators' own sheets use). Where two aliases of one column are both present, the earlier
alias in the list wins (``ID PKH`` over ``IDARTBDT``/``ID DTKS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

Target = Literal["household", "business", "group", "nik"]


@dataclass(frozen=True)
class Column:
    """One column of the contract: its canonical header, the field it fills, the headers it answers to."""

    name: str
    kind: str  # text, nik, date, sex, region, bool, int, rupiah, float, enum, enums
    target: Target
    field: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    low: float | None = None
    high: float | None = None
    choices: str | None = None  # the enumeration (values.ENUMS) of an enum / enums column
    max_length: int | None = None


COLUMNS: Final[tuple[Column, ...]] = (
    Column(
        "pkh_id",
        "text",
        "household",
        "pkh_id",
        ("ID PKH", "IDPKH", "IDARTBDT", "ID DTKS", "IDDTKS"),
        required=True,
        max_length=40,
    ),
    Column("nik", "nik", "nik", "nik", ("NIK", "NIK Pengurus", "NIK KRT"), required=True),
    Column(
        "head_name",
        "text",
        "household",
        "head_name",
        ("Nama Pengurus", "Nama KRT", "Nama"),
        required=True,
        max_length=200,
    ),
    Column("head_birth_date", "date", "household", "head_birth_date", ("Tanggal Lahir", "Tgl Lahir")),
    Column("head_sex", "sex", "household", "head_sex", ("Jenis Kelamin", "JK")),
    Column("phone", "text", "household", "phone", ("No HP", "Nomor HP", "Telepon", "No Telepon"), max_length=40),
    Column(
        "village_code",
        "region",
        "household",
        "village_code",
        ("Kode Wilayah", "Kode Desa", "Kode Kelurahan", "Kode Desa/Kelurahan"),
        required=True,
    ),
    Column("address", "text", "household", "address", ("Alamat",), max_length=500),
    Column("latitude", "float", "household", "latitude", ("Lintang",), low=-90, high=90),
    Column("longitude", "float", "household", "longitude", ("Bujur",), low=-180, high=180),
    Column("group", "text", "group", "group", ("Kelompok", "Nama Kelompok", "Kelompok PKH"), max_length=120),
    Column("pkh_status", "enum", "household", "pkh_status", ("Status PKH", "Status Kepesertaan"), choices="pkh_status"),
    Column(
        "pkh_joined_year",
        "int",
        "household",
        "pkh_joined_year",
        ("Tahun Bergabung", "Tahun Masuk PKH"),
        low=2007,
        high=2100,
    ),
    Column("dtsen_decile", "int", "household", "dtsen_decile", ("Desil", "Desil DTSEN"), low=1, high=10),
    Column("prse", "bool", "household", "prse", ("PRSE", "Perempuan Rawan Sosial Ekonomi")),
    Column("disability", "bool", "household", "disability", ("Disabilitas", "Penyandang Disabilitas")),
    Column("elderly", "bool", "household", "elderly", ("Lansia",)),
    Column(
        "school_age_children",
        "int",
        "household",
        "school_age_children",
        ("Jumlah Anak Sekolah", "Anak Usia Sekolah"),
        low=0,
        high=30,
    ),
    Column("agreed_to_graduate", "bool", "household", "agreed_to_graduate", ("Bersedia Graduasi", "Siap Graduasi")),
    Column("business_name", "text", "business", "name", ("Nama Usaha",), max_length=200),
    Column(
        "business_sector",
        "enum",
        "business",
        "sector",
        ("Sektor Usaha", "Jenis Usaha", "Bidang Usaha"),
        choices="sector",
    ),
    Column("business_started_on", "date", "business", "started_on", ("Mulai Usaha", "Tanggal Mulai Usaha")),
    Column(
        "business_monthly_revenue",
        "rupiah",
        "business",
        "monthly_revenue",
        ("Omzet per Bulan", "Omzet", "Omset per Bulan", "Pendapatan Usaha per Bulan"),
        low=0,
    ),
    Column("business_workers", "int", "business", "workers", ("Jumlah Pekerja", "Tenaga Kerja"), low=0, high=1000),
    Column("business_has_nib", "bool", "business", "has_nib", ("NIB", "Punya NIB")),
    Column("business_has_pirt", "bool", "business", "has_pirt", ("PIRT", "P-IRT", "Punya PIRT")),
    Column("business_has_halal", "bool", "business", "has_halal", ("Halal", "Sertifikat Halal")),
    Column(
        "business_sales_channels",
        "enums",
        "business",
        "sales_channels",
        ("Saluran Penjualan", "Cara Berjualan"),
        choices="sales_channel",
    ),
    Column("business_needs", "enums", "business", "needs", ("Kebutuhan Usaha", "Kebutuhan"), choices="need"),
)

BY_NAME: Final = {c.name: c for c in COLUMNS}
REQUIRED: Final = tuple(c.name for c in COLUMNS if c.required)
BUSINESS_KEY: Final = "business_sector"
"""A row carries a business when this column has a value; the business is matched on sector + start date."""

_SPACES = re.compile(r"[\s_]+")


def normal(header: object) -> str:
    """A header as compared: lower case, runs of spaces and underscores as one space, no ``*`` marks."""
    text = "" if header is None else str(header)
    return _SPACES.sub(" ", text.replace("*", " ")).strip().lower()


_RANKS: Final[dict[str, tuple[str, int]]] = {}
for _column in COLUMNS:
    for _rank, _alias in enumerate((_column.name, *_column.aliases)):
        _RANKS.setdefault(normal(_alias), (_column.name, _rank))


def match_header(cells: list[object]) -> dict[str, int]:
    """Which cell index holds each known column (canonical name -> index); unknown headers are ignored."""
    best: dict[str, tuple[int, int]] = {}
    for index, cell in enumerate(cells):
        hit = _RANKS.get(normal(cell))
        if hit is None:
            continue
        name, rank = hit
        if name not in best or rank < best[name][0]:
            best[name] = (rank, index)
    return {name: index for name, (_, index) in best.items()}


def missing_required(mapping: dict[str, int]) -> list[str]:
    """The required columns a header lacks, as a person reads them: ``Kode Wilayah (village_code)``."""
    return [f"{BY_NAME[name].aliases[0]} ({name})" for name in REQUIRED if name not in mapping]


def looks_like_header(cells: list[object]) -> bool:
    """Whether a row is the header: it names at least three columns of the contract."""
    return len(match_header(cells)) >= 3
