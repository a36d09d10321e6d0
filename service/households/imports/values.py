"""Reading one cell: the forms people and spreadsheet programs write, each refused with a reason.

Every parser takes the raw cell (a ``str`` from a CSV; ``str``, ``int``, ``float``, ``bool`` or
``datetime`` from an XLSX) and returns the value, ``None`` for an empty cell, or raises
``Refused`` with a message key (``imp.r.*``, translated in the report) and its parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Final

from mapping.labels import VALUE_LABELS
from models.eligibility import NEEDS, SECTORS
from models.households import PkhStatus
from service.households.imports.contract import Column


class Refused(Exception):
    """A cell (or a row) that cannot be stored, with the message key and its parameters."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class Formula(str):
    """A cell holding a formula: never evaluated, always refused."""


YES: Final = frozenset({"ya", "y", "1", "true", "yes", "benar", "iya"})
NO: Final = frozenset({"tidak", "t", "0", "false", "no", "n", "bukan", "tdk"})
EXCEL_EPOCH: Final = date(1899, 12, 30)

SHOWN: Final[dict[str, dict[str, str]]] = {
    "pkh_status": {s.value: VALUE_LABELS[s.value][0] for s in PkhStatus},
    "sector": dict(sorted(((s, VALUE_LABELS[s][0]) for s in SECTORS), key=lambda pair: pair[1])),
    "need": dict(sorted(((n, VALUE_LABELS[n][0]) for n in NEEDS), key=lambda pair: pair[1])),
    "sales_channel": {
        "whatsapp": "WhatsApp",
        "marketplace": "lokapasar daring",
        "bazaar": "bazar",
        "shop": "toko/warung",
        "social_media": "media sosial",
        "door_to_door": "keliling",
    },
}
"""Each choice's Indonesian label, as the pages, an export and the template write it (read back by
``choice``), and as a refusal lists the allowed values."""

_MORE_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "exited": ("non aktif", "nonaktif"),
    "whatsapp": ("wa",),
    "marketplace": ("lokapasar", "online", "e-commerce"),
    "bazaar": ("pameran",),
    "shop": ("toko", "warung"),
    "social_media": ("medsos", "sosmed", "social media"),
    "door_to_door": ("door to door",),
}
"""Other spellings in use, beyond the value, its labels and its shown label."""


def _choices(name: str) -> dict[str, str]:
    """Accepted spellings (lower case) -> canonical value: the value, its labels, the other words in use."""
    known: dict[str, str] = {}
    for value, shown in SHOWN[name].items():
        names = {value, value.replace("_", " "), shown, *VALUE_LABELS.get(value, ()), *_MORE_WORDS.get(value, ())}
        for spelling in names:
            known.setdefault(spelling.strip().lower(), value)
    return known


ENUMS: Final[dict[str, dict[str, str]]] = {name: _choices(name) for name in SHOWN}
ALLOWED: Final[dict[str, str]] = {name: ", ".join(labels.values()) for name, labels in SHOWN.items()}
"""What a refusal lists as allowed: the Indonesian labels, in the order the template's lists give them."""


def _text(raw: object) -> str | None:
    if type(raw) is str:  # the common case (every CSV cell): no other check applies
        return raw.strip() or None
    if raw is None:
        return None
    if isinstance(raw, Formula):
        raise Refused("imp.r.formula")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    return text or None


def text(raw: object, column: Column) -> str | None:
    value = _text(raw)
    if value is not None and column.max_length is not None and len(value) > column.max_length:
        raise Refused("imp.r.too_long", limit=column.max_length)
    return value


_SCIENTIFIC: Final = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_DECIMAL: Final = re.compile(r"^(\d+)[.,](\d+)$")
_MASKED: Final = re.compile(r"^\*{12}\d{4}$")


