"""The synthetic demo: four PKH areas, the agencies and programmes named in the field studies.

Deterministic and idempotent. Every household, facilitator, NIK and phone number is generated
here from fixed seeds (``random.Random`` per area) and the date ``today``; nothing depends on the
wall clock except the bookkeeping columns ``created_at``/``updated_at``. Each table's rows are
matched to what the database already holds by a natural key and only the missing ones are
inserted; nothing existing is updated, so seeding twice changes no count.

Areas (see ``shared/domain/BRIEF.md`` and the papers it cites):

* Kelurahan Kebon Jayanti, Kota Bandung (paper 002): one facilitator, 350 KPM in 13 groups,
  80 micro-businesses (mostly culinary); PENA and Dinas Sosial's PRSE programme within reach;
  Dinas KUMKM, Disdagin and Forum CSR in the city with no tie to PKH.
* Kota Jakarta Timur (paper 003): four facilitators in three kecamatan; Jakpreneur (training,
  loan at 6 % a year, bazaar, labels and halal), a Sentra Kemensos outlet, a hotel buying catering.
* Desa Tanjung Harapan, Lampung Tengah (paper 000): a village cooperative's sewing and digital
  marketing, Dinas Sosial's entrepreneurship training; many fashion businesses.
* Desa Pucang Sari, Kabupaten Pasuruan (paper 004): P2K2 groups, Dinas Sosial, Dinas Koperasi
  dan Usaha Mikro and the village BUMDes.

NIKs are 16 digits: the kecamatan code (6 digits), the impossible birth day ``00``, birth month
and year, and a 4-digit sequence, so none can be a real person's number.
"""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from mapping.benefits import certificates_given, need_of
from models.benefits import Benefit, BenefitSource
from models.eligibility import NEEDS, validate_rule_tree
from models.graduation import Graduation, GraduationType
from models.households import (
    Business,
    EducationBackground,
    Facilitator,
    FacilitatorVillage,
    Household,
    KpmGroup,
    PkhStatus,
    SalesChannel,
)
from models.monitoring import BusinessCheckin
from models.network import Forum, ForumMember, Partnership, PartnershipKind, PartnershipStatus, PartyKind
from models.organizations import (
    CapacityUnit,
    Location,
    Need,
    Organization,
    OrganizationKind,
    Program,
    ProgramKind,
    ProgramLocation,
    ProgramServiceArea,
    ProgramStatus,
)
from models.protection import hash_password, mask_nik, nik_hash
from models.referrals import Referral, ReferralEvent, ReferralStatus
from models.types import code_within
from models.users import Role, User
from seeds.checkins import BusinessNow
from seeds.checkins import history as checkin_history
from seeds.demo_pathways import load_pathways
from seeds.graduations import graduation_row

SEED = "jejaring-demo-2026"
BATCH = 500

# Households tests can rely on: stable PKH ids with known facts (as of ``today``).
DEMO_CASES: dict[str, str] = {
    # Kebon Jayanti (facilitator user pendamping.kebonjayanti)
    "kebon_jayanti_age35_culinary": "PKH-3273161002-0001",  # F, 35, agreed, culinary 24 months, not PRSE
    "kebon_jayanti_age43_culinary": "PKH-3273161002-0002",  # F, 43, agreed, culinary 36 months, not PRSE
    "kebon_jayanti_prse_woman": "PKH-3273161002-0003",  # F, 38, PRSE, no business
    "kebon_jayanti_non_prse_woman": "PKH-3273161002-0004",  # F, 41, not PRSE, no business
    "kebon_jayanti_business_no_start_date": "PKH-3273161002-0005",  # F, 30, agreed, culinary, started_on None
    # Jakarta Timur, Kampung Melayu (facilitator user pendamping.jaktim)
    "jaktim_business_3_months": "PKH-3175031001-0001",  # F, 33, active, culinary started exactly 3 months ago
    "jaktim_business_8_months": "PKH-3175031001-0002",  # F, 45, active, culinary started exactly 8 months ago
    "jaktim_graduated_business_2_months": "PKH-3175031001-0003",  # graduated_self_sufficient, culinary 2 months
}

# Demo accounts: username -> (password, role, full name). Printed in the README.
DEMO_USERS: dict[str, tuple[str, Role, str]] = {
    "admin": ("admin-demo-2026", Role.admin, "Administrator Demo"),
    "pendamping.kebonjayanti": ("pendamping-demo-2026", Role.facilitator, ""),
    "pendamping.jaktim": ("pendamping-demo-2026", Role.facilitator, ""),
    "dinsos.bandung": ("dinsos-demo-2026", Role.agency_staff, "Staf Dinas Sosial Kota Bandung (demo)"),
    "forum.bandung": ("forum-demo-2026", Role.forum_organizer, "Pengelola Forum Sinergi Kreatif (demo)"),
}

# --- Dates ------------------------------------------------------------------------------------


def months_ago(today: date, months: int) -> date:
    """The same day ``months`` months before ``today`` (clamped to the month's last day)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def birth_date_for_age(today: date, age: int, days_before_birthday: int) -> date:
    """A birth date making the person exactly ``age`` on ``today`` (1 <= days_before_birthday <= 360)."""
    year = today.year - age
    anniversary = date(year, today.month, min(today.day, calendar.monthrange(year, today.month)[1]))
    return anniversary - timedelta(days=days_before_birthday)


def at_utc(day: date, hour: int = 2, minute: int = 0) -> datetime:
    """A timezone-aware UTC timestamp on ``day`` (02:00 UTC is 09:00 in Jakarta)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


# --- Names ------------------------------------------------------------------------------------

SUNDANESE_F = (
    "Euis", "Imas", "Neneng", "Cucu", "Entin", "Yati", "Iis", "Nining", "Dedeh", "Ai", "Tati", "Popon",
    "Enok", "Lilis", "Nenden", "Wulan", "Rina", "Siti", "Dewi", "Yanti", "Eneng", "Titin", "Cicih", "Empat",
)  # fmt: skip
SUNDANESE_M = ("Asep", "Ujang", "Dadang", "Ade", "Cecep", "Dede", "Yayan", "Endang", "Agus", "Deden", "Iwan")
JAVANESE_F = (
    "Sri", "Suparmi", "Sulastri", "Wartini", "Sumiati", "Tumini", "Lestari", "Endah", "Sukarni", "Partini",
    "Wahyuni", "Ngatini", "Painem", "Sumarni", "Tri", "Murni", "Yuli", "Kasiyem", "Jumiati", "Rukmini",
)  # fmt: skip
JAVANESE_M = ("Slamet", "Sugeng", "Joko", "Bambang", "Suparno", "Budi", "Wahyudi", "Agus", "Sutrisno", "Paijo")
BETAWI_F = (
    "Aminah", "Nur", "Fatimah", "Rohani", "Mariam", "Juleha", "Saodah", "Romlah", "Maemunah", "Zubaedah",
    "Muniroh", "Hindun", "Masnah", "Rodiah", "Salmah", "Nurlela", "Rohaya", "Ipah",
)  # fmt: skip
BETAWI_M = ("Sabeni", "Mamat", "Rojali", "Muhidin", "Jaenudin", "Ali", "Mansur", "Udin", "Mahmud", "Rasyid")
LAMPUNG_F = (
    "Nuraini", "Rosmala", "Herlina", "Nurhayati", "Mardiana", "Ratna", "Yusnita", "Rusmini", "Marlina",
    "Rohana", "Sumiyati", "Indah", "Suwarni", "Kartini", "Nurjanah", "Sarinah",
)  # fmt: skip
LAMPUNG_M = ("Hasan", "Zulkifli", "Arman", "Rusli", "Sahrul", "Bahtiar", "Effendi", "Hermansyah", "Sukardi")
SUNDANESE_FAMILY = (
    "Sunarya", "Suryana", "Permana", "Hidayat", "Kurniasih", "Rahayu", "Nurhayati", "Sumarni", "Komalasari",
    "Setiawati", "Maryani", "Rosita", "Herawati", "Sukmawati", "Mulyani", "Gunawan",
)  # fmt: skip
JAVANESE_FAMILY = (
    "Rahayu", "Wulandari", "Lestari", "Handayani", "Susanti", "Purwanti", "Setyowati", "Wibowo", "Santoso",
    "Prasetyo", "Astuti", "Rahmawati", "Suryani", "Widodo", "Utami", "Hartini",
)  # fmt: skip
BETAWI_FAMILY = ("Saputra", "Hasanah", "Rohmah", "Kurnia", "Hamidah", "Sari", "Aziz", "Munawaroh", "Zakiah")
LAMPUNG_FAMILY = ("Wijaya", "Syahputra", "Marlina", "Yusuf", "Fitriani", "Hasibuan", "Safitri", "Anwar")

GROUP_FLOWERS = (
    "Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Cempaka", "Flamboyan", "Teratai", "Tulip",
    "Kamboja", "Seruni", "Bougenville", "Lili", "Sedap Malam", "Kemuning", "Soka",
)  # fmt: skip

BUSINESS_TEMPLATES: dict[str, tuple[str, ...]] = {
    "culinary": (
        "Warung Nasi", "Keripik Tempe", "Kue Basah", "Gorengan", "Seblak", "Katering", "Bakso", "Lontong Sayur",
        "Nasi Uduk", "Rujak", "Batagor", "Es Campur", "Peuyeum", "Kerupuk", "Pecel", "Sambal Botol",
    ),
    "fashion": ("Jahit", "Konveksi", "Permak Pakaian", "Bordir", "Kerudung", "Sablon Kaos"),
    "craft": ("Anyaman Bambu", "Souvenir Manik", "Kerajinan Kain Perca", "Tas Rajut"),
    "agriculture": ("Kebun Sayur", "Bibit Tanaman", "Jamur Tiram", "Kebun Cabai"),
    "livestock": ("Ternak Ayam Kampung", "Ternak Kambing", "Ternak Bebek", "Ternak Sapi"),
    "fishery": ("Budidaya Lele", "Pindang Ikan", "Ikan Asin"),
    "retail": ("Warung Sembako", "Toko Kelontong", "Pulsa dan Token", "Jual Gas Elpiji", "Warung Kopi"),
    "services": ("Laundry Kiloan", "Salon", "Cuci Motor", "Servis Elektronik", "Ojek Antar"),
    "other": ("Usaha Rumahan",),
}  # fmt: skip
SALES_CHANNELS = tuple(c.value for c in SalesChannel)

