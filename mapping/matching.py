"""Which programmes a household qualifies for, and why: the single-household evaluator.

Three-valued logic: a criterion on data the household lacks is ``unknown``, not ``fail``.
``all`` passes when every part passes and fails when any part fails; ``any`` passes when any
part passes and fails when all fail; ``not`` swaps pass and fail. A household with several
businesses is judged per business and the best result counts. Every criterion's result carries
the expected and actual values and a one-line message in Bahasa Indonesia or English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Final

from mapping import labels
from models.types import code_within


class Result(StrEnum):
    passed = "pass"
    failed = "fail"
    unknown = "unknown"


class MatchStatus(StrEnum):
    eligible = "eligible"
    unknown = "unknown"
    ineligible = "ineligible"


NO_BUSINESS: Final = object()
"""The value of every ``business.*`` fact for a household without a business: a known absence."""

BUSINESS_FIELDS: Final = (
    "business.sector",
    "business.age_months",
    "business.monthly_revenue",
    "business.workers",
    "business.has_nib",
    "business.has_pirt",
    "business.has_halal",
    "business.needs",
)


@dataclass(frozen=True)
class BusinessFacts:
    """What the rules can ask of one business, already derived (age in months, needs as a set)."""

    business_id: int | None = None
    sector: str | None = None
    age_months: int | None = None
    monthly_revenue: int | None = None
    workers: int | None = None
    has_nib: bool | None = None
    has_pirt: bool | None = None
    has_halal: bool | None = None
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class HouseholdFacts:
    """What the rules can ask of one household, derived at one evaluation date."""

    household_id: int
    village_code: str
    head_age: int | None = None
    head_sex: str | None = None
    pkh_status: str | None = None
    years_in_pkh: int | None = None
    dtsen_decile: int | None = None
    prse: bool | None = None
    disability: bool | None = None
    elderly: bool | None = None
    agreed_to_graduate: bool | None = None
    school_age_children: int | None = None
    completed_programs: frozenset[int] = frozenset()
    businesses: tuple[BusinessFacts, ...] = ()
    latitude: float | None = None
    longitude: float | None = None

    def fact_rows(self) -> list[dict[str, Any]]:
        """One dict of field -> value per business (one row with no business if there is none)."""
        base: dict[str, Any] = {
            "head.age": self.head_age,
            "head.sex": self.head_sex,
            "household.pkh_status": self.pkh_status,
            "household.years_in_pkh": self.years_in_pkh,
            "household.dtsen_decile": self.dtsen_decile,
            "household.prse": self.prse,
            "household.disability": self.disability,
            "household.elderly": self.elderly,
            "household.agreed_to_graduate": self.agreed_to_graduate,
            "household.school_age_children": self.school_age_children,
            "household.region": self.village_code,
            "history.completed_programs": self.completed_programs,
        }
        if not self.businesses:
            row = dict(base)
            row["business.exists"] = False
            row.update(dict.fromkeys(BUSINESS_FIELDS, NO_BUSINESS))
            return [row]
        rows = []
        for b in self.businesses:
            row = dict(base)
            row.update(
                {
                    "business.exists": True,
                    "business.sector": b.sector,
                    "business.age_months": b.age_months,
                    "business.monthly_revenue": b.monthly_revenue,
                    "business.workers": b.workers,
                    "business.has_nib": b.has_nib,
                    "business.has_pirt": b.has_pirt,
                    "business.has_halal": b.has_halal,
                    "business.needs": b.needs,
                }
            )
            rows.append(row)
        return rows


@dataclass(frozen=True)
class ProgramFacts:
    """What reach checks and ranking need of one programme."""

    program_id: int
    name: str
    organization_name: str
    kind: str
    status: str
    organization_verified: bool = False
    eligibility: dict[str, Any] | None = None
    service_area: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    opens_on: date | None = None
    closes_on: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    capacity: int | None = None
    capacity_remaining: int | None = None


@dataclass
class Reason:
    field: str
    op: str
    expected: Any
    actual: Any
    result: Result
    message: str
    path: str = ""  # where the criterion sits in the rule tree ("all[2].any[0]"); "" for reach checks

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "op": self.op,
            "expected": self.expected,
            "actual": self.actual,
            "result": self.result.value,
            "message": self.message,
            "path": self.path,
        }


@dataclass
class Evaluation:
    """The outcome of one programme for one household."""

    program_id: int
    status: MatchStatus
    reasons: list[Reason]
    fails: int
    unknowns: int
    business_id: int | None = None
    out_of_reach: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# --- single criteria ------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if value is NO_BUSINESS:
        return None
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def _expected_text(op: str, value: Any, lang: str, region_names: dict[str, str]) -> str:
    v = labels.value_label
    if op == "eq":
        return v(value, lang)
    if op == "ne":
        return f"{labels.word('not', lang)} {v(value, lang)}"
    if op in ("lt", "le", "gt", "ge"):
        return f"{ {'lt': '<', 'le': '≤', 'gt': '>', 'ge': '≥'}[op] } {v(value, lang)}"
    if op == "between":
        return f"{v(value[0], lang)}–{v(value[1], lang)}"
    if op in ("in", "not_in"):
        key = "any_of" if op == "in" else "none_of"
        return f"{labels.word(key, lang)} {', '.join(v(x, lang) for x in value)}"
    if op == "contains":
        return f"{labels.word('includes', lang)} {v(value, lang)}"
    if op == "within":
        names = [f"{region_names[c]} ({c})" if c in region_names else c for c in value]
        return f"{labels.word('within', lang)} {', '.join(names)}"
    if op == "exists":
        return labels.word("recorded" if value else "not_recorded", lang)
    return str(value)  # pragma: no cover


def _actual_text(field_name: str, actual: Any, lang: str, region_names: dict[str, str]) -> str:
    if isinstance(actual, frozenset | set):
        if not actual:
            return labels.word("none", lang)
        return ", ".join(labels.value_label(x, lang) for x in sorted(actual, key=str))
    if field_name == "household.region" and isinstance(actual, str):
        return f"{region_names[actual]} ({actual})" if actual in region_names else actual
    return labels.value_label(actual, lang)


def criterion_result(op: str, expected: Any, actual: Any) -> Result:
    """Three-valued result of one criterion."""
    if op == "exists":
        present = actual is not None and actual is not NO_BUSINESS
        return Result.passed if present == bool(expected) else Result.failed
    if actual is NO_BUSINESS:
        return Result.failed
    if actual is None:
        return Result.unknown
    if op == "eq":
        ok = actual == expected
    elif op == "ne":
        ok = actual != expected
    elif op == "lt":
        ok = actual < expected
    elif op == "le":
        ok = actual <= expected
    elif op == "gt":
        ok = actual > expected
    elif op == "ge":
        ok = actual >= expected
    elif op == "between":
        ok = expected[0] <= actual <= expected[1]
    elif op == "in":
        ok = actual in expected
    elif op == "not_in":
        ok = actual not in expected
    elif op == "contains":
        ok = expected in actual
    elif op == "within":
        ok = any(code_within(actual, code) for code in expected)
    else:  # pragma: no cover - the rule validator admits no other operator
        raise ValueError(f"unknown operator {op!r}")
    return Result.passed if ok else Result.failed


def explain(
    field_name: str,
    op: str,
    expected: Any,
    actual: Any,
    result: Result,
    lang: str,
    region_names: dict[str, str] | None = None,
    program_names: dict[int, str] | None = None,
    *,
    negated: bool = False,
) -> Reason:
    """The reason record of one criterion, with its one-line message.

    ``region_names`` and ``program_names`` turn region codes and programme ids into names. A
    criterion under a ``not`` is reported as it counts for the family: its result is swapped
    and the message says what the programme rules out.
    """
    names = region_names or {}
    label = labels.field_label(field_name, lang)
    shown_expected, shown_actual = expected, actual
    if field_name == "history.completed_programs" and program_names is not None:
        shown_expected = program_names.get(expected, expected) if op == "contains" else expected
        if isinstance(actual, frozenset | set):
            shown_actual = frozenset(program_names.get(x, str(x)) for x in actual)
    if op in ("eq", "ne") and isinstance(expected, bool):
        # "has a halal certificate: no, asks: no" reads better than "asks: not yes".
        op_shown, shown_expected = "eq", expected if (op == "eq") != negated else not expected
        negate_text = False
    else:
        op_shown, negate_text = op, negated
    if result is Result.unknown:
        message = f"{labels.word('no_data', lang)} {label[0].lower()}{label[1:]}: {labels.question(field_name, lang)}"
    elif actual is NO_BUSINESS:
        message = f"{label}: {labels.word('no_business', lang)}"
    else:
        shown = actual if op != "exists" else (actual is not None and actual is not NO_BUSINESS)
        actual_text = (
            labels.word("recorded" if shown else "not_recorded", lang)
            if op == "exists"
            else _actual_text(field_name, shown_actual, lang, names)
        )
        expected_text = _expected_text(op_shown, shown_expected, lang, names)
        if negate_text:
            expected_text = f"{labels.word('not', lang)} {expected_text}"
        message = f"{label} {actual_text}, {labels.word('asks', lang)} {expected_text}"
    if negated and result is not Result.unknown:
        result = Result.failed if result is Result.passed else Result.passed
    return Reason(field_name, op, expected, _json_value(actual), result, message)


# --- rule trees ---------------------------------------------------------------------------------


def evaluate_rule(
    rule: dict[str, Any] | None,
    facts: dict[str, Any],
    *,
    lang: str = "id",
    region_names: dict[str, str] | None = None,
    program_names: dict[int, str] | None = None,
) -> tuple[Result, list[Reason], int, int]:
    """Evaluate a rule tree on one fact row.

    Returns
    -------
    (result, reasons, fails, unknowns)
        ``reasons`` lists every criterion in tree order; ``fails`` and ``unknowns`` count the
        criteria that stand between the household and a pass (for an ``any`` group, those of
        its easiest branch), which ranks near misses.
    """
    reasons: list[Reason] = []

    def walk(node: dict[str, Any], path: str = "", negated: bool = False) -> tuple[Result, int, int]:
        if "all" in node:
            parts = [walk(child, f"{path}.all[{i}]", negated) for i, child in enumerate(node["all"])]
            results = [p[0] for p in parts]
            if Result.failed in results:
                res = Result.failed
            elif Result.unknown in results:
                res = Result.unknown
            else:
                res = Result.passed
            return res, sum(p[1] for p in parts), sum(p[2] for p in parts)
        if "any" in node:
            parts = [walk(child, f"{path}.any[{i}]", negated) for i, child in enumerate(node["any"])]
            results = [p[0] for p in parts]
            if Result.passed in results:
                return Result.passed, 0, 0
            res = Result.unknown if Result.unknown in results else Result.failed
            best = min(parts, key=lambda p: (p[1], p[2]))
            return res, best[1], best[2]
        if "not" in node:
            inner, _, _ = walk(node["not"], f"{path}.not", not negated)
            if inner is Result.passed:
                return Result.failed, 1, 0
            if inner is Result.failed:
                return Result.passed, 0, 0
            return Result.unknown, 0, 1
        name, op, expected = node["field"], node["op"], node.get("value")
        actual = facts.get(name)
        res = criterion_result(op, expected, actual)
        reason = explain(name, op, expected, actual, res, lang, region_names, program_names, negated=negated)
        reason.path = path.removeprefix(".")
        reasons.append(reason)
        return res, int(res is Result.failed), int(res is Result.unknown)

    if not rule:
        return Result.passed, [], 0, 0
    result, fails, unknowns = walk(rule)
    if result is Result.passed:
        fails = unknowns = 0
    return result, reasons, fails, unknowns


# --- reach: status, window, validity, capacity, service area ------------------------------------


def reach_reasons(
    program: ProgramFacts, village_code: str, today: date, lang: str = "id", region_names: dict[str, str] | None = None
) -> list[Reason]:
    """Why a programme is out of reach for a household in ``village_code`` today (empty: in reach)."""
    out: list[Reason] = []

    def add(field_name: str, key: str, expected: Any, actual: Any, **fmt: Any) -> None:
        pair = labels.WORDS[key]
        text = (pair[1] if lang == "en" else pair[0]).format(**fmt)
        out.append(Reason(field_name, "eq", expected, actual, Result.failed, text))

    if program.status != "active":
        add("program.status", "program_not_active", "active", program.status, status=program.status)
    # (field, message, date, whether today must not be after it (True) or before it (False))
    dated = (
        ("program.window", "window_not_open", program.opens_on, False),
        ("program.window", "window_closed", program.closes_on, True),
        ("program.validity", "not_valid_yet", program.valid_from, False),
        ("program.validity", "not_valid_anymore", program.valid_to, True),
    )
    for field_name, key, day, is_end in dated:
        if day is not None and (today > day if is_end else today < day):
            add(field_name, key, day.isoformat(), today.isoformat(), date=day.isoformat())
    if program.capacity_remaining is not None and program.capacity_remaining <= 0:
        add("program.capacity", "capacity_full", "> 0", program.capacity_remaining)
    if program.service_area and not any(code_within(village_code, c) for c in program.service_area):
        names = region_names or {}
        village = f"{names[village_code]} ({village_code})" if village_code in names else village_code
        add("program.service_area", "outside_area", list(program.service_area), village_code, village=village)
    for reason in out:
        if reason.field == "program.service_area":
            reason.op = "within"
    return out


def evaluate_program(
    household: HouseholdFacts,
    program: ProgramFacts,
    *,
    today: date,
    lang: str = "id",
    region_names: dict[str, str] | None = None,
    program_names: dict[int, str] | None = None,
) -> Evaluation:
    """The household's status for one programme: reach first, then the rule, best business wins."""
    out_of_reach = reach_reasons(program, household.village_code, today, lang, region_names)
    best: tuple[tuple[int, int, int], Result, list[Reason], int, int, int | None] | None = None
    rows = household.fact_rows()
    for i, facts in enumerate(rows):
        result, reasons, fails, unknowns = evaluate_rule(
            program.eligibility, facts, lang=lang, region_names=region_names, program_names=program_names
        )
        rank = {Result.passed: 0, Result.unknown: 1, Result.failed: 2}[result]
        key = (rank, fails if result is Result.failed else unknowns, fails)
        business_id = household.businesses[i].business_id if household.businesses else None
        if best is None or key < best[0]:
            best = (key, result, reasons, fails, unknowns, business_id)
    assert best is not None
    _, result, reasons, fails, unknowns, business_id = best
    if not program.eligibility:
        pair = labels.WORDS["open_to_all"]
        reasons = [
            Reason("program.eligibility", "exists", None, None, Result.passed, pair[1] if lang == "en" else pair[0])
        ]
    if out_of_reach:
        return Evaluation(
            program.program_id,
            MatchStatus.ineligible,
            out_of_reach + reasons,
            fails + len(out_of_reach),
            unknowns,
            business_id,
            out_of_reach=True,
        )
    status = {
        Result.passed: MatchStatus.eligible,
        Result.unknown: MatchStatus.unknown,
        Result.failed: MatchStatus.ineligible,
    }[result]
    return Evaluation(program.program_id, status, reasons, fails, unknowns, business_id)
