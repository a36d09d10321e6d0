"""The Jejaring profile of HSDS 3.0: its version, the status words, the region list it names, and
the two small helpers every record writer shares (a word in the reader's language, a number as
JSON writes it)."""

from __future__ import annotations

import re

from models.organizations import ProgramStatus
from models.types import REGION_CODE_PATTERN

HSDS_VERSION = "3.0"

PUBLISHED = (ProgramStatus.active, ProgramStatus.paused)
STATUS_OUT = {ProgramStatus.active: "active", ProgramStatus.paused: "temporarily closed"}
STATUS_IN = {
    "active": ProgramStatus.active,
    "temporarily closed": ProgramStatus.paused,
    "inactive": ProgramStatus.closed,
    "defunct": ProgramStatus.closed,
}
REGION_SOURCE = "idn-area-data 3.1.2 (Kemendagri region codes and names), Open Database License 1.0"
REGION_RE = re.compile(REGION_CODE_PATTERN)


def pick(pair: tuple[str, str], lang: str) -> str:
    """The English word of an (Indonesian, English) pair when ``lang`` is ``en``, else the Indonesian."""
    return pair[1] if lang == "en" else pair[0]


def as_number(value: float) -> int | float:
    """``value`` as an int when it is whole (``3.0`` -> ``3``)."""
    return int(value) if float(value).is_integer() else value
