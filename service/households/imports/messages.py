"""The import's refusal reasons, as message keys with their parameters, rendered in a language.

The keys are written out here inside ``N_()`` so that ``make messages`` extracts them; their
Indonesian and English text is in service/locale (``imp.r.*`` a row's, ``imp.f.*`` a file's).
"""

from __future__ import annotations

from typing import Any, Final

from service.i18n import N_, translator

KEYS: Final = (
    N_("imp.r.formula"),
    N_("imp.r.too_long"),
    N_("imp.r.nik_digits"),
    N_("imp.r.nik_number"),
    N_("imp.r.nik_decimal"),
    N_("imp.r.nik_scientific"),
    N_("imp.r.nik_characters"),
    N_("imp.r.nik_region"),
    N_("imp.r.nik_birth"),
    N_("imp.r.nik_birth_digits"),
    N_("imp.r.nik_sex"),
    N_("imp.r.nik_twice"),
    N_("imp.r.nik_masked_other"),
    N_("imp.r.nik_masked_new"),
    N_("imp.r.date_form"),
    N_("imp.r.date_unreal"),
    N_("imp.r.sex"),
    N_("imp.r.region_form"),
    N_("imp.r.region_unknown"),
    N_("imp.r.region_not_yours"),
    N_("imp.r.bool"),
    N_("imp.r.negative"),
    N_("imp.r.too_small"),
    N_("imp.r.too_large"),
    N_("imp.r.whole_number"),
    N_("imp.r.rupiah"),
    N_("imp.r.number"),
    N_("imp.r.choice"),
    N_("imp.r.required"),
    N_("imp.r.business_sector"),
    N_("imp.r.twice"),
    N_("imp.r.first_refused"),
    N_("imp.r.identity_refused"),
    N_("imp.r.restricted"),
    N_("imp.r.changed_meanwhile"),
    N_("imp.r.group_not_yours"),
    N_("imp.f.not_zip"),
    N_("imp.f.old_xls"),
    N_("imp.f.sheet_in_csv"),
    N_("imp.f.no_header"),
    N_("imp.f.utf16"),
    N_("imp.f.empty"),
    N_("imp.f.binary"),
    N_("imp.f.csv_broken"),
    N_("imp.f.zip_bomb"),
    N_("imp.f.not_xlsx"),
    N_("imp.f.no_sheet"),
    N_("imp.f.missing_columns"),
    N_("imp.f.too_large"),
    N_("imp.page.too_large"),
    N_("imp.page.no_file"),
)


def render(key: str, params: dict[str, Any], lang: str) -> str:
    """The reason in ``lang``, its parameters filled in (numbers without a trailing ``.0``)."""
    shown = {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in params.items()}
    text = translator(lang)(key)
    try:
        return text.format(**shown)
    except (KeyError, IndexError, ValueError):
        return text
