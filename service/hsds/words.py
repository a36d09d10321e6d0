"""The words Jejaring writes into HSDS records: a rule tree in plain language, the age bounds it
sets, and the descriptions HSDS requires where the catalogue holds none."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from mapping import labels
from mapping.matching import _expected_text
from models.organizations import CapacityUnit
from service.hsds.profile import as_number, pick
from service.hsds.taxonomy import ORGANIZATION_KIND_LABELS

_ALL_TOP = ("Semua syarat", "All of these")
_ALL_NESTED = ("semua dari", "all of")
_NOT = ("bukan", "not")


def describe_rule(
    rule: dict[str, Any] | None,
    lang: str,
    region_names: dict[str, str] | None = None,
    program_names: dict[int, str] | None = None,
) -> str:
    """The rule tree in plain words: ``Semua syarat: ...; salah satu dari: [...]``."""
    if not rule:
        return pick(labels.WORDS["open_to_all"], lang)
    regions = region_names or {}
    programs = program_names or {}

    def criterion(node: dict[str, Any]) -> str:
        name, op = node["field"], node["op"]
        value: Any = node.get("value")
        if name == "history.completed_programs" and op == "contains":
            shown = programs.get(value, f"#{value}")
            text = f"{labels.word('includes', lang)} {shown}"
        elif op in ("eq", "ne") and isinstance(value, bool):
            text = labels.value_label(value if op == "eq" else not value, lang)
        else:
            text = _expected_text(op, value, lang, regions)
        return f"{labels.field_label(name, lang)}: {text}"

    def render(node: dict[str, Any], top: bool) -> str:
        if "all" in node:
            parts = "; ".join(render(child, False) for child in node["all"])
            return f"{pick(_ALL_TOP, lang)}: {parts}" if top else f"{pick(_ALL_NESTED, lang)}: [{parts}]"
        if "any" in node:
            parts = "; ".join(render(child, False) for child in node["any"])
            head = labels.word("any_of", lang)
            return f"{head[0].upper()}{head[1:]}: {parts}" if top else f"{head}: [{parts}]"
        if "not" in node:
            text = f"{pick(_NOT, lang)}: [{render(node['not'], False)}]"
            return f"{pick(_ALL_TOP, lang)}: {text}" if top else text
        text = criterion(node)
        return f"{pick(_ALL_TOP, lang)}: {text}" if top else text

    return render(rule, True)


def _between(value: Any) -> tuple[Any, Any]:
    low, high = value
    return low, high


# What one age criterion says about (lowest, highest) age; an operator not listed says nothing.
_AGE_SPAN: dict[str, Callable[[Any], tuple[Any, Any]]] = {
    "between": _between,
    "eq": lambda v: (v, v),
    "ge": lambda v: (v, None),
    "gt": lambda v: (math.floor(v) + 1, None),
    "le": lambda v: (None, v),
    "lt": lambda v: (None, math.ceil(v) - 1),
    "in": lambda v: (min(v), max(v)),
}


def _mandatory(node: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The criteria of ``node`` every applicant must meet (reached through ``all`` only)."""
    if "field" in node:
        yield node
    for child in node.get("all", []):
        yield from _mandatory(child)


def age_bounds(rule: dict[str, Any] | None) -> tuple[int | float | None, int | float | None]:
    """(minimum, maximum) of the head's age that every applicant must meet (criteria under ``all`` only)."""
    low: float | None = None
    high: float | None = None
    for node in _mandatory(rule or {}):
        if node["field"] != "head.age":
            continue
        span = _AGE_SPAN.get(node["op"])
        lo, hi = span(node.get("value")) if span else (None, None)
        if lo is not None:
            low = lo if low is None else max(low, lo)
        if hi is not None:
            high = hi if high is None else min(high, hi)
    return (
        None if low is None else as_number(low),
        None if high is None else as_number(high),
    )


def default_org_description(kind: str, region_name: str, lang: str) -> str:
    """What an organisation without a description is described as (HSDS requires a description)."""
    return f"{pick(ORGANIZATION_KIND_LABELS[kind], lang)}, {region_name}"


_SCHEDULE_HEADS = {
    "application_window": ("Pendaftaran dibuka", "Applications open"),
    "programme_validity": ("Program berlaku", "The programme runs"),
}


def schedule_description(role: str, start: date | None, end: date | None, lang: str) -> str:
    """A schedule in words: ``Pendaftaran dibuka sejak 2026-01-01 sampai 2026-03-31``."""
    words = [pick(_SCHEDULE_HEADS[role], lang)]
    if start is not None:
        words.append(f"{pick(('sejak', 'from'), lang)} {start.isoformat()}")
    if end is not None:
        words.append(f"{pick(('sampai', 'until'), lang)} {end.isoformat()}")
    return " ".join(words)


_DAYS = {
    "mo": ("Senin", "Monday"),
    "tu": ("Selasa", "Tuesday"),
    "we": ("Rabu", "Wednesday"),
    "th": ("Kamis", "Thursday"),
    "fr": ("Jumat", "Friday"),
    "sa": ("Sabtu", "Saturday"),
    "su": ("Minggu", "Sunday"),
}


def opening_hours_description(days: list[str], opens: str, closes: str, lang: str) -> str:
    """Opening hours in words: ``Buka Senin, Selasa 08:00-16:00``."""
    names = ", ".join(pick(_DAYS[d], lang) for d in days)
    return f"{pick(('Buka', 'Open'), lang)} {names} {opens}-{closes}"


def capacity_description(unit: CapacityUnit | str, lang: str) -> str:
    """What a programme's remaining capacity counts: funds (rupiah) or places."""
    what = (
        ("Dana program yang masih tersedia (Rp)", "Programme funds still available (IDR)")
        if unit == CapacityUnit.rupiah
        else ("Kuota peserta yang masih tersedia", "Places still available")
    )
    return pick(what, lang)


def seat_unit_name(lang: str) -> str:
    """The name of the seats unit."""
    return pick(("Kursi peserta", "Seat"), lang)