VILLAGE_NAMES = {
    "32.73.16.1002": "Kebon Jayanti",
    "31.75.03.1001": "Kampung Melayu",
    "31.75.03.1002": "Bidara Cina",
    "31.75.03.1004": "Rawa Bunga",
    "31.75.02.1002": "Pisangan Timur",
    "31.75.02.1003": "Cipinang",
    "31.75.01.1006": "Utan Kayu Selatan",
    "18.02.10.2002": "Tanjung Harapan",
    "35.14.01.2011": "Pucang Sari",
}

# --- Areas and facilitators -------------------------------------------------------------------


@dataclass(frozen=True)
class FacilitatorSpec:
    key: str
    name: str
    education: EducationBackground
    regency: str
    phone: str
    # (village code, households, groups)
    villages: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class AreaSpec:
    key: str
    centre: tuple[float, float]
    facilitators: tuple[FacilitatorSpec, ...]
    first_f: tuple[str, ...]
    first_m: tuple[str, ...]
    family: tuple[str, ...]
    business_owners: int
    sectors: dict[str, int]
    phone_base: int


AREAS: tuple[AreaSpec, ...] = (
    AreaSpec(
        key="kebon_jayanti",
        centre=(-6.9196, 107.6447),
        facilitators=(
            FacilitatorSpec(
                "kebon_jayanti",
                "Nenden Sri Rahayu",
                EducationBackground.other,
                "32.73",
                "0812-0000-9001",
                (("32.73.16.1002", 350, 13),),
            ),
        ),
        first_f=SUNDANESE_F,
        first_m=SUNDANESE_M,
        family=SUNDANESE_FAMILY,
        business_owners=80,
        sectors={"culinary": 62, "retail": 12, "fashion": 10, "services": 9, "craft": 7},
        phone_base=0,
    ),
    AreaSpec(
        key="jakarta_timur",
        centre=(-6.225, 106.900),
        facilitators=(
            FacilitatorSpec(
                "jaktim_1",
                "Dimas Aji Saputra",
                EducationBackground.social_work,
                "31.75",
                "0812-0000-9011",
                (("31.75.03.1001", 75, 3), ("31.75.03.1002", 70, 3)),
            ),
            FacilitatorSpec(
                "jaktim_2",
                "Fitri Handayani",
                EducationBackground.other,
                "31.75",
                "0812-0000-9012",
                (("31.75.03.1004", 130, 5),),
            ),
            FacilitatorSpec(
                "jaktim_3",
                "Rahmat Hidayatullah",
                EducationBackground.other_with_volunteer_experience,
                "31.75",
                "0812-0000-9013",
                (("31.75.02.1002", 125, 5),),
            ),
            FacilitatorSpec(
                "jaktim_4",
                "Yuliana Safitri",
                EducationBackground.other,
                "31.75",
                "0812-0000-9014",
                (("31.75.02.1003", 70, 3), ("31.75.01.1006", 70, 3)),
            ),
        ),
        first_f=BETAWI_F + SUNDANESE_F[:8] + JAVANESE_F[:8],
        first_m=BETAWI_M + JAVANESE_M[:4],
        family=BETAWI_FAMILY + JAVANESE_FAMILY[:8] + SUNDANESE_FAMILY[:6],
        business_owners=210,
        sectors={"culinary": 50, "retail": 18, "services": 12, "fashion": 12, "craft": 8},
        phone_base=1000,
    ),
    AreaSpec(
        key="tanjung_harapan",
        centre=(-4.88, 105.52),
        facilitators=(
            FacilitatorSpec(
                "lampung",
                "Siti Marlina Wijaya",
                EducationBackground.other_with_volunteer_experience,
                "18.02",
                "0812-0000-9021",
                (("18.02.10.2002", 155, 6),),
            ),
        ),
        first_f=LAMPUNG_F + JAVANESE_F[:10],
        first_m=LAMPUNG_M + JAVANESE_M[:5],
        family=LAMPUNG_FAMILY + JAVANESE_FAMILY[:8],
        business_owners=75,
        sectors={"fashion": 55, "agriculture": 15, "culinary": 15, "livestock": 10, "retail": 5},
        phone_base=2000,
    ),
    AreaSpec(
        key="pucang_sari",
        centre=(-7.80, 112.73),
        facilitators=(
            FacilitatorSpec(
                "pasuruan",
                "Bagus Dwi Prasetyo",
                EducationBackground.other,
                "35.14",
                "0812-0000-9031",
                (("35.14.01.2011", 160, 6),),
            ),
        ),
        first_f=JAVANESE_F,
        first_m=JAVANESE_M,
        family=JAVANESE_FAMILY,
        business_owners=60,
        sectors={"agriculture": 30, "culinary": 25, "livestock": 20, "craft": 15, "retail": 10},
        phone_base=3000,
    ),
)

# --- Organisations, locations, programmes -----------------------------------------------------

PENA_AREAS = ["32.73", "31.75", "18.02", "35.14"]


def _crit(field_name: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field_name, "op": op, "value": value}


PENA_BERDIKARI_RULE = {
    "all": [
        _crit("head.age", "between", [20, 40]),
        _crit("household.agreed_to_graduate", "eq", True),
        _crit("business.exists", "eq", True),
    ]
}
PENA_REGULER_RULE = {
    "all": [
        _crit("head.age", "between", [20, 40]),
        _crit("household.agreed_to_graduate", "eq", True),
        _crit("business.exists", "eq", True),
        _crit("business.age_months", "ge", 6),
    ]
}
PRSE_RULE = {"all": [_crit("household.prse", "eq", True), _crit("head.sex", "eq", "F")]}
JAKPRENEUR_RULE = {
    "any": [
        _crit("business.age_months", "ge", 6),
        {
            "all": [
                _crit("household.pkh_status", "in", ["graduated_self_sufficient", "graduated_natural"]),
                _crit("business.exists", "eq", True),
            ]
        },
    ]
}

# key -> name, kind, region, website, address, description
ORGANIZATIONS: dict[str, dict[str, Any]] = {
    "kemensos": {
        "name": "Kementerian Sosial Republik Indonesia",
        "kind": OrganizationKind.ministry_programme,
        "region_code": "31.71",
        "website": "https://kemensos.go.id",
        "address": "Jakarta Pusat",
        "description": "Penyelenggara PKH dan Pahlawan Ekonomi Nusantara (PENA) melalui Direktorat "
        "Pemberdayaan Sosial.",
    },
    "dinsos_bandung": {
        "name": "Dinas Sosial Kota Bandung",
        "kind": OrganizationKind.government_agency,
        "region_code": "32.73",
        "website": "https://bandung.go.id",
        "address": "Kota Bandung, Jawa Barat",
        "description": "Dinas Sosial pemerintah kota; mitra formal pendamping PKH di Kota Bandung.",
    },
    "diskumkm_bandung": {
        "name": "Dinas Koperasi dan UMKM Kota Bandung",
        "kind": OrganizationKind.government_agency,
        "region_code": "32.73",
        "website": "https://bandung.go.id",
        "address": "Kota Bandung, Jawa Barat",
        "description": "Pembinaan koperasi dan usaha mikro, kecil dan menengah: pelatihan dan fasilitasi perizinan.",
    },
    "disdagin_bandung": {
        "name": "Dinas Perdagangan dan Perindustrian Kota Bandung",
        "kind": OrganizationKind.government_agency,
        "region_code": "32.73",
        "website": "https://bandung.go.id",
        "address": "Kota Bandung, Jawa Barat",
        "description": "Pembinaan industri kecil dan menengah, pasar dan perdagangan; fasilitasi sertifikasi halal.",
    },
    "csr_bandung": {
        "name": "Forum CSR Kota Bandung",
        "kind": OrganizationKind.csr_company,
        "region_code": "32.73",
        "address": "Kota Bandung, Jawa Barat",
        "description": "Forum tanggung jawab sosial perusahaan di Kota Bandung; menyalurkan bantuan peralatan "
        "dan modal.",
    },
    "sudinsos_jaktim": {
        "name": "Suku Dinas Sosial Kota Administrasi Jakarta Timur",
        "kind": OrganizationKind.government_agency,
        "region_code": "31.75",
        "website": "https://jakpreneur.jakarta.go.id",
        "address": "Jakarta Timur, DKI Jakarta",
        "description": "Pelaksana Jakpreneur di bidang pemberdayaan sosial, pengganti KUBE APBD: pelatihan, "
        "pinjaman modal berbunga rendah, tempat pemasaran, label dan sertifikasi halal.",
    },
    "hotel_jaktim": {
        "name": "Hotel Mitra Jatinegara",
        "kind": OrganizationKind.csr_company,
        "region_code": "31.75.03",
        "address": "Kecamatan Jatinegara",
        "description": "Hotel mitra Jakpreneur yang membeli katering dari KPM yang sudah mengikuti pelatihan memasak.",
    },
    "koperasi_tanjung_harapan": {
        "name": "Koperasi Desa Tanjung Harapan Sejahtera",
        "kind": OrganizationKind.cooperative,
        "region_code": "18.02.10.2002",
        "address": "Desa Tanjung Harapan, Kecamatan Seputih Banyak",
        "description": "Koperasi desa: usaha menjahit dan konveksi anggota, dipasarkan melalui platform digital.",
    },
    "dinsos_lampung_tengah": {
        "name": "Dinas Sosial Kabupaten Lampung Tengah",
        "kind": OrganizationKind.government_agency,
        "region_code": "18.02",
        "website": "https://lampungtengahkab.go.id",
        "address": "Kabupaten Lampung Tengah, Lampung",
        "description": "Dinas Sosial kabupaten; pelatihan kewirausahaan bagi KPM PKH.",
    },
    "dinsos_pasuruan": {
        "name": "Dinas Sosial Kabupaten Pasuruan",
        "kind": OrganizationKind.government_agency,
        "region_code": "35.14",
        "website": "https://pasuruankab.go.id",
        "address": "Kabupaten Pasuruan, Jawa Timur",
        "description": "Dinas Sosial kabupaten; koordinator pendamping PKH dan pelatihan keterampilan KPM.",
    },
    "dinkop_pasuruan": {
        "name": "Dinas Koperasi dan Usaha Mikro Kabupaten Pasuruan",
        "kind": OrganizationKind.government_agency,
        "region_code": "35.14",
        "website": "https://pasuruankab.go.id",
        "address": "Kabupaten Pasuruan, Jawa Timur",
        "description": "Pembinaan koperasi dan usaha mikro; fasilitasi NIB dan pendampingan usaha.",
    },
    "bumdes_pucang_sari": {
        "name": "BUMDes Pucang Sari Mandiri",
        "kind": OrganizationKind.community_group,
        "region_code": "35.14.01.2011",
        "address": "Desa Pucang Sari, Kecamatan Purwodadi",
        "description": "Badan usaha milik desa; lapak pemasaran hasil kebun dan olahan warga.",
    },
}

