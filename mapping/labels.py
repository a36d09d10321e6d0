"""Words for the eligibility explanations, in Bahasa Indonesia and English.

Each rule field has a label (what it is) and a question (what to ask the family when the
value is missing); each choice value has a display name.

The text lives in this library's own gettext domain, ``mapping``:
``mapping/locale/<lang>/LC_MESSAGES/mapping.po``, one entry per key (``field.<field>``,
``question.<field>``, ``value.<value>``, ``word.<word>``), English the source text and Bahasa
Indonesia its translation. ``make install`` (``make locale``) compiles them to ``mapping.mo``;
each language's catalogue is read once, when this module is imported, into the (Indonesian,
English) pairs below. README.md (Translations) says how to add a key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from babel.support import Translations

Lang = str  # "id" or "en"

DOMAIN: Final = "mapping"
LOCALE_DIR: Final = Path(__file__).parent / "locale"


class CatalogueMissing(RuntimeError):
    """A language's compiled catalogue (.mo) is not there: the .po files were never compiled."""


def _load(lang: Lang) -> Translations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    except FileNotFoundError:
        raise CatalogueMissing(
            f"The explanations' words for {lang!r} are not compiled: {path} is missing. Run `make install`"
            " (or `make locale`), which compiles the .po files next to it with `pybabel compile`."
        ) from None


_ID, _EN = _load("id"), _load("en")


def _pair(key: str) -> tuple[str, str]:
    """The (Indonesian, English) text of ``key``; a key missing from a catalogue comes back as itself."""
    return _ID.gettext(key), _EN.gettext(key)


# What each rule field is.
FIELD_LABELS: Final[dict[str, tuple[str, str]]] = {
    "head.age": _pair("field.head.age"),
    "head.sex": _pair("field.head.sex"),
    "household.pkh_status": _pair("field.household.pkh_status"),
    "household.years_in_pkh": _pair("field.household.years_in_pkh"),
    "household.dtsen_decile": _pair("field.household.dtsen_decile"),
    "household.prse": _pair("field.household.prse"),
    "household.disability": _pair("field.household.disability"),
    "household.elderly": _pair("field.household.elderly"),
    "household.agreed_to_graduate": _pair("field.household.agreed_to_graduate"),
    "household.school_age_children": _pair("field.household.school_age_children"),
    "household.region": _pair("field.household.region"),
    "business.exists": _pair("field.business.exists"),
    "business.sector": _pair("field.business.sector"),
    "business.age_months": _pair("field.business.age_months"),
    "business.monthly_revenue": _pair("field.business.monthly_revenue"),
    "business.workers": _pair("field.business.workers"),
    "business.has_nib": _pair("field.business.has_nib"),
    "business.has_pirt": _pair("field.business.has_pirt"),
    "business.has_halal": _pair("field.business.has_halal"),
    "business.needs": _pair("field.business.needs"),
    "history.completed_programs": _pair("field.history.completed_programs"),
}

# What to ask the family when a field's value is missing.
QUESTIONS: Final[dict[str, tuple[str, str]]] = {
    "head.age": _pair("question.head.age"),
    "head.sex": _pair("question.head.sex"),
    "household.pkh_status": _pair("question.household.pkh_status"),
    "household.years_in_pkh": _pair("question.household.years_in_pkh"),
    "household.dtsen_decile": _pair("question.household.dtsen_decile"),
    "household.prse": _pair("question.household.prse"),
    "household.disability": _pair("question.household.disability"),
    "household.elderly": _pair("question.household.elderly"),
    "household.agreed_to_graduate": _pair("question.household.agreed_to_graduate"),
    "household.school_age_children": _pair("question.household.school_age_children"),
    "household.region": _pair("question.household.region"),
    "business.exists": _pair("question.business.exists"),
    "business.sector": _pair("question.business.sector"),
    "business.age_months": _pair("question.business.age_months"),
    "business.monthly_revenue": _pair("question.business.monthly_revenue"),
    "business.workers": _pair("question.business.workers"),
    "business.has_nib": _pair("question.business.has_nib"),
    "business.has_pirt": _pair("question.business.has_pirt"),
    "business.has_halal": _pair("question.business.has_halal"),
    "business.needs": _pair("question.business.needs"),
    "history.completed_programs": _pair("question.history.completed_programs"),
}

# The display name of each choice value.
VALUE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "F": _pair("value.F"),
    "M": _pair("value.M"),
    "active": _pair("value.active"),
    "graduated_natural": _pair("value.graduated_natural"),
    "graduated_self_sufficient": _pair("value.graduated_self_sufficient"),
    "exited": _pair("value.exited"),
    "culinary": _pair("value.culinary"),
    "fashion": _pair("value.fashion"),
    "craft": _pair("value.craft"),
    "agriculture": _pair("value.agriculture"),
    "livestock": _pair("value.livestock"),
    "fishery": _pair("value.fishery"),
    "retail": _pair("value.retail"),
    "services": _pair("value.services"),
    "other": _pair("value.other"),
    "capital": _pair("value.capital"),
    "training": _pair("value.training"),
    "marketing": _pair("value.marketing"),
    "certification": _pair("value.certification"),
    "equipment": _pair("value.equipment"),
    "mentoring": _pair("value.mentoring"),
}

# The words the explanations are built from.
WORDS: Final[dict[str, tuple[str, str]]] = {
    "yes": _pair("word.yes"),
    "no": _pair("word.no"),
    "asks": _pair("word.asks"),
    "no_data": _pair("word.no_data"),
    "no_business": _pair("word.no_business"),
    "none": _pair("word.none"),
    "not": _pair("word.not"),
    "any_of": _pair("word.any_of"),
    "none_of": _pair("word.none_of"),
    "includes": _pair("word.includes"),
    "within": _pair("word.within"),
    "recorded": _pair("word.recorded"),
    "not_recorded": _pair("word.not_recorded"),
    "program_not_active": _pair("word.program_not_active"),
    "window_not_open": _pair("word.window_not_open"),
    "window_closed": _pair("word.window_closed"),
    "not_valid_yet": _pair("word.not_valid_yet"),
    "not_valid_anymore": _pair("word.not_valid_anymore"),
    "capacity_full": _pair("word.capacity_full"),
    "outside_area": _pair("word.outside_area"),
    "open_to_all": _pair("word.open_to_all"),
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
