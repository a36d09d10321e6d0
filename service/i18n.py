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
    # --- caseload, household and screening pages (facilitators) ---------------------------------
    "nav.caseload": {"id": "KPM", "en": "Caseload"},
    "nav.screening": {"id": "Skrining", "en": "Screening"},
    "error.title": {"id": "Tidak dapat ditampilkan", "en": "Cannot be shown"},
    "error.households_forbidden": {
        "id": "Halaman ini hanya untuk pendamping sosial dan administrator. Peran Anda ({role}) "
        "tidak dapat melihat data KPM.",
        "en": "This page is only for social facilitators and administrators. Your role ({role}) "
        "does not see household (KPM) data.",
    },
    "error.household_not_found": {
        "id": "KPM tidak ditemukan, atau bukan KPM dampingan Anda.",
        "en": "Household not found, or it is not in your caseload.",
    },
    "error.bad_filter": {
        "id": "Nilai saringan “{field}” tidak valid. Pilih salah satu pilihan pada formulir saringan.",
        "en": "The filter value “{field}” is not valid. Choose one of the options in the filter form.",
    },
    "error.back": {"id": "Kembali ke daftar KPM", "en": "Back to the caseload"},
    "kpm.title": {"id": "KPM dampingan", "en": "Caseload"},
    "kpm.filters": {"id": "Saringan", "en": "Filters"},
    "kpm.apply": {"id": "Terapkan", "en": "Apply"},
    "kpm.clear": {"id": "Hapus saringan", "en": "Clear filters"},
    "kpm.f.business": {"id": "Punya usaha", "en": "Has a business"},
    "kpm.f.need": {"id": "Kebutuhan usaha", "en": "Business need"},
    "kpm.f.sector": {"id": "Bidang usaha", "en": "Business sector"},
    "kpm.f.group": {"id": "Kelompok KPM", "en": "KPM group"},
    "kpm.f.eligible": {"id": "Memenuhi syarat ≥ 1 program", "en": "Eligible for ≥ 1 programme"},
    "kpm.all": {"id": "Semua", "en": "All"},
    "kpm.yes": {"id": "Ya", "en": "Yes"},
    "kpm.no": {"id": "Tidak", "en": "No"},
    "kpm.count": {"id": "{n} KPM", "en": "{n} households"},
    "kpm.d.with_business": {"id": "dengan usaha mikro", "en": "with a micro-business"},
    "kpm.d.without_business": {"id": "tanpa usaha mikro", "en": "without a micro-business"},
    "kpm.d.eligible": {
        "id": "memenuhi syarat setidaknya satu program",
        "en": "eligible for at least one programme",
    },
    "kpm.d.not_eligible": {
        "id": "belum memenuhi syarat program mana pun",
        "en": "not yet eligible for any programme",
    },
    "kpm.of_caseload": {"id": "dari {n} KPM dampingan", "en": "of {n} in the caseload"},
    "kpm.col.pkh_id": {"id": "ID PKH", "en": "PKH ID"},
    "kpm.col.head": {"id": "Kepala keluarga", "en": "Head of household"},
    "kpm.col.businesses": {"id": "Usaha (bidang)", "en": "Business (sector)"},
    "kpm.col.needs": {"id": "Kebutuhan", "en": "Needs"},
    "kpm.none": {"id": "Tidak ada KPM yang cocok dengan saringan ini.", "en": "No household matches these filters."},
    "page.prev": {"id": "« Sebelumnya", "en": "« Previous"},
    "page.next": {"id": "Berikutnya »", "en": "Next »"},
    "page.label": {"id": "Halaman", "en": "Page"},
    "page.of": {"id": "Halaman {page} dari {pages}", "en": "Page {page} of {pages}"},
    "hh.profile": {"id": "Profil keluarga", "en": "Family profile"},
    "hh.age": {"id": "Usia", "en": "Age"},
    "hh.years": {"id": "{n} tahun", "en": "{n} years"},
    "hh.sex": {"id": "Jenis kelamin", "en": "Sex"},
    "hh.nik": {"id": "NIK (disamarkan)", "en": "NIK (masked)"},
    "hh.pkh_status": {"id": "Status PKH", "en": "PKH status"},
    "hh.joined": {"id": "Tahun masuk PKH", "en": "Year joined PKH"},
    "hh.decile": {"id": "Desil DTSEN", "en": "DTSEN decile"},
    "hh.prse": {"id": "Terdaftar PRSE", "en": "Registered as PRSE"},
    "hh.disability": {"id": "Anggota penyandang disabilitas", "en": "Member with a disability"},
    "hh.elderly": {"id": "Anggota lanjut usia", "en": "Elderly member"},
    "hh.agreed": {"id": "Bersedia graduasi mandiri", "en": "Agreed to self-graduate"},
    "hh.no_data": {"id": "belum ada data", "en": "no data yet"},
    "hh.businesses": {"id": "Usaha mikro", "en": "Micro-businesses"},
    "hh.no_business": {"id": "Belum tercatat memiliki usaha.", "en": "No business recorded."},
    "biz.started": {"id": "Mulai", "en": "Started"},
    "biz.running": {"id": "Lama berjalan", "en": "Running for"},
    "biz.months": {"id": "{n} bulan", "en": "{n} months"},
    "biz.revenue": {"id": "Omzet per bulan", "en": "Monthly revenue"},
    "biz.permits": {"id": "NIB / PIRT / halal", "en": "NIB / PIRT / halal"},
    "biz.channels": {"id": "Saluran penjualan", "en": "Sales channels"},
    "months.short": {
        "id": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
        "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    },
    "channel.whatsapp": {"id": "WhatsApp", "en": "WhatsApp"},
    "channel.marketplace": {"id": "lokapasar daring", "en": "online marketplace"},
    "channel.bazaar": {"id": "bazar", "en": "bazaar"},
    "channel.shop": {"id": "toko/warung", "en": "shop"},
    "channel.social_media": {"id": "media sosial", "en": "social media"},
    "channel.door_to_door": {"id": "keliling", "en": "door to door"},
    "kind.training": {"id": "Pelatihan", "en": "Training"},
    "kind.capital_grant": {"id": "Bantuan modal", "en": "Capital grant"},
    "kind.loan": {"id": "Pinjaman", "en": "Loan"},
    "kind.marketing": {"id": "Pemasaran", "en": "Marketing"},
    "kind.certification": {"id": "Sertifikasi", "en": "Certification"},
    "kind.mentoring": {"id": "Pendampingan", "en": "Mentoring"},
    "kind.equipment": {"id": "Peralatan", "en": "Equipment"},
    "m.title": {"id": "Program yang cocok", "en": "Matching programmes"},
    "m.eligible": {"id": "Memenuhi syarat", "en": "Eligible"},
    "m.unknown": {"id": "Perlu data", "en": "Needs data"},
    "m.near": {"id": "Hampir memenuhi", "en": "Near misses"},
    "m.ask": {"id": "Tanyakan kepada keluarga:", "en": "Ask the family:"},
    "m.missing": {"id": "Yang belum terpenuhi:", "en": "What is missing:"},
    "m.reasons": {"id": "Alasan ({n} kriteria)", "en": "Reasons ({n})"},
    "m.score": {"id": "Skor", "en": "Score"},
    "m.distance": {"id": "Jarak", "en": "Distance"},
    "m.none": {"id": "Tidak ada program di bagian ini.", "en": "No programme in this section."},
    "m.more": {
        "id": "{n} program lain yang lebih jauh dari syarat tidak ditampilkan.",
        "en": "{n} more programmes, further from qualifying, are not listed.",
    },
    "r.pass": {"id": "terpenuhi", "en": "met"},
    "r.fail": {"id": "tidak terpenuhi", "en": "not met"},
    "r.unknown": {"id": "belum ada data", "en": "no data yet"},
    "scr.title": {"id": "Skrining KPM × program", "en": "Screening: households × programmes"},
    "scr.programs": {"id": "{n} program", "en": "{n} programmes"},
    "scr.eligible": {"id": "memenuhi syarat", "en": "eligible"},
    "scr.unknown": {"id": "perlu data", "en": "unknown"},
    "scr.ineligible": {"id": "tidak memenuhi", "en": "ineligible"},
    "scr.total": {"id": "Jumlah memenuhi syarat", "en": "Eligible (count)"},
    "scr.household": {"id": "KPM", "en": "Household"},
    "scr.csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "scr.no_programs": {
        "id": "Tidak ada program yang dapat diikuti (atau perlu data) oleh KPM ini.",
        "en": "No programme these households are eligible for or may be eligible for.",
    },
    "scr.open": {"id": "Skrining semua program", "en": "Screen against all programmes"},
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
