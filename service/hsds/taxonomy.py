"""The Jejaring taxonomies and their terms, and the ``taxonomy``, ``taxonomy_term`` and ``attribute``
records that link services and organisations to them.

Programme kinds, business sectors and organisation kinds classify; the fourth taxonomy,
``jejaring-field``, names values HSDS 3.0 has no column for (carried in ``attribute.value``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mapping import labels
from models.eligibility import SECTORS
from models.organizations import OrganizationKind, ProgramKind
from service.hsds.ids import hsds_uuid, parse_uuid
from service.hsds.profile import pick


@dataclass(frozen=True)
class Taxonomy:
    key: str
    name: tuple[str, str]
    description: tuple[str, str]
    link_type: str

    @property
    def id(self) -> str:
        return hsds_uuid("taxonomy", self.key)


@dataclass(frozen=True)
class Term:
    taxonomy: str
    code: str
    name: tuple[str, str]
    description: tuple[str, str]

    @property
    def id(self) -> str:
        return hsds_uuid("taxonomy_term", self.taxonomy, self.code)


PROGRAM_KIND = "jejaring-program-kind"
SECTOR = "jejaring-sector"
ORGANIZATION_KIND = "jejaring-organization-kind"
FIELD = "jejaring-field"

TAXONOMIES: dict[str, Taxonomy] = {
    t.key: t
    for t in (
        Taxonomy(
            PROGRAM_KIND,
            ("Jenis program Jejaring", "Jejaring programme kinds"),
            (
                "Apa yang diberikan program kepada usaha mikro KPM",
                "What a programme gives a KPM family's micro-business",
            ),
            "service_type",
        ),
        Taxonomy(
            SECTOR,
            ("Bidang usaha Jejaring", "Jejaring business sectors"),
            ("Bidang usaha mikro yang dituju program", "The micro-business sectors a programme is meant for"),
            "eligibility",
        ),
        Taxonomy(
            ORGANIZATION_KIND,
            ("Jenis organisasi Jejaring", "Jejaring organisation kinds"),
            ("Jenis lembaga penyedia program", "The kind of body that offers programmes"),
            "organization_type",
        ),
        Taxonomy(
            FIELD,
            ("Kolom profil HSDS Jejaring", "Jejaring HSDS profile fields"),
            (
                "Nilai yang tidak punya kolom di HSDS 3.0, dibawa di attribute.value",
                "Values HSDS 3.0 has no column for, carried in attribute.value",
            ),
            "jejaring_field",
        ),
    )
}

PROGRAM_KIND_LABELS: dict[str, tuple[str, str]] = {
    "training": ("Pelatihan", "Training"),
    "capital_grant": ("Hibah modal usaha", "Capital grant"),
    "loan": ("Pinjaman modal usaha", "Business loan"),
    "marketing": ("Pemasaran produk", "Marketing outlet"),
    "certification": ("Sertifikasi dan perizinan", "Certification and permits"),
    "mentoring": ("Pendampingan usaha", "Business mentoring"),
    "equipment": ("Bantuan peralatan", "Equipment"),
}
ORGANIZATION_KIND_LABELS: dict[str, tuple[str, str]] = {
    "government_agency": ("Instansi pemerintah daerah", "Local government agency"),
    "ministry_programme": ("Program kementerian", "Ministry programme"),
    "csr_company": ("Perusahaan (CSR)", "Company (CSR)"),
    "ngo": ("Lembaga swadaya masyarakat", "Non-governmental organisation"),
    "financial_institution": ("Lembaga keuangan", "Financial institution"),
    "cooperative": ("Koperasi", "Cooperative"),
    "training_centre": ("Lembaga pelatihan", "Training centre"),
    "marketplace": ("Tempat pemasaran", "Marketplace"),
    "community_group": ("Kelompok masyarakat / BUMDes", "Community group / village enterprise"),
}
FIELD_LABELS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "region_code": (
        ("Kode wilayah Kemendagri", "Kemendagri region code"),
        ("Nilai: kode PP.RR.DD.VVVV dari tingkat mana pun", "Value: a PP.RR.DD.VVVV code of any level"),
    ),
    "address": (("Alamat", "Address"), ("Nilai: alamat organisasi atau lokasi", "Value: the street address")),
    "eligibility_rule": (
        ("Aturan kelayakan (JSON)", "Eligibility rule (JSON)"),
        (
            "Nilai: pohon aturan Jejaring; history.completed_programs menyebut id layanan HSDS",
            "Value: the Jejaring rule tree; history.completed_programs names HSDS service ids",
        ),
    ),
    "benefit_min": (("Manfaat minimum (Rp)", "Minimum benefit (IDR)"), ("Nilai: rupiah", "Value: rupiah")),
    "benefit_max": (("Manfaat maksimum (Rp)", "Maximum benefit (IDR)"), ("Nilai: rupiah", "Value: rupiah")),
    "interest_rate": (
        ("Bunga pinjaman (% per tahun)", "Loan interest (% a year)"),
        ("Nilai: persen per tahun", "Value: percent a year"),
    ),
    "application_window": (
        ("Masa pendaftaran", "Application window"),
        ("Menandai jadwal masa pendaftaran", "Marks the schedule of the application window"),
    ),
    "programme_validity": (
        ("Masa berlaku program", "Programme validity"),
        ("Menandai jadwal masa berlaku program", "Marks the schedule of the programme's validity"),
    ),
}


def _terms() -> dict[str, Term]:
    terms: list[Term] = []
    for code, pair in PROGRAM_KIND_LABELS.items():
        terms.append(Term(PROGRAM_KIND, code, pair, ("Jenis program: " + pair[0], "Programme kind: " + pair[1])))
    for code in SECTORS:
        pair = labels.VALUE_LABELS[code]
        terms.append(Term(SECTOR, code, pair, ("Bidang usaha: " + pair[0], "Business sector: " + pair[1])))
    for code, pair in ORGANIZATION_KIND_LABELS.items():
        terms.append(Term(ORGANIZATION_KIND, code, pair, ("Jenis organisasi: " + pair[0], "Kind: " + pair[1])))
    for code, (name, description) in FIELD_LABELS.items():
        terms.append(Term(FIELD, code, name, description))
    return {t.id: t for t in terms}


TERMS: dict[str, Term] = _terms()
TERM_BY_CODE: dict[tuple[str, str], Term] = {(t.taxonomy, t.code): t for t in TERMS.values()}
assert set(PROGRAM_KIND_LABELS) == {k.value for k in ProgramKind}
assert set(ORGANIZATION_KIND_LABELS) == {k.value for k in OrganizationKind}


def term(taxonomy: str, code: str) -> Term:
    """The term ``code`` of ``taxonomy``."""
    return TERM_BY_CODE[(taxonomy, code)]


def term_by_id(term_id: str | None) -> Term | None:
    """The term whose HSDS id is ``term_id`` (any UUID spelling), if it is one of ours."""
    return TERMS.get(parse_uuid(term_id) or "")


def taxonomy_by_id(taxonomy_id: str | None) -> Taxonomy | None:
    """The taxonomy whose HSDS id is ``taxonomy_id`` (any UUID spelling), if it is one of ours."""
    wanted = parse_uuid(taxonomy_id)
    return next((t for t in TAXONOMIES.values() if t.id == wanted), None)


def taxonomy_record(tax: Taxonomy, lang: str) -> dict[str, Any]:
    """An HSDS ``taxonomy``."""
    return {
        "id": tax.id,
        "name": pick(tax.name, lang),
        "description": pick(tax.description, lang),
        "version": "1",
    }


def term_record(t: Term, lang: str, *, nested: bool = True) -> dict[str, Any]:
    """An HSDS ``taxonomy_term`` (``nested``: with its ``taxonomy_detail``)."""
    out: dict[str, Any] = {
        "id": t.id,
        "code": t.code,
        "name": pick(t.name, lang),
        "description": pick(t.description, lang),
        "taxonomy": t.taxonomy,
        "taxonomy_id": TAXONOMIES[t.taxonomy].id,
        "language": lang,
    }
    if nested:
        out["taxonomy_detail"] = taxonomy_record(TAXONOMIES[t.taxonomy], lang)
    return out


def attribute_record(entity: str, link_id: str, t: Term, lang: str, value: str | None = None) -> dict[str, Any]:
    """An HSDS ``attribute`` linking record ``link_id`` of ``entity`` to term ``t`` (with a value)."""
    out: dict[str, Any] = {
        "id": hsds_uuid("attribute", entity, link_id, t.taxonomy, t.code),
        "link_id": link_id,
        "link_type": TAXONOMIES[t.taxonomy].link_type,
        "link_entity": entity,
        "taxonomy_term_id": t.id,
    }
    if value is not None:
        out["value"] = value
    out["taxonomy_term"] = term_record(t, lang)
    return out