# (org key, name, region code, area key for the point or None)
LOCATIONS: tuple[tuple[str, str, str, str | None], ...] = (
    ("kemensos", "Titik Layanan PENA Kiaracondong", "32.73.16", "kebon_jayanti"),
    ("kemensos", "Titik Layanan PENA Jatinegara", "31.75.03", "jakarta_timur"),
    ("kemensos", "Gerai Sentra Kemensos Jatinegara", "31.75.03", "jakarta_timur"),
    ("kemensos", "Titik Layanan PENA Seputih Banyak", "18.02.10", "tanjung_harapan"),
    ("kemensos", "Titik Layanan PENA Purwodadi", "35.14.01", "pucang_sari"),
    ("dinsos_bandung", "Pos Layanan Dinas Sosial Kiaracondong", "32.73.16", "kebon_jayanti"),
    ("diskumkm_bandung", "Pusat Layanan UMKM Kiaracondong", "32.73.16", "kebon_jayanti"),
    ("disdagin_bandung", "Klinik IKM dan Halal Kiaracondong", "32.73.16", "kebon_jayanti"),
    ("csr_bandung", "Sekretariat Forum CSR Kota Bandung", "32.73", "kebon_jayanti"),
    ("sudinsos_jaktim", "Pos Jakpreneur Jatinegara", "31.75.03", "jakarta_timur"),
    ("sudinsos_jaktim", "Lokasi Bazar Jakpreneur Pulogadung", "31.75.02", "jakarta_timur"),
    ("hotel_jaktim", "Hotel Mitra Jatinegara", "31.75.03", "jakarta_timur"),
    ("koperasi_tanjung_harapan", "Rumah Jahit Koperasi Tanjung Harapan", "18.02.10.2002", "tanjung_harapan"),
    ("dinsos_lampung_tengah", "Aula Kecamatan Seputih Banyak", "18.02.10", "tanjung_harapan"),
    ("dinsos_pasuruan", "Aula Kecamatan Purwodadi", "35.14.01", "pucang_sari"),
    ("dinkop_pasuruan", "Klinik Usaha Mikro Purwodadi", "35.14.01", "pucang_sari"),
    ("bumdes_pucang_sari", "Lapak BUMDes Pucang Sari", "35.14.01.2011", "pucang_sari"),
)

RuleBuilder = Callable[[dict[str, int]], dict[str, Any] | None]


@dataclass(frozen=True)
class ProgramSpec:
    key: str
    org: str
    name: str
    kind: ProgramKind
    description: str
    service_area: tuple[str, ...]
    locations: tuple[str, ...] = ()
    rule: dict[str, Any] | RuleBuilder | None = None
    status: ProgramStatus = ProgramStatus.active
    window: tuple[int, int] | None = (-30, 60)  # opens_on, closes_on in days from today
    benefit: tuple[int | None, int | None] = (None, None)
    interest_rate: float | None = None
    capacity: tuple[int, int] | None = None  # capacity, remaining
    capacity_unit: CapacityUnit = CapacityUnit.seats
    sectors: tuple[str, ...] = ()
    source_url: str | None = None
    depends_on: tuple[str, ...] = field(default=())


