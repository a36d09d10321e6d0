"""The explanations' words come from the mapping library's own gettext catalogues (mapping/locale)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from mapping import labels

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("id", "en")
TABLES = {
    "field": labels.FIELD_LABELS,
    "question": labels.QUESTIONS,
    "value": labels.VALUE_LABELS,
    "word": labels.WORDS,
}


def catalogue(lang: str) -> Catalog:
    with (labels.LOCALE_DIR / lang / "LC_MESSAGES" / "mapping.po").open("rb") as f:
        return read_po(f, locale=lang)


def texts(lang: str) -> dict[str, str]:
    return {m.id: m.string for m in catalogue(lang) if m.id and isinstance(m.id, str) and isinstance(m.string, str)}


def test_catalogues_are_complete_and_agree() -> None:
    for lang in LANGUAGES:
        cat = catalogue(lang)
        assert not cat.fuzzy
        assert not [m.id for m in cat if m.id and (m.fuzzy or not m.string)], lang
    assert set(texts("id")) == set(texts("en"))


def test_every_pair_is_the_compiled_text_of_its_key() -> None:
    """Each (Indonesian, English) pair is its key's text in the .po files: no key missing, no .mo stale."""
    id_, en = texts("id"), texts("en")
    keys = {f"{prefix}.{name}" for prefix, table in TABLES.items() for name in table}
    assert keys == set(id_)
    for prefix, table in TABLES.items():
        for name, pair in table.items():
            key = f"{prefix}.{name}"
            assert pair == (id_[key], en[key]), key


def test_template_holds_the_keys_labels_py_asks_for() -> None:
    cfg = ROOT / "mapping" / "babel.cfg"
    with cfg.open() as f:
        method_map, options_map = parse_mapping_cfg(f, str(cfg))
    found = {m for _f, _l, m, _c, _x in extract_from_dir(str(ROOT / "mapping"), method_map, options_map, keywords={})}
    with (labels.LOCALE_DIR / "mapping.pot").open("rb") as f:
        template = read_po(f)
    assert found == {m.id for m in template if m.id} == set(texts("en"))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("id", ("Usia kepala keluarga", "tanyakan tanggal lahir kepala keluarga", "graduasi sejahtera mandiri", "ya")),
        ("en", ("Head's age", "ask for the head's date of birth", "graduated (self-sufficient)", "yes")),
    ],
)
def test_words_in_both_languages(lang: str, expected: tuple[str, str, str, str]) -> None:
    got = (
        labels.field_label("head.age", lang),
        labels.question("head.age", lang),
        labels.value_label("graduated_self_sufficient", lang),
        labels.value_label(True, lang),
    )
    assert got == expected
    assert labels.field_label("no.such.field", lang) == "no.such.field"


def test_placeholders_survive() -> None:
    assert labels.word("outside_area", "en").format(village="Kebon Jayanti") == (
        "The family's village (Kebon Jayanti) is outside the programme's service area"
    )
    assert labels.word("window_closed", "id").format(date="2026-01-31") == "Pendaftaran sudah ditutup 2026-01-31"