def nik(raw: object) -> str | None:
    """A NIK as 16 digits, or a masked NIK (``************0012``, from an export) left as it is."""
    if raw is None:
        return None
    if isinstance(raw, Formula):
        raise Refused("imp.r.formula")
    if isinstance(raw, bool):
        raise Refused("imp.r.nik_digits", digits=0)
    if isinstance(raw, float):
        if not raw.is_integer():
            raise Refused("imp.r.nik_decimal")
        raw = int(raw)
    if isinstance(raw, int):
        digits = str(raw)
        if len(digits) != 16:
            raise Refused("imp.r.nik_number", digits=len(digits))
        return digits
    value = str(raw).strip().lstrip("'").replace(" ", "")
    if not value:
        return None
    if _MASKED.match(value):
        return value
    if _SCIENTIFIC.match(value):
        raise Refused("imp.r.nik_scientific")
    decimal = _DECIMAL.match(value)
    if decimal:
        whole, fraction = decimal.groups()
        if len(whole) == 16 and set(fraction) == {"0"}:
            return whole
        raise Refused("imp.r.nik_decimal")
    if not value.isdigit():
        raise Refused("imp.r.nik_characters")
    if len(value) != 16:
        raise Refused("imp.r.nik_digits", digits=len(value))
    return value


def mask_cell(value: object) -> object:
    """A NIK cell as a preview or a report shows it: every character but the last four starred."""
    if value is None:
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return "*" * max(len(text) - 4, 0) + text[-4:]


def is_masked(value: str) -> bool:
    return bool(_MASKED.match(value))


def nik_birth(value: str) -> tuple[int, int, int, str]:
    """(day, month, two-digit year, sex) that a NIK's digits 7-12 encode (women: day + 40)."""
    day, month, year = int(value[6:8]), int(value[8:10]), int(value[10:12])
    return (day - 40, month, year, "F") if day > 40 else (day, month, year, "M")


_DATE_FORMATS: Final = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), (3, 2, 1)),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), (3, 2, 1)),
)


def a_date(raw: object) -> date | None:
    """A date from ``YYYY-MM-DD``, ``DD/MM/YYYY``, ``DD-MM-YYYY``, an Excel date cell or serial."""
    if raw is None:
        return None
    if isinstance(raw, Formula):
        raise Refused("imp.r.formula")
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not 1 <= raw <= 2958465 or not float(raw).is_integer():
            raise Refused("imp.r.date_form")
        return EXCEL_EPOCH + timedelta(days=int(raw))
    value = str(raw).strip()
    if not value:
        return None
    if " " in value:  # "1985-02-01 00:00:00", as some exports write a date
        value = value.split(" ", 1)[0]
    for pattern, (y, m, d) in _DATE_FORMATS:
        found = pattern.match(value)
        if found:
            parts = found.groups()
            try:
                return date(int(parts[y - 1]), int(parts[m - 1]), int(parts[d - 1]))
            except ValueError:
                raise Refused("imp.r.date_unreal", value=value) from None
    raise Refused("imp.r.date_form")


def sex(raw: object) -> str | None:
    value = _text(raw)
    if value is None:
        return None
    found = {
        "l": "M",
        "laki-laki": "M",
        "laki laki": "M",
        "pria": "M",
        "m": "M",
        "male": "M",
        "p": "F",
        "perempuan": "F",
        "wanita": "F",
        "f": "F",
        "female": "F",
    }.get(value.lower())
    if found is None:
        raise Refused("imp.r.sex")
    return found


_UNDOTTED_VILLAGE: Final = re.compile(r"^(\d{2})(\d{2})(\d{2})(\d{4})$")
_DOTTED_VILLAGE: Final = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def region(raw: object) -> str | None:
    """A village code, dotted (``32.73.16.1002``) or undotted (``3273161002``); existence is checked later."""
    value = _text(raw)
    if value is None:
        return None
    value = value.replace(" ", "")
    if _DOTTED_VILLAGE.match(value):
        return value
    undotted = _UNDOTTED_VILLAGE.match(value)
    if undotted:
        return ".".join(undotted.groups())
    raise Refused("imp.r.region_form", value=value[:20])