PROGRAMS: tuple[ProgramSpec, ...] = (
    ProgramSpec(
        "pena_berdikari",
        "kemensos",
        "PENA Berdikari",
        ProgramKind.capital_grant,
        "Pahlawan Ekonomi Nusantara: bantuan modal usaha Rp 2.400.000 (peralatan dan uang) bagi KPM yang "
        "setuju graduasi mandiri dan mengikuti pelatihan. Pendamping mengarahkan KPM berusia 20-40 tahun.",
        tuple(PENA_AREAS),
        (
            "Titik Layanan PENA Kiaracondong",
            "Titik Layanan PENA Jatinegara",
            "Titik Layanan PENA Seputih Banyak",
            "Titik Layanan PENA Purwodadi",
        ),
        PENA_BERDIKARI_RULE,
        window=(-20, 70),
        benefit=(2_400_000, 2_400_000),
        capacity=(120, 37),
        source_url="https://kemensos.go.id",
    ),
    ProgramSpec(
        "pena_reguler",
        "kemensos",
        "PENA Reguler",
        ProgramKind.capital_grant,
        "Pahlawan Ekonomi Nusantara reguler: bantuan modal usaha Rp 5.000.000 bagi KPM yang setuju graduasi "
        "mandiri, mengikuti pelatihan dan sudah menjalankan usaha sedikitnya enam bulan.",
        tuple(PENA_AREAS),
        (
            "Titik Layanan PENA Kiaracondong",
            "Titik Layanan PENA Jatinegara",
            "Titik Layanan PENA Seputih Banyak",
            "Titik Layanan PENA Purwodadi",
        ),
        PENA_REGULER_RULE,
        window=(-20, 70),
        benefit=(5_000_000, 5_000_000),
        capacity=(60, 9),
        source_url="https://kemensos.go.id",
    ),
    ProgramSpec(
        "sentra_kemensos",
        "kemensos",
        "Gerai Sentra Kemensos: Pemasaran Produk KPM",
        ProgramKind.marketing,
        "Tempat memajang dan menjual produk KPM PKH di gerai Sentra Kemensos.",
        ("31.75",),
        ("Gerai Sentra Kemensos Jatinegara",),
        {"all": [_crit("business.exists", "eq", True)]},
        window=None,
        capacity=(40, 14),
        source_url="https://kemensos.go.id",
    ),
    ProgramSpec(
        "dinsos_bandung_prse",
        "dinsos_bandung",
        "Program Fasilitasi Pengembangan Bantuan Ekonomi Masyarakat",
        ProgramKind.capital_grant,
        "Bantuan pengembangan ekonomi bagi KPM PKH yang terdaftar sebagai Perempuan Rawan Sosial Ekonomi "
        "(PRSE). Saat ini pada tahap pendataan calon penerima.",
        ("32.73",),
        ("Pos Layanan Dinas Sosial Kiaracondong",),
        PRSE_RULE,
        window=(-45, 45),
        capacity=(50, 31),
        source_url="https://bandung.go.id",
    ),
    ProgramSpec(
        "diskumkm_training",
        "diskumkm_bandung",
        "Pelatihan Manajemen Usaha Mikro",
        ProgramKind.training,
        "Pelatihan pembukuan sederhana, pengemasan dan pemasaran bagi pelaku usaha mikro Kota Bandung.",
        ("32.73",),
        ("Pusat Layanan UMKM Kiaracondong",),
        {"all": [_crit("business.exists", "eq", True)]},
        window=(-10, 40),
        capacity=(30, 22),
        source_url="https://bandung.go.id",
    ),
    ProgramSpec(
        "diskumkm_nib_pirt",
        "diskumkm_bandung",
        "Fasilitasi Perizinan NIB dan PIRT",
        ProgramKind.certification,
        "Pendampingan pembuatan Nomor Induk Berusaha (NIB) lewat OSS dan izin Pangan Industri Rumah Tangga "
        "(PIRT) bagi usaha pangan olahan.",
        ("32.73",),
        ("Pusat Layanan UMKM Kiaracondong",),
        {"all": [_crit("business.sector", "eq", "culinary"), _crit("business.has_pirt", "eq", False)]},
        window=(-60, 120),
        capacity=(100, 64),
        sectors=("culinary",),
        source_url="https://bandung.go.id",
    ),
    ProgramSpec(
        "disdagin_halal",
        "disdagin_bandung",
        "Fasilitasi Sertifikasi Halal Usaha Mikro",
        ProgramKind.certification,
        "Pendampingan proses produk halal dan pengajuan sertifikat halal gratis bagi usaha mikro pangan.",
        ("32.73",),
        ("Klinik IKM dan Halal Kiaracondong",),
        {"all": [_crit("business.sector", "eq", "culinary"), _crit("business.has_halal", "eq", False)]},
        window=(-15, 75),
        capacity=(80, 51),
        sectors=("culinary",),
        source_url="https://bandung.go.id",
    ),
    ProgramSpec(
        "csr_equipment",
        "csr_bandung",
        "Hibah Peralatan Usaha Mikro Forum CSR",
        ProgramKind.equipment,
        "Bantuan peralatan usaha (etalase, kompor, mesin jahit) dari perusahaan anggota Forum CSR Kota Bandung.",
        ("32.73",),
        ("Sekretariat Forum CSR Kota Bandung",),
        {"all": [_crit("business.exists", "eq", True), _crit("household.dtsen_decile", "le", 4)]},
        window=(-5, 55),
        capacity=(25, 25),
    ),
    ProgramSpec(
        "csr_capital_women",
        "csr_bandung",
        "Bantuan Modal Usaha Perempuan Forum CSR",
        ProgramKind.capital_grant,
        "Rancangan: modal usaha bagi perempuan kepala keluarga pelaku usaha mikro.",
        ("32.73",),
        (),
        {"all": [_crit("head.sex", "eq", "F"), _crit("business.exists", "eq", True)]},
        status=ProgramStatus.draft,
        window=(30, 120),
        benefit=(1_000_000, 3_000_000),
        capacity=(150_000_000, 150_000_000),
        capacity_unit=CapacityUnit.rupiah,
    ),
    ProgramSpec(
        "jakpreneur_training",
        "sudinsos_jaktim",
        "Jakpreneur: Pelatihan Kewirausahaan KPM",
        ProgramKind.training,
        "Pelatihan wajib sebelum pinjaman Jakpreneur: memasak, pengemasan, pembukuan dan pemasaran.",
        ("31.75",),
        ("Pos Jakpreneur Jatinegara",),
        JAKPRENEUR_RULE,
        window=(-30, 30),
        capacity=(60, 18),
        source_url="https://jakpreneur.jakarta.go.id",
    ),
    ProgramSpec(
        "jakpreneur_loan",
        "sudinsos_jaktim",
        "Jakpreneur: Pinjaman Modal Usaha",
        ProgramKind.loan,
        "Pinjaman modal hingga Rp 10.000.000 berbunga 6% setahun bagi KPM yang usahanya sudah berjalan sekitar "
        "enam bulan atau KPM graduasi yang memiliki usaha; besarnya menurut survei rumah oleh pendamping "
        "Jakpreneur; pelatihan lebih dahulu.",
        ("31.75",),
        ("Pos Jakpreneur Jatinegara",),
        JAKPRENEUR_RULE,
        window=(-90, 270),
        benefit=(1_000_000, 10_000_000),
        interest_rate=6.0,
        capacity=(1_000_000_000, 415_000_000),
        capacity_unit=CapacityUnit.rupiah,
        source_url="https://jakpreneur.jakarta.go.id",
    ),
    ProgramSpec(
        "jakpreneur_bazaar",
        "sudinsos_jaktim",
        "Jakpreneur: Bazar Produk KPM",
        ProgramKind.marketing,
        "Stan bazar bulanan bagi usaha binaan Jakpreneur.",
        ("31.75",),
        ("Lokasi Bazar Jakpreneur Pulogadung",),
        {"all": [_crit("business.exists", "eq", True)]},
        window=(-7, 21),
        capacity=(30, 11),
        source_url="https://jakpreneur.jakarta.go.id",
    ),
    ProgramSpec(
        "jakpreneur_ramadan_bazaar",
        "sudinsos_jaktim",
        "Jakpreneur: Bazar Ramadan",
        ProgramKind.marketing,
        "Bazar musiman yang sudah selesai.",
        ("31.75",),
        ("Lokasi Bazar Jakpreneur Pulogadung",),
        {"all": [_crit("business.exists", "eq", True)]},
        status=ProgramStatus.closed,
        window=(-300, -270),
        capacity=(40, 0),
        source_url="https://jakpreneur.jakarta.go.id",
    ),
    ProgramSpec(
        "jakpreneur_halal",
        "sudinsos_jaktim",
        "Jakpreneur: Fasilitasi Label dan Sertifikasi Halal",
        ProgramKind.certification,
        "Pembuatan label kemasan dan pendampingan sertifikasi halal bagi usaha pangan binaan Jakpreneur.",
        ("31.75",),
        ("Pos Jakpreneur Jatinegara",),
        {"all": [_crit("business.sector", "eq", "culinary"), _crit("business.has_halal", "ne", True)]},
        window=(-20, 100),
        capacity=(50, 27),
        sectors=("culinary",),
        source_url="https://jakpreneur.jakarta.go.id",
    ),
    ProgramSpec(
        "hotel_catering",
        "hotel_jaktim",
        "Kemitraan Katering Hotel untuk KPM",
        ProgramKind.marketing,
        "Hotel membeli katering (kue dan makanan rapat) dari KPM yang sudah lulus pelatihan Jakpreneur.",
        ("31.75",),
        ("Hotel Mitra Jatinegara",),
        lambda ids: {
            "all": [
                _crit("business.sector", "eq", "culinary"),
                _crit("history.completed_programs", "contains", ids["jakpreneur_training"]),
            ]
        },
        window=None,
        capacity=(10, 6),
        sectors=("culinary",),
        depends_on=("jakpreneur_training",),
    ),
    ProgramSpec(
        "koperasi_sewing",
        "koperasi_tanjung_harapan",
        "Pelatihan Menjahit dan Konveksi Koperasi",
        ProgramKind.training,
        "Pelatihan menjahit dan produksi konveksi (seragam sekolah, gamis) bagi anggota dan calon anggota koperasi.",
        ("18.02.10.2002",),
        ("Rumah Jahit Koperasi Tanjung Harapan",),
        {"all": [_crit("household.pkh_status", "ne", "exited")]},
        window=(-14, 46),
        capacity=(20, 7),
        sectors=("fashion",),
    ),
    ProgramSpec(
        "koperasi_digital",
        "koperasi_tanjung_harapan",
        "Pemasaran Digital Produk Konveksi",
        ProgramKind.marketing,
        "Toko daring koperasi di marketplace dan media sosial untuk produk jahitan anggota.",
        ("18.02.10.2002",),
        ("Rumah Jahit Koperasi Tanjung Harapan",),
        {"all": [_crit("business.sector", "eq", "fashion")]},
        window=None,
        capacity=(40, 19),
        sectors=("fashion",),
    ),
    ProgramSpec(
        "koperasi_loan",
        "koperasi_tanjung_harapan",
        "Simpan Pinjam Anggota Koperasi",
        ProgramKind.loan,
        "Pinjaman modal kerja bagi anggota koperasi, hingga Rp 3.000.000.",
        ("18.02.10.2002",),
        ("Rumah Jahit Koperasi Tanjung Harapan",),
        {"all": [_crit("business.exists", "eq", True), _crit("business.age_months", "ge", 3)]},
        window=None,
        benefit=(500_000, 3_000_000),
        interest_rate=9.0,
        capacity=(60_000_000, 22_500_000),
        capacity_unit=CapacityUnit.rupiah,
        sectors=("fashion", "culinary", "agriculture"),
    ),
    ProgramSpec(
        "dinsos_lamteng_training",
        "dinsos_lampung_tengah",
        "Pelatihan Kewirausahaan KPM PKH",
        ProgramKind.training,
        "Pelatihan kewirausahaan bagi KPM PKH di Kabupaten Lampung Tengah.",
        ("18.02",),
        ("Aula Kecamatan Seputih Banyak",),
        {"all": [_crit("household.pkh_status", "eq", "active")]},
        window=(-10, 35),
        capacity=(40, 16),
        source_url="https://lampungtengahkab.go.id",
    ),
    ProgramSpec(
        "dinsos_pasuruan_training",
        "dinsos_pasuruan",
        "Pelatihan Keterampilan Usaha KPM PKH",
        ProgramKind.training,
        "Pelatihan keterampilan usaha untuk menyiapkan graduasi, diutamakan KPM yang sudah lima tahun atau "
        "lebih menerima PKH.",
        ("35.14",),
        ("Aula Kecamatan Purwodadi",),
        {"all": [_crit("household.pkh_status", "eq", "active"), _crit("household.years_in_pkh", "ge", 5)]},
        window=(-25, 35),
        capacity=(35, 12),
        source_url="https://pasuruankab.go.id",
    ),
    ProgramSpec(
        "dinkop_pasuruan_nib",
        "dinkop_pasuruan",
        "Fasilitasi NIB dan Pendampingan Usaha Mikro",
        ProgramKind.certification,
        "Pendaftaran NIB lewat OSS dan pendampingan usaha bagi usaha mikro yang belum berizin.",
        ("35.14",),
        ("Klinik Usaha Mikro Purwodadi",),
        {"all": [_crit("business.exists", "eq", True), _crit("business.has_nib", "eq", False)]},
        window=(-60, 120),
        capacity=(100, 58),
        source_url="https://pasuruankab.go.id",
    ),
    ProgramSpec(
        "dinkop_pasuruan_mentoring",
        "dinkop_pasuruan",
        "Pendampingan Usaha Mikro Naik Kelas",
        ProgramKind.mentoring,
        "Pendampingan berkala oleh konsultan usaha bagi usaha mikro dengan omzet di atas Rp 1.000.000 sebulan.",
        ("35.14",),
        ("Klinik Usaha Mikro Purwodadi",),
        {"all": [_crit("business.monthly_revenue", "ge", 1_000_000)]},
        status=ProgramStatus.paused,
        window=(-90, 90),
        capacity=(20, 4),
        source_url="https://pasuruankab.go.id",
    ),
    ProgramSpec(
        "bumdes_market",
        "bumdes_pucang_sari",
        "Lapak Pemasaran Produk Desa",
        ProgramKind.marketing,
        "Lapak BUMDes untuk hasil kebun, ternak dan olahan warga Desa Pucang Sari.",
        ("35.14.01.2011",),
        ("Lapak BUMDes Pucang Sari",),
        {"all": [_crit("business.sector", "in", ["agriculture", "livestock", "culinary", "craft"])]},
        window=None,
        capacity=(15, 5),
        sectors=("agriculture", "livestock", "culinary", "craft"),
    ),
)

# Forums: name -> region, organiser, description, members (kind, key)
FORUMS: dict[str, dict[str, Any]] = {
    "Forum Sinergi Kreatif Kota Bandung": {
        "region_code": "32.73",
        "organizer": "dinsos_bandung",
        "description": "Forum pendamping PKH dan mitra di Kota Bandung untuk memetakan sumber daya dan "
        "membangun jejaring pemberdayaan ekonomi KPM.",
        "members": (("organization", "dinsos_bandung"), ("facilitator", "kebon_jayanti"), ("organization", "kemensos")),
    },
    "Forum Pemberdayaan Ekonomi KPM Jakarta Timur": {
        "region_code": "31.75",
        "organizer": "sudinsos_jaktim",
        "description": "Koordinasi pendamping PKH, Jakpreneur dan perusahaan mitra di Jakarta Timur.",
        "members": (
            ("organization", "sudinsos_jaktim"),
            ("organization", "hotel_jaktim"),
            ("facilitator", "jaktim_1"),
            ("facilitator", "jaktim_2"),
            ("facilitator", "jaktim_3"),
            ("facilitator", "jaktim_4"),
        ),
    },
}

