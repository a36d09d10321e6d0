"""A Babel extractor for the message keys in Jejaring's Python code (``babel.cfg`` names it).

Babel's own Python extractor reads tokens, not the syntax tree, and on this code base it
gets three things wrong: it glues the two branches of ``t("a" if x else "b")`` into one
bogus msgid ``"ab"``, it keeps the constant head of ``t("fo.method." + kind)`` as if it were
a key, and (before Python 3.12) it cannot see a ``t("key")`` call inside an f-string. This
extractor walks the syntax tree instead and yields only whole keys:

* ``t("key")`` (any name given as a keyword, with its first argument as the msgid),
  including calls inside f-strings;
* both branches of ``t("a" if cond else "b")``;
* ``translator(lang)("key")``, the one-off form of ``t``, and ``viewer.t("key")``.

A key built at run time (``t(f"role.{role}")``, ``t("fo.method." + m)``) yields nothing:
such keys are listed in ``service/i18n_keys.py`` so that the template still holds them.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any


def _keys(node: ast.expr) -> list[str]:
    """The whole keys an argument can be: a string, or either branch of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _keys(node.body) + _keys(node.orelse)
    return []


def _keyword(func: ast.expr, keywords: Mapping[str, Any]) -> str | None:
    if isinstance(func, ast.Name) and func.id in keywords:
        return func.id
    if isinstance(func, ast.Attribute) and func.attr in keywords:  # viewer.t("key")
        return func.attr
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "translator":
        return "t" if "t" in keywords else None
    return None


def extract_keys(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor interface: ``(line, function, msgid, comments)`` per key found."""
    encoding = str(options.get("encoding", "utf-8"))
    tree = ast.parse(fileobj.read().decode(encoding))
    found: list[tuple[int, str, str, list[str]]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _keyword(node.func, keywords)
        if name is not None:
            found.extend((node.lineno, name, key, []) for key in _keys(node.args[0]))
    yield from sorted(found)
