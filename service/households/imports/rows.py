"""One data row of a caseload file, read against the contract: the family, its business, the refusals.

The clear NIK lives only inside ``Reader.read``: it is checked (digits, region, birth date) and
turned into its keyed hash and its mask there; what leaves is ``Row.nik_hash``/``nik_masked``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.protection import mask_nik
from service.households.imports.contract import COLUMNS, Column
from service.households.imports.values import PARSERS, Refused, is_masked, nik_birth


@dataclass
class Problem:
    """Why a row (or one of its cells) is refused: the line, the column as headed in the file, the reason."""

    line: int
    column: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Row:
    line: int
    household: dict[str, Any]
    business: dict[str, Any] | None
    group: str | None
    group_given: bool
    nik_hash: str | None
    nik_masked: str | None
    masked_input: bool
    problems: list[Problem]
    outcome: str = "unchanged"  # set when stored: created, updated or unchanged

    pkh_id: str = ""  # set from household["pkh_id"] when read

    def __post_init__(self) -> None:
        self.pkh_id = str(self.household.get("pkh_id") or "")

    def fingerprint(self) -> int:
        """A hash of the family's own data (not its business): two rows of one family must agree on it."""
        # the household dict's keys come in the layout's order, the same for every row of a file
        return hash((tuple(self.household.values()), self.group, self.nik_hash, self.nik_masked))


CACHED_KINDS = frozenset({"date", "sex", "region", "bool", "int", "rupiah", "enum", "enums"})
"""Kinds whose cells repeat (yes/no, codes, choices, dates): a string read once is remembered."""
CACHE_LIMIT = 200_000
_TARGETS = {"household": 0, "business": 1, "group": 2, "nik": 3}


@dataclass(frozen=True)
class Layout:
    """Which cell holds which column, and the header text of each (for the report)."""

    cells: tuple[tuple[Column, int, str], ...]

    @classmethod
    def of(cls, header: list[object], mapping: dict[str, int]) -> Layout:
        cells = tuple(
            (column, mapping[column.name], str(header[mapping[column.name]]).strip())
            for column in COLUMNS
            if column.name in mapping
        )
        return cls(cells)

    def header_of(self, name: str) -> str:
        for column, _, title in self.cells:
            if column.name == name:
                return title
        return name

    def reader(self) -> Reader:
        return Reader(self)


class Reader:
    """Reads rows of one layout; remembers what repeating cells parse to (one file's worth)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.plan: list[tuple[Any, ...]] = [
            (
                index,
                title,
                PARSERS[column.kind],
                column,
                _TARGETS[column.target],
                column.field,
                {} if column.kind in CACHED_KINDS else None,
                [] if column.kind == "enums" else None,
            )
            for column, index, title in layout.cells
        ]
        self.nik_title = layout.header_of("nik")
        self.sector_title = layout.header_of("business_sector")
        self.required = [(name, layout.header_of(name)) for name in ("pkh_id", "head_name", "village_code")]

    def read(self, line: int, cells: list[object], *, nik_key: bytes) -> Row:
        """Parse a data row; every cell is read, so one pass reports all of a row's problems."""
        household: dict[str, Any] = {}
        business: dict[str, Any] = {}
        problems: list[Problem] = []
        group: str | None = None
        group_given = False
        nik: str | None = None
        width = len(cells)
        for index, title, parse, column, target, name, cache, empty in self.plan:
            raw = cells[index] if index < width else None
            if raw is None:
                value: Any = None if empty is None else []
            elif cache is not None and type(raw) is str and raw in cache:
                value = cache[raw]
            else:
                try:
                    value = parse(raw, column)
                except Refused as refused:
                    problems.append(Problem(line, title, refused.key, refused.params))
                    continue
                if cache is not None and type(raw) is str and len(cache) < CACHE_LIMIT:
                    cache[raw] = value
            if type(value) is list:
                value = list(value)
            if target == 0:
                household[name] = value
            elif target == 1:
                business[name] = value
            elif target == 2:
                group, group_given = value, True
            else:
                nik = value
        for field_name, title in self.required:
            if field_name in household and household[field_name] is None:
                problems.append(Problem(line, title, "imp.r.required"))
        if nik is None and not any(p.column == self.nik_title for p in problems):
            problems.append(Problem(line, self.nik_title, "imp.r.required"))
        digest = masked = None
        masked_input = False
        if nik is not None:
            if is_masked(nik):
                masked, masked_input = nik, True
            else:
                problems.extend(_nik_agrees(line, nik, household, self.nik_title))
                digest, masked = _digest(nik, nik_key), mask_nik(nik)
            nik = None  # the clear number goes no further than this function
        if household.get("pkh_status") is None:
            household.pop("pkh_status", None)
        has_business = business.get("sector") is not None
        sector_title = self.sector_title
        if (
            not has_business
            and any(v not in (None, []) for v in business.values())
            and not any(p.column == sector_title for p in problems)
        ):
            problems.append(Problem(line, sector_title, "imp.r.business_sector"))
        return Row(
            line=line,
            household=household,
            business=business if has_business else None,
            group=group,
            group_given=group_given,
            nik_hash=digest,
            nik_masked=masked,
            masked_input=masked_input,
            problems=problems,
        )


def _digest(nik: str, key: bytes) -> str:
    return hmac.digest(key, nik.encode(), "sha256").hex()


def _nik_agrees(line: int, nik: str, household: dict[str, Any], title: str) -> list[Problem]:
    """The NIK's district digits against the village code, its birth digits against the birth date and sex."""
    found: list[Problem] = []
    village = household.get("village_code")
    if village:
        district = village.replace(".", "")[:6]
        if nik[:6] != district:
            found.append(Problem(line, title, "imp.r.nik_region", {"district": ".".join(village.split(".")[:3])}))
    day, month, year, sex = nik_birth(nik)
    born: date | None = household.get("head_birth_date")
    if not (1 <= day <= 31 and 1 <= month <= 12):
        found.append(Problem(line, title, "imp.r.nik_birth_digits"))
    elif born is not None and (born.day, born.month, born.year % 100) != (day, month, year):
        found.append(Problem(line, title, "imp.r.nik_birth", {"born": born.strftime("%d/%m/%Y")}))
    elif household.get("head_sex") is not None and household["head_sex"] != sex:
        found.append(Problem(line, title, "imp.r.nik_sex"))
    return found
