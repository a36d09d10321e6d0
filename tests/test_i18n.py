"""The interface text's gettext catalogues (service/locale) against the code and templates.

The keys the pages look up are read from the code by Babel's extraction, with the repository's
babel.cfg, exactly as ``make messages`` does; keys built at run time are listed in
service/i18n_keys.py, and the ones the suite reaches are also checked by the strict mode of
tests/conftest.py.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from mapping.analysis import TIE_WORDS
from mapping.matching import MatchStatus, Result
from models.households import SalesChannel
from models.network import PartnershipKind, PartnershipStatus, PartyKind
from models.organizations import CapacityUnit, OrganizationKind, ProgramKind, ProgramStatus
from models.referrals import DeclineReason, ReferralStatus
from models.users import Role
from service import i18n
from service.i18n import LANGUAGES, translator
from service.i18n_extract import extract_keys

ROOT = Path(__file__).resolve().parent.parent


@cache
def extracted() -> dict[str, list[str]]:
    """Every key Babel's extraction finds, with where it was found."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, str(ROOT / "babel.cfg"))
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"t": None}
    ):
        assert isinstance(message, str), (filename, lineno, message)
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


@cache
def catalogue(lang: str) -> Catalog:
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def texts(lang: str) -> dict[str, str]:
    return {m.id: m.string for m in catalogue(lang) if m.id and isinstance(m.id, str) and isinstance(m.string, str)}


def test_extraction_finds_the_pages_keys() -> None:
    keys = extracted()
    # A sample of each way a key is written: a template, Python, both branches of a conditional,
    # translator(lang)(key), and the run-time families listed in service/i18n_keys.py.
    for key in ("nav.home", "login.title", "error.households_forbidden", "ag.rb.recorded", "ag.rb.not_recorded"):
        assert key in keys, key
    assert "months.short" in keys and "role.facilitator" in keys and "ref.s.declined" in keys
    assert any(where.startswith("service/web/templates/") for where in keys["nav.home"])
    assert not [k for k in keys if k.endswith(".")], "a key's constant head was taken for a key"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_extracted_key_has_text_in_every_language(lang: str) -> None:
    have = texts(lang)
    missing = {key: where for key, where in extracted().items() if not have.get(key)}
    assert not missing, f"keys with no {lang} text (add them to service/locale/{lang}/LC_MESSAGES/messages.po)"


def test_catalogues_hold_the_same_keys_all_filled_none_fuzzy() -> None:
    for lang in LANGUAGES:
        cat = catalogue(lang)
        assert not cat.fuzzy, f"the {lang} catalogue's header is marked fuzzy: pybabel compile would skip it"
        assert str(cat.locale) == lang
        assert not [m.id for m in cat if m.id and m.fuzzy], f"fuzzy entries in {lang}"
        assert not [m.id for m in cat if m.id and not m.string], f"entries with no text in {lang}"
    assert set(texts("id")) == set(texts("en"))


def test_catalogues_hold_only_keys_the_extraction_finds() -> None:
    """Otherwise ``make messages`` (pybabel update) would drop them: list run-time keys in service/i18n_keys.py."""
    assert set(texts("en")) - set(extracted()) == set()


def test_template_is_up_to_date() -> None:
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        template = read_po(f)
    assert {m.id for m in template if m.id} == set(extracted()), "run `make messages`"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_its_po(lang: str) -> None:
    """The .mo the service loads holds the .po's text: run `make locale` after editing a .po."""
    t = translator(lang)
    assert {key: t(key) for key in texts(lang)} == texts(lang)


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("role.", Role),
        ("ref.s.", ReferralStatus),
        ("ref.dr.", DeclineReason),
        ("ag.status.", ProgramStatus),
        ("ag.saved.", ProgramStatus),
        ("ag.unit.", CapacityUnit),
        ("kind.", ProgramKind),
        ("channel.", SalesChannel),
        ("map.orgkind.", OrganizationKind),
        ("map.status.", MatchStatus),
        ("r.", Result),
        ("nw.tie.", TIE_WORDS),
        ("pt.kind.", PartnershipKind),
        ("pt.status.", PartnershipStatus),
        ("pt.party.", PartyKind),
    ],
)
def test_keys_built_from_a_value_exist_for_every_value(prefix: str, values: Iterable[object]) -> None:
    """``t(f"role.{role}")`` and the like: every value of the enum (or mapping) they come from has its key."""
    keys = {prefix + str(getattr(v, "value", v)) for v in values}
    for lang in LANGUAGES:
        assert keys - set(texts(lang)) == set(), lang


