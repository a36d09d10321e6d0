"""Words for the eligibility explanations, in Bahasa Indonesia and English.

Each rule field has a label (what it is) and a question (what to ask the family when the
value is missing); each choice value has a display name.
"""

from __future__ import annotations

from typing import Final

Lang = str  # "id" or "en"

FIELD_LABELS: Final[dict[str, tuple[str, str]]] = {
    "head.age": ("Usia kepala keluarga", "Head's age"),
    "head.sex": ("Jenis kelamin kepala keluarga", "Head's sex"),
    "household.pkh_status": ("Status PKH", "PKH status"),
    "household.years_in_pkh": ("Lama menjadi KPM (tahun)", "Years in PKH"),
    "household.dtsen_decile": ("Desil DTSEN", "DTSEN decile"),
    "household.prse": ("Terdaftar PRSE", "Registered as PRSE"),
    "household.disability": ("Ada anggota penyandang disabilitas", "Member with a disability"),
    "household.elderly": ("Ada anggota lanjut usia", "Elderly member"),
    "household.agreed_to_graduate": ("Bersedia graduasi mandiri", "Agreed to self-graduate"),
    "household.school_age_children": ("Jumlah anak usia sekolah", "School-age children"),
    "household.region": ("Wilayah tempat tinggal", "Home region"),
    "business.exists": ("Memiliki usaha mikro", "Runs a micro-business"),
    "business.sector": ("Bidang usaha", "Business sector"),
    "business.age_months": ("Lama usaha (bulan)", "Business age (months)"),
    "business.monthly_revenue": ("Omzet per bulan", "Monthly revenue"),
    "business.workers": ("Jumlah pekerja", "Workers"),
    "business.has_nib": ("Memiliki NIB", "Has an NIB"),
    "business.has_pirt": ("Memiliki izin PIRT", "Has a PIRT permit"),
    "business.has_halal": ("Memiliki sertifikat halal", "Has a halal certificate"),
    "business.needs": ("Kebutuhan usaha", "Business needs"),
    "history.completed_programs": ("Program yang sudah diselesaikan", "Programmes completed"),
}

QUESTIONS: Final[dict[str, tuple[str, str]]] = {
    "head.age": ("tanyakan tanggal lahir kepala keluarga", "ask for the head's date of birth"),
    "head.sex": ("catat jenis kelamin kepala keluarga", "record the head's sex"),
    "household.pkh_status": ("periksa status PKH keluarga", "check the family's PKH status"),
    "household.years_in_pkh": ("tanyakan sejak tahun berapa menjadi KPM", "ask since which year the family is in PKH"),
    "household.dtsen_decile": ("periksa desil keluarga di DTSEN", "look up the family's DTSEN decile"),
    "household.prse": ("periksa apakah terdaftar sebagai PRSE", "check whether the family is registered as PRSE"),
    "household.disability": (
        "tanyakan apakah ada anggota penyandang disabilitas",
        "ask whether a member has a disability",
    ),
    "household.elderly": ("tanyakan apakah ada anggota lanjut usia", "ask whether an elderly person lives there"),
    "household.agreed_to_graduate": (
        "tanyakan apakah keluarga bersedia graduasi mandiri",
        "ask whether the family agrees to self-graduate",
    ),
    "household.school_age_children": ("tanyakan jumlah anak usia sekolah", "ask how many children are of school age"),
    "household.region": ("catat desa/kelurahan tempat tinggal", "record the family's village"),
    "business.exists": ("tanyakan apakah keluarga memiliki usaha", "ask whether the family runs a business"),
    "business.sector": ("tanyakan bidang usahanya", "ask what the business does"),
    "business.age_months": ("tanyakan sejak kapan usaha berjalan", "ask since when the business has run"),
    "business.monthly_revenue": ("tanyakan omzet usaha per bulan", "ask the business's monthly revenue"),
    "business.workers": ("tanyakan jumlah pekerja", "ask how many people work in it"),
    "business.has_nib": ("tanyakan apakah usaha sudah punya NIB", "ask whether the business has an NIB"),
    "business.has_pirt": ("tanyakan apakah sudah punya izin PIRT", "ask whether it has a PIRT permit"),
    "business.has_halal": ("tanyakan apakah sudah bersertifikat halal", "ask whether it is halal-certified"),
    "business.needs": ("tanyakan kebutuhan usahanya", "ask what the business needs"),
    "history.completed_programs": ("periksa riwayat rujukan keluarga", "check the family's referral history"),
}