# (kind a, key a, kind b, key b, partnership kind, started days ago, note)
PARTNERSHIPS: tuple[tuple[str, str, str, str, PartnershipKind, int, str | None], ...] = (
    ("facilitator", "kebon_jayanti", "organization", "kemensos", PartnershipKind.informal, 700,
     "Pengusulan KPM ke PENA"),
    ("facilitator", "kebon_jayanti", "organization", "dinsos_bandung", PartnershipKind.mou, 500,
     "Pendataan PRSE dan fasilitasi bantuan ekonomi"),
    ("organization", "dinsos_bandung", "organization", "kemensos", PartnershipKind.co_funding, 900, None),
    ("facilitator", "jaktim_1", "organization", "sudinsos_jaktim", PartnershipKind.mou, 800, "Jakpreneur"),
    ("facilitator", "jaktim_2", "organization", "sudinsos_jaktim", PartnershipKind.mou, 760, "Jakpreneur"),
    ("facilitator", "jaktim_3", "organization", "sudinsos_jaktim", PartnershipKind.mou, 640, "Jakpreneur"),
    ("facilitator", "jaktim_4", "organization", "sudinsos_jaktim", PartnershipKind.mou, 420, "Jakpreneur"),
    ("facilitator", "jaktim_1", "organization", "hotel_jaktim", PartnershipKind.informal, 300,
     "Pesanan katering KPM lulusan pelatihan"),
    ("facilitator", "jaktim_3", "organization", "hotel_jaktim", PartnershipKind.informal, 210, None),
    ("organization", "sudinsos_jaktim", "organization", "hotel_jaktim", PartnershipKind.mou, 400,
     "Mitra perusahaan Jakpreneur"),
    ("facilitator", "jaktim_2", "organization", "kemensos", PartnershipKind.informal, 350, "Gerai Sentra Kemensos"),
    ("facilitator", "lampung", "organization", "koperasi_tanjung_harapan", PartnershipKind.mou, 600,
     "Usaha menjahit dan konveksi berbasis koperasi"),
    ("facilitator", "lampung", "organization", "dinsos_lampung_tengah", PartnershipKind.informal, 650, None),
    ("facilitator", "pasuruan", "organization", "dinsos_pasuruan", PartnershipKind.mou, 720, None),
    ("facilitator", "pasuruan", "organization", "bumdes_pucang_sari", PartnershipKind.informal, 260, None),
)  # fmt: skip

# --- Household generation ---------------------------------------------------------------------


@dataclass
class BusinessSpec:
    name: str
    sector: str
    started_on: date | None
    monthly_revenue: int | None
    workers: int | None
    has_nib: bool | None
    has_pirt: bool | None
    has_halal: bool | None
    sales_channels: list[str]
    needs: list[str]
    # Age in months as generated (not stored): picks made on it do not move with ``today``.
    months: int | None = None

    def row(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "months"}


@dataclass
class HouseholdSpec:
    pkh_id: str
    nik: str
    facilitator: str
    group: tuple[str, str]  # name, village code
    fields: dict[str, Any]
    businesses: list[BusinessSpec] = field(default_factory=list)


@dataclass
class GroupSpec:
    name: str
    village_code: str
    facilitator: str
    leader_pkh_id: str


def _weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _point(rng: random.Random, centre: tuple[float, float], radius_km: float = 1.5) -> tuple[float, float]:
    r = radius_km * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    lat = centre[0] + (r * math.sin(theta)) / 111.32
    lon = centre[1] + (r * math.cos(theta)) / (111.32 * math.cos(math.radians(centre[0])))
    return round(lat, 6), round(lon, 6)


