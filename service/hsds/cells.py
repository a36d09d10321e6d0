"""Reading the cells of an imported CSV row: numbers, dates, a capacity's unit, the service ids an
eligibility rule names, and a record's values validated (an error in one line). A malformed cell adds a problem
(``"<file> line <n>: <what>"``) and reads as ``None``."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from models.organizations import CapacityUnit
from service.hsds.ids import parse_uuid
from service.hsds.profile import as_number
from service.hsds.report import Row

M = TypeVar("M", bound=BaseModel)

_RUPIAH = re.compile(r"\b(idr|rupiah|rp)\b", re.IGNORECASE)
_SEATS = re.compile(r"\b(seats?|kursi|peserta|orang|places?|people|persons?)\b", re.IGNORECASE)


def number(row: Row, key: str, problems: list[str], *, integer: bool = False) -> float | int | None:
    """Cell ``key`` as a finite number (``integer``: a whole one); ``None`` when empty or malformed."""
    raw = row.get(key)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{row.where}: {key} {raw!r} is not a number")
        return None
    if not math.isfinite(value):
        problems.append(f"{row.where}: {key} {raw!r} is not a finite number")
        return None
    if integer:
        if not value.is_integer():
            problems.append(f"{row.where}: {key} {raw!r} is not a whole number")
            return None
        return int(value)
    return as_number(value)


def day(row: Row, key: str, problems: list[str]) -> date | None:
    """Cell ``key`` as a date (YYYY-MM-DD); ``None`` when empty or malformed."""
    raw = row.get(key)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"{row.where}: {key} {raw!r} is not a date (YYYY-MM-DD)")
        return None


def unit_of(unit_row: Row) -> tuple[CapacityUnit | None, str]:
    """The capacity unit a ``unit`` row names (``None``: neither seats nor rupiah) and the words it used."""
    name = " ".join(filter(None, (unit_row.get("identifier"), unit_row.get("name"))))
    if _RUPIAH.search(name):
        return CapacityUnit.rupiah, name
    if _SEATS.search(name):
        return CapacityUnit.seats, name
    return None, name


def service_ids_in(rule: Any) -> list[str]:
    """The service ids an imported rule's ``history.completed_programs`` criteria name."""
    refs: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        if node.get("field") == "history.completed_programs" and isinstance(node.get("value"), str):
            refs.append(parse_uuid(node["value"]) or node["value"])
        for key in ("all", "any"):
            children = node.get(key)
            for child in children if isinstance(children, list) else []:
                walk(child)
        walk(node.get("not"))

    walk(rule)
    return refs


def errors_text(exc: ValidationError) -> str:
    """A validation error in one line: ``field: message; field: message``."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
    return "; ".join(parts)


def validated(model: type[M], values: dict[str, Any], problems: list[str]) -> M | None:
    """``values`` as ``model`` when there are no problems yet; a validation error becomes one."""
    if problems:
        return None
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems.append(errors_text(exc))
        return None
