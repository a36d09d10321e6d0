"""A notification's words in the reader's language: its text key's text, formatted with its params."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from service.i18n import translator


class _Kept(dict[str, Any]):
    """Format params where a missing one stays as ``{name}`` instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_FORMATTER = string.Formatter()


def notification_text(text_key: str, params: Mapping[str, Any], lang: str) -> str:
    """The text of ``text_key`` in ``lang`` with ``params`` filled in (plain ``{name}`` fields only)."""
    template = translator(lang)(text_key)
    kept = _Kept(params)
    out = []
    try:
        for literal, field, spec, conversion in _FORMATTER.parse(template):
            out.append(literal)
            if field is None:
                continue
            if not field.isidentifier() or conversion or spec:
                out.append("{" + field + "}")  # attribute or index lookups are never followed
                continue
            out.append(str(kept[field]))
    except ValueError:  # a translation with unbalanced braces is shown as written
        return template
    return "".join(out)
