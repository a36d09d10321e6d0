"""Interface text in Bahasa Indonesia (default) and English, from gettext catalogues.

The text lives in ``service/locale/<lang>/LC_MESSAGES/messages.po``, one entry per symbolic
key (``msgid "nav.home"``): English is the source text, Bahasa Indonesia its translation.
``make install`` (``make locale``) compiles each .po into the ``messages.mo`` next to it, and
this module loads the compiled catalogue of each language once per process. README.md
(Translations) says how to add a key.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.support import Translations

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).parent / "locale"


class CatalogueMissing(RuntimeError):
    """A language's compiled catalogue (.mo) is not there: the .po files were never compiled."""


@cache
def _catalogue(lang: str) -> Translations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as fp:
            catalogue = Translations(fp, domain=DOMAIN)  # a key it does not hold comes back as itself
    except FileNotFoundError:
        raise CatalogueMissing(
            f"The interface text for {lang!r} is not compiled: {path} is missing. Run `make install`"
            " (or `make locale`), which compiles the .po files next to it with `pybabel compile`."
        ) from None
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
