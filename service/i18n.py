"""Interface text in Bahasa Indonesia (default) and English, from gettext catalogues.

The text lives in ``service/locale/<lang>/LC_MESSAGES/messages.po``, one entry per symbolic
key (``msgid "nav.home"``): English is the source text, Bahasa Indonesia its translation.
``make install`` (``make locale``) compiles each .po into the ``messages.mo`` next to it, and
this module loads the compiled catalogue of each language once per process. README.md
(Translations) says how to add a key.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).parent / "locale"

# Strict mode (for the tests): when not None, every (language, key) looked up but missing from
# its catalogue. A process started with JEJARING_I18N_MISSING=<file> (the server the browser
# tests start) is in strict mode from the start and also appends each one to that file.
MISSING_LOG_VARIABLE = "JEJARING_I18N_MISSING"
_missing: set[tuple[str, str]] | None = set() if os.environ.get(MISSING_LOG_VARIABLE) else None


class CatalogueMissing(RuntimeError):
    """A language's compiled catalogue (.mo) is not there: the .po files were never compiled."""


class _Missing(NullTranslations):
    """The last fallback of a catalogue: a key it does not hold comes back as itself (recorded in strict mode)."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def gettext(self, message: str) -> str:
        if _missing is not None and (self.lang, message) not in _missing:
            _missing.add((self.lang, message))
            if log := os.environ.get(MISSING_LOG_VARIABLE):
                with open(log, "a", encoding="utf-8") as f:
                    f.write(f"{self.lang}\t{message}\n")
        return message


def record_missing() -> set[tuple[str, str]]:
    """Turn strict mode on: from now on, record each ``(language, key)`` looked up but missing.

    Returns the set being filled (the same set on every call). The test suite turns it on for
    the whole run and fails at the end if anything was recorded (tests/conftest.py).
    """
    global _missing
    if _missing is None:
        _missing = set()
    return _missing


@cache
def _catalogue(lang: str) -> Translations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as fp:
            catalogue = Translations(fp, domain=DOMAIN)
    except FileNotFoundError:
        raise CatalogueMissing(
            f"The interface text for {lang!r} is not compiled: {path} is missing. Run `make install`"
            " (or `make locale`), which compiles the .po files next to it with `pybabel compile`."
        ) from None
    catalogue.add_fallback(_Missing(lang))
    return catalogue


@cache
def _translator(lang: str) -> Callable[[str], str]:
    gettext = _catalogue(lang).gettext

    def t(key: str) -> str:
        # gettext("") is the catalogue's header; an empty key stays empty.
        return gettext(key) if key else key

    return t


def translator(lang: str) -> Callable[[str], str]:
    """Return ``t(key)`` for ``lang`` (unknown languages get Bahasa Indonesia); unknown keys come back as the key."""
    return _translator(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def N_(key: str) -> str:
    """Mark ``key`` for extraction where it is passed around before being looked up; return it."""
    return key