def _group_sizes(rng: random.Random, n: int, groups: int) -> list[int]:
    """Split ``n`` households into ``groups`` groups of 20-35, unevenly."""
    sizes = [n // groups] * groups
    for i in range(n - sum(sizes)):
        sizes[i] += 1
    for _ in range(groups * 3):
        a, b = rng.randrange(groups), rng.randrange(groups)
        step = rng.randint(1, 3)
        if a != b and sizes[a] - step >= 21 and sizes[b] + step <= 33:
            sizes[a] -= step
            sizes[b] += step
    assert sum(sizes) == n and all(20 <= s <= 35 for s in sizes), sizes
    return sizes


def _business(rng: random.Random, today: date, sector: str, owner: str, taken: set[str]) -> BusinessSpec:
    templates = [t for t in BUSINESS_TEMPLATES[sector] if f"{t} {owner}" not in taken] or ["Usaha Kedua"]
    name = f"{rng.choice(templates)} {owner}"
    taken.add(name)
    months = rng.choice((rng.randint(1, 24), rng.randint(1, 60), rng.randint(1, 120)))
    started: date | None = months_ago(today, months) - timedelta(days=rng.randint(0, 27))
    if rng.random() < 0.06:
        started = None
    food = sector == "culinary"
    channels = rng.sample(SALES_CHANNELS, k=_weighted(rng, {1: 4, 2: 4, 3: 2}))
    needs = rng.sample(NEEDS, k=_weighted(rng, {1: 3, 2: 4, 3: 2}))
    if "capital" not in needs and rng.random() < 0.6:
        needs[0] = "capital"
    return BusinessSpec(
        name=name,
        sector=sector,
        started_on=started,
        monthly_revenue=None if rng.random() < 0.08 else rng.randrange(300_000, 8_000_001, 50_000),
        workers=None if rng.random() < 0.05 else _weighted(rng, {0: 50, 1: 30, 2: 14, 3: 6}),
        has_nib=_weighted(rng, {True: 25, False: 65, None: 10}),
        has_pirt=_weighted(rng, {True: 20, False: 70, None: 10}) if food else None,
        has_halal=_weighted(rng, {True: 10, False: 78, None: 12}) if food else None,
        sales_channels=sorted(set(channels), key=SALES_CHANNELS.index),
        needs=sorted(set(needs), key=NEEDS.index),
        months=months if started else None,
    )


def _cases(today: date) -> dict[str, dict[str, Any]]:
    """Fixed facts of the DEMO_CASES households (by PKH id), applied over the random ones."""

    def culinary(name: str, months: int | None) -> dict[str, Any]:
        return {"name": name, "sector": "culinary", "started_on": None if months is None else months_ago(today, months),
                "months": months, "monthly_revenue": 2_500_000, "workers": 1, "has_nib": False, "has_pirt": False,
                "has_halal": False, "sales_channels": ["whatsapp"], "needs": ["capital"]}  # fmt: skip

    base = {"head_sex": "F", "pkh_status": PkhStatus.active, "dtsen_decile": 2, "disability": False,
            "elderly": False, "prse": False}  # fmt: skip
    return {
        DEMO_CASES["kebon_jayanti_age35_culinary"]: {
            **base, "age": 35, "agreed_to_graduate": True, "pkh_joined_year": 2019,
            "business": culinary("Warung Nasi Bu Euis", 24),
        },
        DEMO_CASES["kebon_jayanti_age43_culinary"]: {
            **base, "age": 43, "agreed_to_graduate": True, "pkh_joined_year": 2016,
            "business": culinary("Keripik Tempe Bu Imas", 36),
        },
        DEMO_CASES["kebon_jayanti_prse_woman"]: {
            **base, "age": 38, "prse": True, "agreed_to_graduate": False, "pkh_joined_year": 2018,
        },
        DEMO_CASES["kebon_jayanti_non_prse_woman"]: {
            **base, "age": 41, "prse": False, "agreed_to_graduate": False, "pkh_joined_year": 2017,
        },
        DEMO_CASES["kebon_jayanti_business_no_start_date"]: {
            **base, "age": 30, "agreed_to_graduate": True, "pkh_joined_year": 2021,
            "business": culinary("Seblak Bu Neneng", None),
        },
        DEMO_CASES["jaktim_business_3_months"]: {
            **base, "age": 33, "agreed_to_graduate": True, "pkh_joined_year": 2020,
            "business": culinary("Kue Basah Bu Aminah", 3),
        },
        DEMO_CASES["jaktim_business_8_months"]: {
            **base, "age": 45, "agreed_to_graduate": True, "pkh_joined_year": 2015,
            "business": culinary("Nasi Uduk Bu Romlah", 8),
        },
        DEMO_CASES["jaktim_graduated_business_2_months"]: {
            **base, "age": 39, "pkh_status": PkhStatus.graduated_self_sufficient, "agreed_to_graduate": True,
            "pkh_joined_year": 2014,
            "business": culinary("Katering Bu Saodah", 2),
        },
    }  # fmt: skip


def _household_fields(rng: random.Random, area: AreaSpec, today: date, village: str) -> dict[str, Any]:
    sex = "F" if rng.random() < 0.88 else "M"
    first = rng.choice(area.first_f if sex == "F" else area.first_m)
    family = rng.choice(area.family)
    age = rng.choice((rng.randint(22, 70), rng.randint(25, 55), rng.randint(28, 50)))
    status = _weighted(
        rng,
        {PkhStatus.active: 80, PkhStatus.graduated_natural: 8, PkhStatus.graduated_self_sufficient: 5,
         PkhStatus.exited: 7},
    )  # fmt: skip
    point = _point(rng, area.centre) if rng.random() >= 0.1 else (None, None)
    return {
        "head_name": f"{first} {family}",
        "head_birth_date": birth_date_for_age(today, age, rng.randint(1, 360)),
        "head_sex": sex,
        "address": f"RT {rng.randint(1, 12):02d}/RW {rng.randint(1, 9):02d}, {VILLAGE_NAMES[village]}",
        "latitude": point[0],
        "longitude": point[1],
        "pkh_status": status,
        "pkh_joined_year": rng.randint(2012, min(2024, today.year)),
        "dtsen_decile": _weighted(rng, {1: 30, 2: 27, 3: 20, 4: 12, 5: 3, None: 8}),
        "prse": (rng.random() < 0.15 if sex == "F" else False) if rng.random() >= 0.05 else None,
        "disability": rng.random() < 0.06,
        "elderly": rng.random() < (0.55 if age >= 60 else 0.12),
        "school_age_children": _weighted(rng, {0: 22, 1: 30, 2: 27, 3: 14, 4: 7}),
        "agreed_to_graduate": _weighted(rng, {True: 30, False: 40, None: 30}),
        "_age": age,
    }


def generate(today: date) -> tuple[list[HouseholdSpec], list[GroupSpec]]:
    """Every demo household and group, from fixed seeds and ``today``."""
    households: list[HouseholdSpec] = []
    groups: list[GroupSpec] = []
    cases = _cases(today)
    for area in AREAS:
        rng = random.Random(f"{SEED}:{area.key}")
        area_households: list[HouseholdSpec] = []
        nik_seq = 0
        for fac in area.facilitators:
            for village, n, n_groups in fac.villages:
                sizes = _group_sizes(rng, n, n_groups)
                group_names = [
                    f"Kelompok {GROUP_FLOWERS[(len(groups) + i) % len(GROUP_FLOWERS)]} {i + 1:02d}"
                    for i in range(n_groups)
                ]
                members: list[list[HouseholdSpec]] = [[] for _ in range(n_groups)]
                slot = [g for g, size in enumerate(sizes) for _ in range(size)]
                for seq in range(1, n + 1):
                    nik_seq += 1
                    pkh_id = f"PKH-{village.replace('.', '')}-{seq:04d}"
                    fields = _household_fields(rng, area, today, village)
                    fields["phone"] = f"0812-0000-{area.phone_base + nik_seq:04d}" if rng.random() >= 0.15 else None
                    case = cases.get(pkh_id)
                    if case:
                        age = case["age"]
                        fields.update({k: v for k, v in case.items() if k not in ("age", "business")})
                        fields["head_birth_date"] = birth_date_for_age(today, age, 100)
                        fields["_age"] = age
                    birth = fields["head_birth_date"]
                    district = village.rsplit(".", 1)[0].replace(".", "")
                    nik = f"{district}00{birth.month:02d}{birth.year % 100:02d}{nik_seq:04d}"
                    g = slot[seq - 1]
                    spec = HouseholdSpec(
                        pkh_id=pkh_id,
                        nik=nik,
                        facilitator=fac.key,
                        group=(group_names[g], village),
                        fields={**fields, "village_code": village},
                    )
                    if case and "business" in case:
                        b = {**case["business"]}
                        b["sales_channels"], b["needs"] = list(b["sales_channels"]), list(b["needs"])
                        spec.businesses.append(BusinessSpec(**b))
                    members[g].append(spec)
                    area_households.append(spec)
                for name, group_members in zip(group_names, members, strict=True):
                    active = [h for h in group_members if h.fields["pkh_status"] == PkhStatus.active]
                    leader = rng.choice(active or group_members)
                    groups.append(GroupSpec(name, village, fac.key, leader.pkh_id))
        # Micro-businesses: the cases' own, then random owners up to the area's count.
        owners = [h for h in area_households if h.businesses]
        others = [h for h in area_households if not h.businesses and h.pkh_id not in cases]
        owners += rng.sample(others, area.business_owners - len(owners))
        owners.sort(key=lambda h: h.pkh_id)
        for h in owners:
            if h.businesses:
                continue
            first_name = h.fields["head_name"].split()[0]
            owner = f"{'Bu' if h.fields['head_sex'] == 'F' else 'Pak'} {first_name}"
            taken: set[str] = set()
            count = 2 if rng.random() < 0.07 else 1
            for _ in range(count):
                h.businesses.append(_business(rng, today, _weighted(rng, area.sectors), owner, taken))
        # Business owners agree to graduate more often.
        for h in owners:
            if h.pkh_id not in cases and h.fields["agreed_to_graduate"] is False and rng.random() < 0.4:
                h.fields["agreed_to_graduate"] = True
        households += area_households
    return households, groups


# --- Referrals --------------------------------------------------------------------------------


@dataclass
class ReferralSpec:
    pkh_id: str
    program: str
    path: tuple[str, ...]  # statuses after "sent"
    note: str | None = None
    outcome: dict[str, Any] | None = None
    days: tuple[int, ...] = ()  # days between successive events
    quiet_days: int = 0  # days between the last event and ``today``
    minute: int = 0


def _referral_specs(households: Sequence[HouseholdSpec]) -> list[ReferralSpec]:
    """The past referrals; chosen on generated facts only, so the same whatever ``today`` is."""
    rng = random.Random(f"{SEED}:referrals")
    used: set[tuple[str, str]] = set()
    reserved = set(DEMO_CASES.values())

    def age(h: HouseholdSpec) -> int:
        return int(h.fields["_age"])

    def biz_months(h: HouseholdSpec) -> int | None:
        return h.businesses[0].months if h.businesses else None

    def pick(
        n: int, program: str, pred: Callable[[HouseholdSpec], bool], pool: Iterable[HouseholdSpec]
    ) -> list[HouseholdSpec]:
        candidates = [h for h in pool if h.pkh_id not in reserved and (h.pkh_id, program) not in used and pred(h)]
        chosen = rng.sample(candidates, min(n, len(candidates)))
        for h in chosen:
            used.add((h.pkh_id, program))
        return chosen

    def in_area(prefix: str) -> list[HouseholdSpec]:
        return [h for h in households if h.fields["village_code"].startswith(prefix)]

    kj, jt, lp, ps = in_area("32.73"), in_area("31.75"), in_area("18.02"), in_area("35.14")
    specs: list[ReferralSpec] = []

    def pena_ok(h: HouseholdSpec) -> bool:
        return bool(h.businesses) and 20 <= age(h) <= 40 and h.fields["agreed_to_graduate"] is True

    done = ("accepted", "enrolled", "completed")
    berdikari = {"benefit_amount": 2_400_000, "training_completed": True}
    for h in pick(3, "pena_berdikari", pena_ok, kj):
        specs.append(ReferralSpec(h.pkh_id, "pena_berdikari", done, None, berdikari))
    for h in pick(1, "pena_berdikari", pena_ok, kj):
        specs.append(ReferralSpec(h.pkh_id, "pena_berdikari", ("accepted", "enrolled")))
    for h in pick(1, "pena_berdikari", pena_ok, kj):
        specs.append(ReferralSpec(h.pkh_id, "pena_berdikari", ("accepted",)))
    for h in pick(1, "pena_berdikari", lambda h: bool(h.businesses) and age(h) > 40, kj):
        specs.append(ReferralSpec(h.pkh_id, "pena_berdikari", ("declined",), "Usia kepala keluarga di atas 40 tahun."))
    for h in pick(1, "pena_berdikari", pena_ok, kj):
        specs.append(ReferralSpec(h.pkh_id, "pena_berdikari", ()))
    reguler = {"benefit_amount": 5_000_000, "training_completed": True}
    for h in pick(1, "pena_reguler", lambda h: pena_ok(h) and (biz_months(h) or 0) >= 6, kj):
        specs.append(ReferralSpec(h.pkh_id, "pena_reguler", done, None, reguler))
    for h in pick(1, "pena_reguler", pena_ok, kj):
        specs.append(ReferralSpec(h.pkh_id, "pena_reguler", ("declined",), "Kuota PENA Reguler periode ini penuh."))
    prse = [h for h in kj if h.fields["prse"] is True and h.fields["head_sex"] == "F"]
    for h in pick(1, "dinsos_bandung_prse", lambda h: True, prse):
        specs.append(ReferralSpec(h.pkh_id, "dinsos_bandung_prse", ("accepted",)))
    for h in pick(1, "dinsos_bandung_prse", lambda h: True, prse):
        specs.append(ReferralSpec(h.pkh_id, "dinsos_bandung_prse", ()))
    for h in pick(1, "dinsos_bandung_prse", lambda h: h.fields["prse"] is False and h.fields["head_sex"] == "F", kj):
        specs.append(ReferralSpec(h.pkh_id, "dinsos_bandung_prse", ("declined",), "KPM belum terdaftar sebagai PRSE."))

    def jak_ok(h: HouseholdSpec) -> bool:
        return bool(h.businesses) and h.businesses[0].sector == "culinary" and (biz_months(h) or 0) >= 6

    trained = pick(4, "jakpreneur_training", jak_ok, jt)
    for h in trained[:3]:
        specs.append(ReferralSpec(h.pkh_id, "jakpreneur_training", done, None, {"training_completed": True}))
    for h in trained[3:]:
        specs.append(ReferralSpec(h.pkh_id, "jakpreneur_training", ("accepted", "enrolled")))
    for h, amount in zip(trained[:2], (7_500_000, 10_000_000), strict=False):
        used.add((h.pkh_id, "jakpreneur_loan"))
        specs.append(
            ReferralSpec(
                h.pkh_id, "jakpreneur_loan", done, "Survei rumah oleh pendamping Jakpreneur selesai.",
                {"benefit_amount": amount, "interest_rate": 6.0, "loan_disbursed": True},
            )
        )  # fmt: skip
    young = [h for h in jt if h.businesses and (biz_months(h) is not None and (biz_months(h) or 0) < 6)]
    for h in pick(1, "jakpreneur_loan", lambda h: h.fields["pkh_status"] == PkhStatus.active, young or jt):
        specs.append(
            ReferralSpec(h.pkh_id, "jakpreneur_loan", ("declined",), "Usaha baru berjalan kurang dari 6 bulan.")
        )
    for h in pick(1, "jakpreneur_loan", jak_ok, jt):
        specs.append(ReferralSpec(h.pkh_id, "jakpreneur_loan", ()))
    if trained:
        h = trained[2] if len(trained) > 2 else trained[0]
        used.add((h.pkh_id, "hotel_catering"))
        specs.append(ReferralSpec(h.pkh_id, "hotel_catering", ("accepted",), "Pesanan kue rapat mingguan."))
    for h in pick(1, "sentra_kemensos", lambda h: bool(h.businesses), jt):
        specs.append(ReferralSpec(h.pkh_id, "sentra_kemensos", ("accepted", "enrolled")))
    for h in pick(1, "koperasi_sewing", lambda h: bool(h.businesses) and h.businesses[0].sector == "fashion", lp):
        specs.append(ReferralSpec(h.pkh_id, "koperasi_sewing", done, None, {"training_completed": True}))
    for h in pick(1, "dinsos_pasuruan_training", lambda h: h.fields["pkh_status"] == PkhStatus.active, ps):
        specs.append(ReferralSpec(h.pkh_id, "dinsos_pasuruan_training", ("accepted",)))
    for s in specs:
        s.days = tuple(rng.randint(4, 30) for _ in s.path)
        s.quiet_days = rng.randint(2, 6) if not s.path else rng.randint(3, 150)
        s.minute = rng.randrange(0, 60, 5)
    return specs


# The benefit record's story (issue #14): families funded last month, so a new referral for the
# same need shows the double-funding warning, and a halal certificate waiting for its facilitator.
PENA_LAST_MONTH = {"benefit_amount": 2_400_000, "training_completed": True}
STORY_DAYS = (3, 5, 6)  # sent -> accepted -> enrolled -> completed


def _benefit_story_specs(households: Sequence[HouseholdSpec], taken: Sequence[ReferralSpec]) -> list[ReferralSpec]:
    """Completed referrals with benefits: a Kebon Jayanti and a Jakarta Timur (``jaktim_1``) family
    each with a PENA capital grant about a month ago, and a Jakarta Timur family whose Jakpreneur
    halal certification completed ten days ago, its certificate not yet confirmed. Picked by PKH id
    among families no other referral uses, so the other referrals stay as they are."""
    busy = {r.pkh_id for r in taken} | set(DEMO_CASES.values())
    done = ("accepted", "enrolled", "completed")

    def first(prefix: str, facilitator: str, pred: Callable[[HouseholdSpec], bool]) -> HouseholdSpec | None:
        for h in sorted(households, key=lambda h: h.pkh_id):
            mine = h.facilitator == facilitator and h.fields["village_code"].startswith(prefix)
            if mine and h.pkh_id not in busy and h.fields["pkh_status"] == PkhStatus.active and pred(h):
                busy.add(h.pkh_id)
                return h
        return None

    def funded(h: HouseholdSpec) -> bool:
        b = h.businesses[0] if h.businesses else None
        return (
            b is not None
            and b.sector == "culinary"
            and (b.months or 0) >= 6
            and 20 <= int(h.fields["_age"]) <= 40
            and h.fields["agreed_to_graduate"] is True
        )

    def halal(h: HouseholdSpec) -> bool:
        b = h.businesses[0] if h.businesses else None
        return b is not None and b.sector == "culinary" and b.has_halal is False

    specs = []
    for prefix, facilitator in (("32.73", "kebon_jayanti"), ("31.75", "jaktim_1")):
        h = first(prefix, facilitator, funded)
        if h is not None:
            note = "Bantuan modal PENA bulan lalu."
            specs.append(ReferralSpec(h.pkh_id, "pena_berdikari", done, note, PENA_LAST_MONTH, STORY_DAYS, 30, 15))
    h = first("31.75", "jaktim_1", halal)
    if h is not None:
        outcome = {"certificate_obtained": True, "note": "Sertifikat halal terbit."}
        specs.append(ReferralSpec(h.pkh_id, "jakpreneur_halal", done, None, outcome, STORY_DAYS, 10, 40))
    return specs


# --- Loading ----------------------------------------------------------------------------------


def _pk(row: Any) -> int:
    """The primary key of a row just flushed."""
    assert row.id is not None
    return int(row.id)


def _flush(session: Session, rows: Sequence[SQLModel]) -> None:
    for start in range(0, len(rows), BATCH):
        session.add_all(rows[start : start + BATCH])
        session.flush()


def _load_checkins(session: Session, today: date, households: Mapping[str, int], fac_user: Mapping[int, int]) -> None:
    """Monthly check-in histories (up to 24) of the demo's businesses that have none yet."""
    pkh_of = {hid: pkh for pkh, hid in households.items()}
    checked = set(session.exec(select(BusinessCheckin.business_id).distinct()))
    facilitator_of = {
        hid: fid
        for hid, fid in session.exec(
            select(Household.id, Household.facilitator_id).where(col(Household.id).in_(list(pkh_of)))
        )
    }
    loans = {  # families that completed a loan programme: their later visits record the repayment
        hid: at.date()
        for hid, at in session.exec(
            select(Referral.household_id, Referral.status_changed_at)
            .join(Program, col(Program.id) == col(Referral.program_id))
            .where(col(Referral.status) == ReferralStatus.completed, col(Program.kind) == ProgramKind.loan)
        )
    }
    businesses = session.exec(select(Business).where(col(Business.household_id).in_(list(pkh_of))))
    rows: list[dict[str, Any]] = []
    for b in businesses:
        if b.id in checked:
            continue
        now = BusinessNow(
            key=f"{pkh_of[b.household_id]}:{b.name}",
            started_on=b.started_on,
            monthly_revenue=b.monthly_revenue,
            workers=b.workers,
            sales_channels=b.sales_channels,
            certificates=[c for c, held in (("nib", b.has_nib), ("pirt", b.has_pirt), ("halal", b.has_halal)) if held],
        )
        recorder = fac_user.get(facilitator_of.get(b.household_id) or 0)
        for i, row in enumerate(checkin_history(SEED, now, today)):
            at = at_utc(row["checked_on"], 5)
            if b.household_id in loans and row["checked_on"] >= loans[b.household_id]:
                row["loan_status"] = "late" if (b.household_id + i) % 7 == 3 else "current"
            rows.append(
                {**row, "business_id": b.id, "household_id": b.household_id, "recorded_by_user_id": recorder,
                 "created_at": at, "updated_at": at}
            )  # fmt: skip
    for start in range(0, len(rows), BATCH * 4):
        session.execute(sa.insert(BusinessCheckin), rows[start : start + BATCH * 4])
    session.flush()


def _benefits_of_completed(session: Session) -> None:
    """A benefit record row for every completed referral without one (its programme's kind and
    need, the rupiah of its outcome, received the day it completed)."""
    have = set(session.exec(select(Benefit.referral_id)))
    rows = session.exec(
        select(Referral, Program).join(Program, col(Program.id) == col(Referral.program_id))
        .where(Referral.status == ReferralStatus.completed).order_by(col(Referral.id))
    ).all()  # fmt: skip
    benefits: list[SQLModel] = []
    for referral, program in rows:
        if referral.id in have:
            continue
        outcome = referral.outcome or {}
        kind = str(program.kind)
        certificates = (
            certificates_given(kind, program.eligibility, program.name) if outcome.get("certificate_obtained") else []
        )
        benefits.append(
            Benefit(household_id=referral.household_id, referral_id=referral.id, program_id=program.id,
                    organization_id=program.organization_id, kind=program.kind, need=Need(need_of(kind)),
                    amount=outcome.get("benefit_amount"), received_on=referral.status_changed_at.date(),
                    source=BenefitSource.referral, certificates=certificates,
                    created_at=referral.status_changed_at, updated_at=referral.status_changed_at)
        )  # fmt: skip
    _flush(session, benefits)


def _load_graduations(
    session: Session, today: date, households: Mapping[str, int], fac_user: Mapping[int, int]
) -> None:
    """Graduation records of the demo's graduated families that have none yet (their exited_on set to it)."""
    recorded = set(session.exec(select(Graduation.household_id)))
    graduated = session.exec(
        select(Household).where(
            col(Household.id).in_(list(households.values())),
            col(Household.pkh_status).in_([PkhStatus.graduated_self_sufficient, PkhStatus.graduated_natural]),
        )
    ).all()
    for h in graduated:
        if h.id is None or h.id in recorded:
            continue
        row = graduation_row(SEED, h.pkh_id, str(h.pkh_status), h.pkh_joined_year, today)
        at = at_utc(row["graduated_on"], 4)
        session.add(
            Graduation(
                household_id=h.id, graduated_on=row["graduated_on"], type=GraduationType(row["type"]),
                reason=row["reason"], recorded_by_user_id=fac_user.get(h.facilitator_id or 0),
                created_at=at, updated_at=at,
            )
        )  # fmt: skip
        h.exited_on = row["graduated_on"]
        session.add(h)
    session.flush()


def load_demo(session: Session, *, nik_key: bytes, today: date | None = None) -> dict[str, int]:
    """Insert the demo data set; return row counts per table of what is now in the DB."""
    today = today or date.today()
    households, groups = generate(today)

    # Organisations
    org_rows = session.exec(select(Organization.id, Organization.name, Organization.region_code))
    org_ids = {(n, r): i for i, n, r in org_rows}
    new_orgs = {
        key: Organization(**{k: v for k, v in spec.items()})
        for key, spec in ORGANIZATIONS.items()
        if (spec["name"], spec["region_code"]) not in org_ids
    }
    _flush(session, list(new_orgs.values()))
    org = {key: org_ids.get((s["name"], s["region_code"])) or _pk(new_orgs[key]) for key, s in ORGANIZATIONS.items()}

    # Locations
    loc_ids = {(o, n): i for i, o, n in session.exec(select(Location.id, Location.organization_id, Location.name))}
    centres = {a.key: a.centre for a in AREAS}
    new_locs: dict[str, Location] = {}
    for org_key, name, region, area_key in LOCATIONS:
        if (org[org_key], name) in loc_ids:
            continue
        point_rng = random.Random(f"{SEED}:location:{name}")
        lat, lon = _point(point_rng, centres[area_key], 1.2) if area_key else (None, None)
        new_locs[name] = Location(
            organization_id=org[org_key], name=name, region_code=region, latitude=lat, longitude=lon
        )
    _flush(session, list(new_locs.values()))
    loc = {name: loc_ids.get((org[o], name)) or _pk(new_locs[name]) for o, name, _, _ in LOCATIONS}

    # Programmes, their service areas and locations
    prog_ids = {(o, n): i for i, o, n in session.exec(select(Program.id, Program.organization_id, Program.name))}
    prog: dict[str, int] = {}
    for spec in PROGRAMS:
        existing = prog_ids.get((org[spec.org], spec.name))
        if existing is not None:
            prog[spec.key] = existing
            continue
        rule = spec.rule(prog) if callable(spec.rule) else spec.rule
        opens = closes = None
        if spec.window:
            opens, closes = today + timedelta(days=spec.window[0]), today + timedelta(days=spec.window[1])
        valid_from = (opens or today) - timedelta(days=60)
        program = Program(
            organization_id=org[spec.org],
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            benefit_min=spec.benefit[0],
            benefit_max=spec.benefit[1],
            interest_rate=spec.interest_rate,
            capacity=spec.capacity[0] if spec.capacity else None,
            capacity_remaining=spec.capacity[1] if spec.capacity else None,
            capacity_unit=spec.capacity_unit,
            opens_on=opens,
            closes_on=closes,
            status=spec.status,
            valid_from=valid_from,
            valid_to=valid_from + timedelta(days=730),
            source_url=spec.source_url,
            eligibility=validate_rule_tree(rule),
            sectors=list(spec.sectors),
        )
        session.add(program)
        session.flush()
        prog[spec.key] = _pk(program)
    have_psa = set(session.exec(select(ProgramServiceArea.program_id, ProgramServiceArea.region_code)))
    have_pl = set(session.exec(select(ProgramLocation.program_id, ProgramLocation.location_id)))
    links: list[SQLModel] = []
    for spec in PROGRAMS:
        pid = prog[spec.key]
        home = ORGANIZATIONS[spec.org]["region_code"]
        # The demo's areas beyond an organisation's own region count as approved by an admin.
        links += [
            ProgramServiceArea(
                program_id=pid, region_code=c, approved_at=None if code_within(c, home) else at_utc(today, 1)
            )
            for c in spec.service_area
            if (pid, c) not in have_psa
        ]
        links += [
            ProgramLocation(program_id=pid, location_id=loc[n]) for n in spec.locations if (pid, loc[n]) not in have_pl
        ]
    _flush(session, links)

    # Facilitators and their villages
    fac_specs = {f.key: f for a in AREAS for f in a.facilitators}
    fac_ids = {n: i for i, n in session.exec(select(Facilitator.id, Facilitator.name))}
    new_facs = {
        key: Facilitator(name=f.name, education_background=f.education, phone=f.phone, region_code=f.regency)
        for key, f in fac_specs.items()
        if f.name not in fac_ids
    }
    _flush(session, list(new_facs.values()))
    fac = {key: fac_ids.get(f.name) or _pk(new_facs[key]) for key, f in fac_specs.items()}
    have_fv = set(session.exec(select(FacilitatorVillage.facilitator_id, FacilitatorVillage.village_code)))
    _flush(
        session,
        [
            FacilitatorVillage(facilitator_id=fac[key], village_code=v)
            for key, f in fac_specs.items()
            for v, _, _ in f.villages
            if (fac[key], v) not in have_fv
        ],
    )

    # Groups (leaders are set once their households exist)
    group_ids = {(n, v): i for i, n, v in session.exec(select(KpmGroup.id, KpmGroup.name, KpmGroup.village_code))}
    new_groups = {
        (g.name, g.village_code): KpmGroup(name=g.name, village_code=g.village_code, facilitator_id=fac[g.facilitator])
        for g in groups
        if (g.name, g.village_code) not in group_ids
    }
    _flush(session, list(new_groups.values()))
    group = {key: group_ids.get(key) or _pk(new_groups[key]) for key in ((g.name, g.village_code) for g in groups)}

    # Households
    hh_ids: dict[str, int] = {p: i for i, p in session.exec(select(Household.id, Household.pkh_id)) if i is not None}
    have_nik = set(session.exec(select(Household.nik_hash)))
    new_hh: dict[str, Household] = {}
    for h in households:
        if h.pkh_id in hh_ids:
            continue
        digest = nik_hash(h.nik, key=nik_key)
        if digest in have_nik:
            continue
        fields = {k: v for k, v in h.fields.items() if not k.startswith("_")}
        new_hh[h.pkh_id] = Household(
            pkh_id=h.pkh_id,
            nik_hash=digest,
            nik_masked=mask_nik(h.nik),
            group_id=group[h.group],
            facilitator_id=fac[h.facilitator],
            **fields,
        )
    _flush(session, list(new_hh.values()))
    hh = {**hh_ids, **{p: _pk(row) for p, row in new_hh.items()}}
    for g in groups:
        row = new_groups.get((g.name, g.village_code))
        if row is not None and g.leader_pkh_id in hh:
            row.leader_household_id = hh[g.leader_pkh_id]
    session.flush()

    # Businesses
    have_biz = set(session.exec(select(Business.household_id, Business.name)))
    _flush(
        session,
        [
            Business(household_id=hh[h.pkh_id], **b.row())
            for h in households
            if h.pkh_id in hh
            for b in h.businesses
            if (hh[h.pkh_id], b.name) not in have_biz
        ],
    )

    # Forums and their members
    forum_ids = {n: i for i, n in session.exec(select(Forum.id, Forum.name))}
    new_forums = {
        name: Forum(name=name, region_code=f["region_code"], organizer_organization_id=org[f["organizer"]],
                    description=f["description"])
        for name, f in FORUMS.items()
        if name not in forum_ids
    }  # fmt: skip
    _flush(session, list(new_forums.values()))
    forum = {name: forum_ids.get(name) or _pk(new_forums[name]) for name in FORUMS}
    party = {"organization": org, "facilitator": fac}
    have_fm = {(f, str(k), m) for f, k, m in session.exec(select(ForumMember.forum_id, ForumMember.member_kind,
                                                                 ForumMember.member_id))}  # fmt: skip
    members: list[SQLModel] = []
    for name, f in FORUMS.items():
        for kind, key in f["members"]:
            mid = party[kind][key]
            if (forum[name], kind, mid) not in have_fm:
                members.append(
                    ForumMember(forum_id=forum[name], member_kind=PartyKind(kind), member_id=mid,
                                joined_on=today - timedelta(days=90))
                )  # fmt: skip
    _flush(session, members)

    # Partnerships
    ties_table = SQLModel.metadata.tables["partnership"]
    have_ties = {
        (str(ak), ai, str(bk), bi, str(k))
        for ak, ai, bk, bi, k in session.execute(
            sa.select(*(ties_table.c[c] for c in ("party_a_kind", "party_a_id", "party_b_kind", "party_b_id", "kind")))
        )
    }
    ties: list[SQLModel] = []
    for ak, akey, bk, bkey, kind, days_ago, note in PARTNERSHIPS:
        a_id, b_id = party[ak][akey], party[bk][bkey]
        if (ak, a_id, bk, b_id, str(kind)) in have_ties:
            continue
        ties.append(
            Partnership(party_a_kind=PartyKind(ak), party_a_id=a_id, party_b_kind=PartyKind(bk), party_b_id=b_id,
                        kind=kind, started_on=today - timedelta(days=days_ago), note=note,
                        status=PartnershipStatus.confirmed, proposed_by_kind=PartyKind(ak), proposed_by_id=a_id,
                        confirmed_on=today - timedelta(days=days_ago))
        )  # fmt: skip
    _flush(session, ties)

    # Users (argon2 only for the ones being inserted)
    user_ids = {u: i for i, u in session.exec(select(User.id, User.username))}
    links_by_user: dict[str, dict[str, Any]] = {
        "admin": {},
        "pendamping.kebonjayanti": {"facilitator_id": fac["kebon_jayanti"]},
        "pendamping.jaktim": {"facilitator_id": fac["jaktim_1"]},
        "dinsos.bandung": {"organization_id": org["dinsos_bandung"]},
        "forum.bandung": {"forum_id": forum["Forum Sinergi Kreatif Kota Bandung"]},
    }
    full_names = {
        "pendamping.kebonjayanti": fac_specs["kebon_jayanti"].name,
        "pendamping.jaktim": fac_specs["jaktim_1"].name,
    }
    new_users = {
        username: User(
            username=username,
            full_name=full_name or full_names.get(username),
            password_hash=hash_password(password),
            role=role,
            **links_by_user[username],
        )
        for username, (password, role, full_name) in DEMO_USERS.items()
        if username not in user_ids
    }
    _flush(session, list(new_users.values()))
    user = {u: user_ids.get(u) or _pk(new_users[u]) for u in DEMO_USERS}

    # Referrals and their history
    spec_by_pkh = {h.pkh_id: h for h in households}
    have_refs = set(session.exec(select(Referral.household_id, Referral.program_id)))
    fac_user = {fac["kebon_jayanti"]: user["pendamping.kebonjayanti"], fac["jaktim_1"]: user["pendamping.jaktim"]}
    agency_user = {org["dinsos_bandung"]: user["dinsos.bandung"]}
    prog_org = {prog[s.key]: org[s.org] for s in PROGRAMS}
    new_refs: list[tuple[Referral, list[tuple[datetime, str | None, str, int | None, str | None]]]] = []
    specs = _referral_specs(households)
    for r in [*specs, *_benefit_story_specs(households, specs)]:
        if r.pkh_id not in hh:
            continue
        hid, pid = hh[r.pkh_id], prog[r.program]
        if (hid, pid) in have_refs:
            continue
        fid = fac[spec_by_pkh[r.pkh_id].facilitator]
        span = sum(r.days)
        sent = at_utc(today - timedelta(days=span + r.quiet_days), 2, r.minute)
        events: list[tuple[datetime, str | None, str, int | None, str | None]] = [
            (sent, None, "sent", fac_user.get(fid), None)
        ]
        at, prev = sent, "sent"
        for i, (status, gap) in enumerate(zip(r.path, r.days, strict=True)):
            at = at + timedelta(days=gap, hours=1)
            note = r.note if i == len(r.path) - 1 else None
            events.append((at, prev, status, agency_user.get(prog_org[pid]), note))
            prev = status
        status = r.path[-1] if r.path else "sent"
        referral = Referral(
            household_id=hid,
            program_id=pid,
            facilitator_id=fid,
            status=ReferralStatus(status),
            note=r.note,
            sent_at=sent,
            status_changed_at=at,
            outcome=r.outcome if status == "completed" else None,
            created_at=sent,
            updated_at=at,
        )
        new_refs.append((referral, events))
    _flush(session, [ref for ref, _ in new_refs])
    _flush(
        session,
        [
            ReferralEvent(
                referral_id=_pk(ref), at=at, actor_user_id=actor, from_status=ReferralStatus(frm) if frm else None,
                to_status=ReferralStatus(to), note=note, created_at=at, updated_at=at,
            )
            for ref, events in new_refs
            for at, frm, to, actor, note in events
        ],
    )  # fmt: skip
    _load_checkins(session, today, {p: i for p, i in hh.items() if p in spec_by_pkh}, fac_user)
    _benefits_of_completed(session)
    load_pathways(session)
    _load_graduations(session, today, {p: i for p, i in hh.items() if p in spec_by_pkh}, fac_user)
    session.commit()
    return {
        name: int(session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
        for name, table in SQLModel.metadata.tables.items()
        if name != "region"
    }