VALUE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "F": ("perempuan", "female"),
    "M": ("laki-laki", "male"),
    "active": ("aktif", "active"),
    "graduated_natural": ("graduasi alami", "graduated (natural)"),
    "graduated_self_sufficient": ("graduasi sejahtera mandiri", "graduated (self-sufficient)"),
    "exited": ("keluar", "exited"),
    "culinary": ("kuliner", "culinary"),
    "fashion": ("fesyen/jahit", "fashion/sewing"),
    "craft": ("kerajinan", "craft"),
    "agriculture": ("pertanian", "agriculture"),
    "livestock": ("peternakan", "livestock"),
    "fishery": ("perikanan", "fishery"),
    "retail": ("warung/dagang", "retail"),
    "services": ("jasa", "services"),
    "other": ("lainnya", "other"),
    "capital": ("modal", "capital"),
    "training": ("pelatihan", "training"),
    "marketing": ("pemasaran", "marketing"),
    "certification": ("sertifikasi", "certification"),
    "equipment": ("peralatan", "equipment"),
    "mentoring": ("pendampingan", "mentoring"),
}

WORDS: Final[dict[str, tuple[str, str]]] = {
    "yes": ("ya", "yes"),
    "no": ("tidak", "no"),
    "asks": ("program meminta", "the programme asks for"),
    "no_data": ("Belum ada data", "No data yet on"),
    "no_business": ("keluarga belum tercatat memiliki usaha", "the family has no recorded business"),
    "none": ("tidak ada", "none"),
    "not": ("bukan", "not"),
    "any_of": ("salah satu dari", "one of"),
    "none_of": ("bukan salah satu dari", "none of"),
    "includes": ("mencakup", "includes"),
    "within": ("di wilayah", "within"),
    "recorded": ("tercatat", "recorded"),
    "not_recorded": ("tidak tercatat", "not recorded"),
    "program_not_active": ("Program tidak aktif (status: {status})", "The programme is not active (status: {status})"),
    "window_not_open": ("Pendaftaran baru dibuka {date}", "Applications open on {date}"),
    "window_closed": ("Pendaftaran sudah ditutup {date}", "Applications closed on {date}"),
    "not_valid_yet": ("Program baru berlaku mulai {date}", "The programme starts on {date}"),
    "not_valid_anymore": ("Program berakhir {date}", "The programme ended on {date}"),
    "capacity_full": ("Kuota program sudah habis", "The programme's capacity is used up"),
    "outside_area": (
        "Desa/kelurahan keluarga ({village}) di luar wilayah layanan program",
        "The family's village ({village}) is outside the programme's service area",
    ),
    "open_to_all": ("Program terbuka untuk semua KPM", "The programme is open to every KPM"),
}


def word(key: str, lang: Lang) -> str:
    pair = WORDS[key]
    return pair[1] if lang == "en" else pair[0]


def field_label(field: str, lang: Lang) -> str:
    pair = FIELD_LABELS.get(field, (field, field))
    return pair[1] if lang == "en" else pair[0]


def question(field: str, lang: Lang) -> str:
    pair = QUESTIONS.get(field, (field, field))
    return pair[1] if lang == "en" else pair[0]


def value_label(value: object, lang: Lang) -> str:
    if isinstance(value, bool):
        return word("yes" if value else "no", lang)
    if isinstance(value, str) and value in VALUE_LABELS:
        pair = VALUE_LABELS[value]
        return pair[1] if lang == "en" else pair[0]
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}".replace(",", "." if lang == "id" else ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", "." if lang == "id" else ",")
    return str(value)
