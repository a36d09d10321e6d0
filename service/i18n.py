"""Interface text in Bahasa Indonesia (default) and English."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("id", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "app.tagline": {
        "id": "Peta sumber daya dan jejaring mitra untuk pendamping PKH",
        "en": "Resource map and partner network for PKH facilitators",
    },
    "nav.home": {"id": "Beranda", "en": "Home"},
    "nav.about": {"id": "Tentang", "en": "About"},
    "nav.signout": {"id": "Keluar", "en": "Sign out"},
    "nav.language": {"id": "Bahasa", "en": "Language"},
    "login.title": {"id": "Masuk", "en": "Sign in"},
    "login.username": {"id": "Nama pengguna", "en": "Username"},
    "login.password": {"id": "Kata sandi", "en": "Password"},
    "login.submit": {"id": "Masuk", "en": "Sign in"},
    "login.failed": {
        "id": "Nama pengguna atau kata sandi salah.",
        "en": "Incorrect username or password.",
    },
    "login.expired": {
        "id": "Sesi Anda berakhir. Silakan masuk lagi.",
        "en": "Your session has ended. Please sign in again.",
    },
    "role.admin": {"id": "Administrator", "en": "Administrator"},
    "role.facilitator": {"id": "Pendamping sosial", "en": "Social facilitator"},
    "role.agency_staff": {"id": "Staf lembaga", "en": "Agency staff"},
    "role.forum_organizer": {"id": "Pengelola forum", "en": "Forum organiser"},
    "home.welcome": {"id": "Selamat datang", "en": "Welcome"},
    "home.caseload": {"id": "KPM dampingan", "en": "Caseload (KPM)"},
    "home.with_business": {"id": "KPM dengan usaha mikro", "en": "KPM with a micro-business"},
    "home.groups": {"id": "Kelompok KPM", "en": "KPM groups"},
    "home.villages": {"id": "Desa/kelurahan dampingan", "en": "Villages served"},
    "home.group": {"id": "Kelompok", "en": "Group"},
    "home.village": {"id": "Desa/kelurahan", "en": "Village"},
    "home.members": {"id": "Anggota", "en": "Members"},
    "home.catalogue": {"id": "Program yang tersedia", "en": "Programmes available"},
    "home.organization": {"id": "Lembaga", "en": "Organisation"},
    "home.programs": {"id": "Program", "en": "Programmes"},
    "home.program": {"id": "Program", "en": "Programme"},
    "home.kind": {"id": "Jenis", "en": "Kind"},
    "home.status": {"id": "Status", "en": "Status"},
    "home.capacity": {"id": "Sisa kuota", "en": "Remaining capacity"},
    "home.organizations": {"id": "Lembaga", "en": "Organisations"},
    "home.facilitators": {"id": "Pendamping", "en": "Facilitators"},
    "home.households": {"id": "KPM", "en": "Households (KPM)"},
    "home.referrals": {"id": "Rujukan", "en": "Referrals"},
    "home.active_programs": {"id": "Program aktif", "en": "Active programmes"},
    "home.forum": {"id": "Forum", "en": "Forum"},
    "home.region": {"id": "Wilayah", "en": "Region"},
    "home.verified": {"id": "Terverifikasi", "en": "Verified"},
    "home.not_linked": {
        "id": "Akun ini belum terhubung ke pendamping, lembaga, atau forum. Hubungi administrator.",
        "en": "This account is not linked to a facilitator, organisation or forum. Contact an administrator.",
    },
    "home.none": {"id": "Belum ada data.", "en": "Nothing here yet."},
    "about.title": {"id": "Tentang Jejaring", "en": "About Jejaring"},
    "about.body": {
        "id": "Jejaring membantu pendamping sosial PKH menemukan program pelatihan, modal, pemasaran, "
        "dan sertifikasi bagi KPM yang memiliki usaha mikro, merujuk keluarga, dan memantau hasilnya; "
        "membantu lembaga mendaftarkan programnya; dan membantu forum melihat jejaring pemangku kepentingan.",
        "en": "Jejaring helps PKH social facilitators find training, capital, marketing and certification "
        "programmes for KPM families with micro-businesses, refer them and follow the outcome; helps "
        "agencies publish their offerings; and helps forums see the stakeholder network.",
    },
    "about.data": {"id": "Sumber data", "en": "Data sources"},
    "about.regions": {
        "id": "Kode dan nama wilayah administrasi dari idn-area-data 3.1.2, di bawah Open Database License (ODbL) 1.0.",
        "en": "Administrative region codes and names from idn-area-data 3.1.2, "
        "under the Open Database License (ODbL) 1.0.",
    },
    "about.demo": {
        "id": "Data keluarga pada demo adalah data sintetis, bukan data orang sungguhan.",
        "en": "Household data in the demo is synthetic, not real people's data.",
    },
    "error.not_found": {"id": "Halaman tidak ditemukan.", "en": "Page not found."},
}


def translator(lang: str) -> Callable[[str], str]:
    """Return ``t(key)`` for ``lang``; unknown keys come back as the key itself."""
    lang = lang if lang in LANGUAGES else "id"

    def t(key: str) -> str:
        entry = MESSAGES.get(key)
        if entry is None:
            return key
        return entry.get(lang) or entry["id"]

    return t