def boolean(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    value = _text(raw)
    if value is None:
        return None
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise Refused("imp.r.bool")


def _bounded(number: float, column: Column) -> None:
    if column.low is not None and number < column.low:
        raise Refused("imp.r.negative" if column.low == 0 else "imp.r.too_small", low=column.low, high=column.high)
    if column.high is not None and number > column.high:
        raise Refused("imp.r.too_large", low=column.low, high=column.high)


def integer(raw: object, column: Column) -> int | None:
    if isinstance(raw, bool):
        raise Refused("imp.r.whole_number")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise Refused("imp.r.whole_number")
        raw = int(raw)
    if isinstance(raw, int):
        number = raw
    else:
        value = _text(raw)
        if value is None:
            return None
        if not re.fullmatch(r"-?\d+", value):
            raise Refused("imp.r.negative" if value.startswith("-") else "imp.r.whole_number")
        number = int(value)
    _bounded(number, column)
    return number


_RUPIAH_DOTS: Final = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?$")
_RUPIAH_COMMAS: Final = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$")


def rupiah(raw: object, column: Column) -> int | None:
    """Rupiah as a whole number: ``1500000``, ``1.500.000``, ``Rp 1.500.000,00``, ``1,500,000``."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if raw < 0:
            raise Refused("imp.r.negative")
        number = round(raw)
    else:
        value = _text(raw)
        if value is None:
            return None
        value = value.replace(" ", "")
        if value.lower().startswith("rp"):
            value = value[2:].lstrip(".")
        if value.startswith("-"):
            raise Refused("imp.r.negative")
        if value.isdigit():
            number = int(value)
        elif _RUPIAH_DOTS.match(value):
            number = int(value.split(",")[0].replace(".", ""))
        elif _RUPIAH_COMMAS.match(value):
            number = int(value.split(".")[0].replace(",", ""))
        else:
            raise Refused("imp.r.rupiah")
    if number > 10**15:
        raise Refused("imp.r.too_large", low=0, high=10**15)
    return number


def decimal_number(raw: object, column: Column) -> float | None:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw)
    else:
        value = _text(raw)
        if value is None:
            return None
        if value.count(",") == 1 and "." not in value:
            value = value.replace(",", ".")  # Indonesian decimal comma
        try:
            number = float(value)
        except ValueError:
            raise Refused("imp.r.number") from None
    if number != number:
        raise Refused("imp.r.number")
    _bounded(number, column)
    return number


def choice(raw: object, column: Column) -> str | None:
    value = _text(raw)
    if value is None:
        return None
    assert column.choices is not None
    found = ENUMS[column.choices].get(value.lower())
    if found is None:
        raise Refused("imp.r.choice", value=value[:40], allowed=ALLOWED[column.choices])
    return found


def choices(raw: object, column: Column) -> list[str] | None:
    value = _text(raw)
    if value is None:
        return []
    assert column.choices is not None
    known = ENUMS[column.choices]
    picked: list[str] = []
    for part in re.split(r"[;,]", value):
        part = part.strip()
        if not part:
            continue
        found = known.get(part.lower())
        if found is None:
            raise Refused("imp.r.choice", value=part[:40], allowed=ALLOWED[column.choices])
        if found not in picked:
            picked.append(found)
    return picked


PARSERS: Final[dict[str, Callable[[object, Column], Any]]] = {
    "text": text,
    "nik": lambda raw, column: nik(raw),
    "date": lambda raw, column: a_date(raw),
    "sex": lambda raw, column: sex(raw),
    "region": lambda raw, column: region(raw),
    "bool": lambda raw, column: boolean(raw),
    "int": integer,
    "rupiah": rupiah,
    "float": decimal_number,
    "enum": choice,
    "enums": choices,
}
