"""Eligibility rules as data: the field catalogue and the validator of a rule tree.

A rule is a JSON tree of ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": {...}}`` and
criteria ``{"field": ..., "op": ..., "value": ...}``. Validation checks every field name,
that the operator fits the field's type and that the value fits the operator, and names
the path of the first fault inside the tree (``eligibility.all[2].value``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator

from models.types import MAX_ID, REGION_CODE_PATTERN


class FieldType(StrEnum):
    number = "number"
    boolean = "boolean"
    choice = "choice"
    choice_set = "choice_set"
    id_set = "id_set"
    region = "region"


OPERATORS_BY_TYPE: dict[FieldType, tuple[str, ...]] = {
    FieldType.number: ("eq", "ne", "lt", "le", "gt", "ge", "between", "in", "not_in", "exists"),
    FieldType.boolean: ("eq", "ne", "exists"),
    FieldType.choice: ("eq", "ne", "in", "not_in", "exists"),
    FieldType.choice_set: ("contains", "exists"),
    FieldType.id_set: ("contains", "exists"),
    FieldType.region: ("within", "exists"),
}
ALL_OPERATORS = (
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "between",
    "in",
    "not_in",
    "contains",
    "within",
    "exists",
)


@dataclass(frozen=True)
class RuleField:
    name: str
    type: FieldType
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


PKH_STATUSES = ("active", "graduated_natural", "graduated_self_sufficient", "exited")
SECTORS = (
    "culinary",
    "fashion",
    "craft",
    "agriculture",
    "livestock",
    "fishery",
    "retail",
    "services",
    "other",
)
NEEDS = ("capital", "training", "marketing", "certification", "equipment", "mentoring")

RULE_FIELDS: dict[str, RuleField] = {
    f.name: f
    for f in (
        RuleField("head.age", FieldType.number, minimum=0, maximum=130),
        RuleField("head.sex", FieldType.choice, choices=("F", "M")),
        RuleField("household.pkh_status", FieldType.choice, choices=PKH_STATUSES),
        RuleField("household.years_in_pkh", FieldType.number, minimum=0, maximum=100),
        RuleField("household.dtsen_decile", FieldType.number, minimum=1, maximum=10),
        RuleField("household.prse", FieldType.boolean),
        RuleField("household.disability", FieldType.boolean),
        RuleField("household.elderly", FieldType.boolean),
        RuleField("household.agreed_to_graduate", FieldType.boolean),
        RuleField("household.school_age_children", FieldType.number, minimum=0, maximum=30),
        RuleField("household.region", FieldType.region),
        RuleField("business.exists", FieldType.boolean),
        RuleField("business.sector", FieldType.choice, choices=SECTORS),
        RuleField("business.age_months", FieldType.number, minimum=0, maximum=1200),
        RuleField("business.monthly_revenue", FieldType.number, minimum=0, maximum=1_000_000_000_000),
        RuleField("business.workers", FieldType.number, minimum=0, maximum=1000),
        RuleField("business.has_nib", FieldType.boolean),
        RuleField("business.has_pirt", FieldType.boolean),
        RuleField("business.has_halal", FieldType.boolean),
        RuleField("business.needs", FieldType.choice_set, choices=NEEDS),
        RuleField("history.completed_programs", FieldType.id_set),
    )
}

_GROUP_KEYS = ("all", "any", "not")
MAX_RULE_DEPTH = 12
"""How deep groups (all, any, not) may nest; real rules use three or four levels."""
MAX_RULE_CRITERIA = 200
"""How many criteria one rule may hold."""
MAX_RULE_VALUES = 500
"""How many values one criterion's list (in, not_in, within) may hold."""