def test_text_in_both_languages() -> None:
    id_, en = translator("id"), translator("en")
    assert (id_("nav.home"), en("nav.home")) == ("Beranda", "Home")
    assert (id_("login.password"), en("login.password")) == ("Kata sandi", "Password")
    assert id_("role.facilitator") == "Pendamping sosial"
    assert en("role.facilitator") == "Social facilitator"
    assert en("map.orgkind.csr_company") == "Company (CSR)"
    assert id_("fo.col.pagerank") == "PageRank"
    assert id_("page.of").format(page=2, pages=5) == "Halaman 2 dari 5"
    assert en("page.of").format(page=2, pages=5) == "Page 2 of 5"
    assert en("error.households_forbidden").format(role=en("role.agency_staff")) == (
        "This page is only for social facilitators and administrators. Your role (Agency staff) "
        "does not see household (KPM) data."
    )


def test_unknown_language_is_bahasa_indonesia_and_empty_key_stays_empty() -> None:
    assert translator("fr")("nav.home") == "Beranda"
    assert translator("en")("") == ""


def test_missing_key_comes_back_as_itself_and_strict_mode_records_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # A strict mode of this test's own: the miss is on purpose, and stays out of the suite's check.
    monkeypatch.setattr(i18n, "_missing", None)
    monkeypatch.delenv(i18n.MISSING_LOG_VARIABLE, raising=False)
    recorded = i18n.record_missing()
    assert translator("en")("no.such.key") == "no.such.key"
    assert translator("id")("nav.home") == "Beranda"
    assert recorded == {("en", "no.such.key")}
    assert i18n.record_missing() is recorded


def test_strict_mode_of_a_server_process_writes_its_misses_to_a_file(tmp_path: Path) -> None:
    log = tmp_path / "missing.tsv"
    code = "from service.i18n import translator; translator('id')('no.such.key'); translator('id')('no.such.key')"
    env = {**os.environ, i18n.MISSING_LOG_VARIABLE: str(log)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)
    assert log.read_text("utf-8") == "id\tno.such.key\n"


def test_missing_compiled_catalogue_says_to_run_make(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._translator.cache_clear()
    i18n._catalogue.cache_clear()
    try:
        with pytest.raises(i18n.CatalogueMissing, match="make install"):
            translator("en")
    finally:
        i18n._translator.cache_clear()
        i18n._catalogue.cache_clear()


def test_extractor_reads_whole_keys_only() -> None:
    source = b"""
t("plain")
t("yes" if ok else "no")
t("head." + kind)
t(f"role.{role}")
x = f"{t('inside.fstring')}: {n}"
translator(lang)("one.off")
other("not.a.key")
"""
    found = [key for _line, _name, key, _ in extract_keys(io.BytesIO(source), {"t": None}, (), {})]
    assert sorted(found) == ["inside.fstring", "no", "one.off", "plain", "yes"]


@pytest.mark.parametrize(("lang", "words"), [("id", ("Masuk", "Kata sandi")), ("en", ("Sign in", "Password"))])
def test_sign_in_page_in_both_languages(client: TestClient, lang: str, words: tuple[str, str]) -> None:
    html = client.get("/login", params={"lang": lang}).text
    assert all(w in html for w in words)