class RuleError(ValueError):
    """A rule tree that does not validate; ``path`` points inside the tree."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_scalar(field: RuleField, value: Any, path: str) -> Any:
    if field.type is FieldType.number:
        if not _is_number(value):
            raise RuleError(path, f"{field.name} needs a number, got {value!r}")
        if field.minimum is not None and value < field.minimum:
            raise RuleError(path, f"{field.name} cannot be below {field.minimum:g}")
        if field.maximum is not None and value > field.maximum:
            raise RuleError(path, f"{field.name} cannot be above {field.maximum:g}")
        return value
    if field.type is FieldType.boolean:
        if not isinstance(value, bool):
            raise RuleError(path, f"{field.name} needs true or false, got {value!r}")
        return value
    if field.type in (FieldType.choice, FieldType.choice_set):
        if value not in field.choices:
            raise RuleError(path, f"{field.name} takes one of {', '.join(field.choices)}; got {value!r}")
        return value
    if field.type is FieldType.id_set:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
            raise RuleError(path, f"{field.name} needs a programme id, got {value!r}")
        return value
    raise RuleError(path, f"{field.name} takes no single value")  # pragma: no cover


def _check_criterion(node: dict[str, Any], path: str) -> dict[str, Any]:
    extra = set(node) - {"field", "op", "value"}
    if extra:
        raise RuleError(path, f"unexpected keys {sorted(extra)}; a criterion has field, op, value")
    name = node.get("field")
    if name not in RULE_FIELDS:
        raise RuleError(
            f"{path}.field",
            f"unknown field {name!r}; known fields: {', '.join(RULE_FIELDS)}",
        )
    field = RULE_FIELDS[name]
    op = node.get("op")
    allowed = OPERATORS_BY_TYPE[field.type]
    if op not in allowed:
        raise RuleError(
            f"{path}.op",
            f"operator {op!r} does not fit {name} ({field.type.value}); use one of {', '.join(allowed)}",
        )
    vpath = f"{path}.value"
    value = node.get("value")
    if op == "exists":
        if value is None:
            value = True
        if not isinstance(value, bool):
            raise RuleError(vpath, "exists takes true or false")
    elif op == "between":
        if not isinstance(value, list) or len(value) != 2 or not all(_is_number(v) for v in value):
            raise RuleError(vpath, "between needs two numbers [low, high]")
        lo, hi = (_check_scalar(field, v, vpath) for v in value)
        if lo > hi:
            raise RuleError(vpath, f"between needs low <= high, got [{lo:g}, {hi:g}]")
        value = [lo, hi]
    elif isinstance(value, list) and len(value) > MAX_RULE_VALUES:
        raise RuleError(vpath, f"a criterion lists at most {MAX_RULE_VALUES} values")
    elif op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise RuleError(vpath, f"{op} needs a non-empty list of values")
        value = [_check_scalar(field, v, f"{vpath}[{i}]") for i, v in enumerate(value)]
    elif op == "within":
        if not isinstance(value, list) or not value:
            raise RuleError(vpath, "within needs a non-empty list of region codes")
        for i, code in enumerate(value):
            if not isinstance(code, str) or not re.fullmatch(REGION_CODE_PATTERN, code):
                raise RuleError(f"{vpath}[{i}]", f"{code!r} is not a region code like 32.73.16")
    else:
        value = _check_scalar(field, value, vpath)
    return {"field": name, "op": op, "value": value}


@dataclass
class _Budget:
    """What is left of a rule's allowance of criteria while it is checked."""

    criteria: int = MAX_RULE_CRITERIA


def _check_node(node: Any, path: str, depth: int, budget: _Budget) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise RuleError(path, "a rule is an object: all, any, not, or field/op/value")
    groups = [k for k in _GROUP_KEYS if k in node]
    if not groups:
        budget.criteria -= 1
        if budget.criteria < 0:
            raise RuleError(path, f"a rule holds at most {MAX_RULE_CRITERIA} criteria")
        return _check_criterion(node, path)
    if len(node) != 1:
        raise RuleError(path, f"a group holds one key ({' or '.join(_GROUP_KEYS)}) and nothing else")
    if depth >= MAX_RULE_DEPTH:
        raise RuleError(path, f"groups (all, any, not) nest at most {MAX_RULE_DEPTH} deep")
    key = groups[0]
    inner = node[key]
    if key == "not":
        return {"not": _check_node(inner, f"{path}.not", depth + 1, budget)}
    if not isinstance(inner, list) or not inner:
        raise RuleError(f"{path}.{key}", f"{key} needs a non-empty list of rules")
    if len(inner) > MAX_RULE_CRITERIA:
        raise RuleError(f"{path}.{key}", f"a rule holds at most {MAX_RULE_CRITERIA} criteria")
    return {key: [_check_node(child, f"{path}.{key}[{i}]", depth + 1, budget) for i, child in enumerate(inner)]}


def validate_rule_tree(tree: dict[str, Any] | None, *, root: str = "eligibility") -> dict[str, Any] | None:
    """Return the normalised rule tree, or raise ``RuleError`` naming the faulty path."""
    if tree is None or tree == {}:
        return None
    return _check_node(tree, root, 0, _Budget())


def criteria(tree: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """Every criterion (leaf) of a validated rule tree, in tree order."""
    if not tree:
        return
    if "field" in tree:
        yield tree
    for key in ("all", "any"):
        for child in tree.get(key, []):
            yield from criteria(child)
    if "not" in tree:
        yield from criteria(tree["not"])


def rule_fields_in(tree: dict[str, Any] | None) -> list[str]:
    """Return the field names a rule tree uses, in order of first use."""
    return list(dict.fromkeys(c["field"] for c in criteria(tree)))


def region_codes_in(tree: dict[str, Any] | None) -> list[str]:
    """Return every region code a ``within`` criterion names, for existence checks."""
    return [code for c in criteria(tree) if c["op"] == "within" for code in c["value"]]


def program_ids_in(tree: dict[str, Any] | None) -> list[int]:
    """Return the programme ids that ``history.completed_programs`` criteria name."""
    return [c["value"] for c in criteria(tree) if c["field"] == "history.completed_programs" and c["op"] == "contains"]


EligibilityRule = Annotated[dict[str, Any] | None, AfterValidator(validate_rule_tree)]
"""A rule tree validated on write; ``None`` or ``{}`` means open to every household."""
