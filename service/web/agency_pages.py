"""Agency staff's pages: their organisation's programmes (``/lembaga/program``), the programme
form with the eligibility rule builder (``/lembaga/program/baru``, ``/lembaga/program/{id}``),
its live preview (``/lembaga/program/pratinjau``) and the demand in their area
(``/lembaga/permintaan``).

The rule builder edits the eligibility tree as rows of criteria in groups, without JSON. It
works without JavaScript: its buttons post the whole form with ``action=add_row:r.1``,
``remove:r.0``, ``add_group:r`` and the page comes back with every entered value kept;
``static/rule-builder.js`` does the same in the page and asks for the preview as you type.
Writes go through ``service.catalog`` like the API (staff programmes start as drafts, every
change is a revision); every form carries the session's CSRF token.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select
from starlette.datastructures import FormData

from mapping import labels
from mapping.privacy import MIN_HOUSEHOLDS as SMALL_COUNT
from models.eligibility import OPERATORS_BY_TYPE, RULE_FIELDS, SECTORS, FieldType, RuleError, validate_rule_tree
from models.organizations import (
    CapacityUnit,
    Location,
    Organization,
    Program,
    ProgramCreate,
    ProgramKind,
    ProgramPublic,
    ProgramStatus,
    ProgramUpdate,
)
from models.regions import Region
from models.types import REGION_CODE_PATTERN
from models.users import Role, User
from service import catalog as svc
from service.core.regions import region_names
from service.core.scope import Scope
from service.deps import SESSION_COOKIE, SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from service.i18n import translator
from service.matching import demand_by_village, preview_counts
from service.matching.schemas import PreviewRequest
from service.settings import Settings
from service.web.kit import Viewer, csrf_ok, decimal, error_page, render, rupiah, short_date, signed_in

router = APIRouter(include_in_schema=False)

AGENCY_ROLES = (Role.agency_staff, Role.admin)
MAX_CODES = 500
MAX_RULE_NODES = 40
REVISIONS_SHOWN = 30
_DIGITS = re.compile(r"[0-9]{1,9}")
_CODE = re.compile(REGION_CODE_PATTERN)
_SPLIT = re.compile(r"[\s,;]+")
_WHOLE = re.compile(r"\d+|\d{1,3}(?:[.,]\d{3})+")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")
_RULE_PATH = re.compile(r"r(?:\.\d{1,2}){0,3}")

TEXT_FIELDS = ("name", "description", "source_url")
WHOLE_FIELDS = ("benefit_min", "benefit_max", "capacity", "capacity_remaining")
DATE_FIELDS = ("opens_on", "closes_on", "valid_from", "valid_to")
SIMPLE_FIELDS = (
    "name",
    "kind",
    "description",
    "benefit_min",
    "benefit_max",
    "interest_rate",
    "capacity",
    "capacity_remaining",
    "capacity_unit",
    "opens_on",
    "closes_on",
    "valid_from",
    "valid_to",
    "source_url",
    "service_area",
)
RANGES = (
    ("benefit_min", "benefit_max"),
    ("opens_on", "closes_on"),
    ("valid_from", "valid_to"),
    ("capacity_remaining", "capacity"),
)
EMPTY: tuple[Any, ...] = (None, "", [], {})
SAVE_ACTIONS = {"draft": ProgramStatus.draft, "publish": ProgramStatus.active, "save_status": None}


# --- the rule builder: form fields <-> eligibility tree -------------------------------------------

JOINS = ("all", "any", "none", "not_all")
DEFAULT_OP = {
    FieldType.number: "ge",
    FieldType.boolean: "eq",
    FieldType.choice: "eq",
    FieldType.choice_set: "contains",
    FieldType.id_set: "contains",
    FieldType.region: "within",
}
FIELD_GROUPS = (
    ("head", "ag.fg.head"),
    ("household", "ag.fg.household"),
    ("business", "ag.fg.business"),
    ("history", "ag.fg.history"),
)


def widget_of(ftype: str, op: str) -> str:
    """Which value input fits a field type and operator (the same choice as rule-builder.js)."""
    if op == "exists":
        return "exists"
    if op == "between":
        return "between"
    if ftype == FieldType.number:
        return "numbers" if op in ("in", "not_in") else "number"
    if ftype == FieldType.boolean:
        return "bool"
    if ftype == FieldType.choice:
        return "multi" if op in ("in", "not_in") else "choice"
    if ftype == FieldType.choice_set:
        return "choice"
    if ftype == FieldType.id_set:
        return "id"
    if ftype == FieldType.region:
        return "regions"
    return "text"


@dataclass
class Criterion:
    """One row of the builder: raw text as typed, so that a re-rendered form shows it unchanged."""

    path: str
    field: str
    op: str
    value: str = ""
    value2: str = ""
    values: list[str] = dataclasses.field(default_factory=list)
    error: str | None = None
    is_group: ClassVar[bool] = False

    @property
    def ftype(self) -> str:
        f = RULE_FIELDS.get(self.field)
        return f.type.value if f else ""

    @property
    def ops(self) -> tuple[str, ...]:
        f = RULE_FIELDS.get(self.field)
        return OPERATORS_BY_TYPE[f.type] if f else ()

    @property
    def widget(self) -> str:
        return widget_of(self.ftype, self.op)

    @property
    def dom_id(self) -> str:
        return self.path.replace(".", "-")


@dataclass
class Group:
    path: str
    join: str = "all"
    items: list[Criterion | Group] = dataclasses.field(default_factory=list)
    error: str | None = None
    is_group: ClassVar[bool] = True

    @property
    def dom_id(self) -> str:
        return self.path.replace(".", "-")

    @property
    def depth(self) -> int:
        return self.path.count(".")


def new_criterion(path: str, name: str) -> Criterion:
    f = RULE_FIELDS[name]
    value = ""
    if f.type is FieldType.boolean:
        value = "true"
    elif f.choices:
        value = f.choices[0]
    return Criterion(path, name, DEFAULT_OP[f.type], value)


def _fmt_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _criterion_from(node: dict[str, Any]) -> Criterion:
    name, op, value = node.get("field", ""), node.get("op", ""), node.get("value")
    f = RULE_FIELDS.get(name)
    c = Criterion("", name, op)
    if op == "between" and isinstance(value, list) and len(value) == 2:
        c.value, c.value2 = _fmt_number(value[0]), _fmt_number(value[1])
    elif op in ("in", "not_in") and isinstance(value, list):
        if f is not None and f.type is FieldType.choice:
            c.values = [str(v) for v in value]
        else:
            c.value = ", ".join(_fmt_number(v) for v in value)
    elif op == "within" and isinstance(value, list):
        c.value = ", ".join(str(v) for v in value)
    elif isinstance(value, bool):
        c.value = "true" if value else "false"
    elif value is None:
        c.value = "true" if op == "exists" else ""
    else:
        c.value = _fmt_number(value)
    return c


def _node_from(node: dict[str, Any]) -> Criterion | Group:
    if "field" in node:
        return _criterion_from(node)
    for key in ("all", "any"):
        if key in node:
            return Group("", key, [_node_from(child) for child in node[key]])
    inner = node.get("not", {})
    if "any" in inner:
        return Group("", "none", [_node_from(child) for child in inner["any"]])
    if "all" in inner:
        return Group("", "not_all", [_node_from(child) for child in inner["all"]])
    return Group("", "none", [_node_from(inner)])


def renumber(group: Group, path: str = "r") -> Group:
    group.path = path
    for i, item in enumerate(group.items):
        if isinstance(item, Group):
            renumber(item, f"{path}.{i}")
        else:
            item.path = f"{path}.{i}"
    return group


def builder_from_tree(tree: dict[str, Any] | None) -> Group:
    """The builder's rows for a stored rule tree (an empty ``all`` group when it has none)."""
    if not tree:
        return Group("r")
    node = _node_from(tree)
    root = node if isinstance(node, Group) else Group("r", "all", [node])
    return renumber(root)


def builder_from_form(form: FormData) -> Group:
    """The builder as posted: ``g:<path>`` is a group's join, ``f:/o:/v:/w:/m:<path>`` a criterion."""
    groups, criteria = set(), set()
    for key in form:
        kind, _, path = key.partition(":")
        if _RULE_PATH.fullmatch(path):
            if kind == "g":
                groups.add(path)
            elif kind == "f":
                criteria.add(path)
    if "r" not in groups:
        return Group("r")
    budget = [MAX_RULE_NODES]

    def children(path: str) -> list[str]:
        depth = path.count(".") + 1
        kids = {p for p in groups | criteria if p.startswith(path + ".") and p.count(".") == depth}
        return sorted(kids, key=lambda p: int(p.rsplit(".", 1)[1]))

    def build(path: str) -> Criterion | Group | None:
        budget[0] -= 1
        if budget[0] < 0:
            return None
        if path in groups:
            join = str(form.get(f"g:{path}", "all"))
            items = [n for n in (build(p) for p in children(path)) if n is not None]
            return Group(path, join if join in JOINS else "all", items)
        return Criterion(
            path,
            str(form.get(f"f:{path}", "")),
            str(form.get(f"o:{path}", "")),
            str(form.get(f"v:{path}", "")).strip(),
            str(form.get(f"w:{path}", "")).strip(),
            [str(v) for v in form.getlist(f"m:{path}")],
        )

    root = build("r")
    assert isinstance(root, Group)
    return root


def find(group: Group, path: str) -> Criterion | Group | None:
    if group.path == path:
        return group
    for item in group.items:
        if item.path == path:
            return item
        if isinstance(item, Group) and path.startswith(item.path + "."):
            return find(item, path)
    return None


def _parent(root: Group, path: str) -> Group | None:
    parent = find(root, path.rsplit(".", 1)[0]) if "." in path else None
    return parent if isinstance(parent, Group) else None


def apply_builder_action(root: Group, action: str, arg: str, form: FormData) -> None:
    """``add_row``, ``remove`` or ``add_group`` at the path ``arg``; anything else changes nothing."""
    if action == "add_row":
        group = find(root, arg)
        name = str(form.get(f"add:{arg}", ""))
        if isinstance(group, Group) and name in RULE_FIELDS and _count(root) < MAX_RULE_NODES:
            group.items.append(new_criterion(f"{arg}.{len(group.items)}", name))
    elif action == "remove":
        parent = _parent(root, arg)
        if parent is not None:
            parent.items = [i for i in parent.items if i.path != arg]
    elif action == "add_group":
        group = find(root, arg)
        if isinstance(group, Group) and group.depth < 2 and _count(root) < MAX_RULE_NODES:
            group.items.append(Group(f"{arg}.{len(group.items)}", "any"))
    renumber(root)


def _count(group: Group) -> int:
    return sum(1 + (_count(i) if isinstance(i, Group) else 0) for i in group.items)


def _has_criteria(group: Group) -> bool:
    return any(_has_criteria(i) if isinstance(i, Group) else True for i in group.items)


def _number(text: str) -> Any:
    """A number typed in a rule row; anything else goes to the validator as typed (it says why)."""
    candidate = text.strip()
    if re.fullmatch(r"-?\d+", candidate):
        return int(candidate)
    if re.fullmatch(r"-?\d+[.,]\d+", candidate):
        return float(candidate.replace(",", "."))
    return candidate or None


def _boolean(text: str) -> Any:
    return {"true": True, "false": False}.get(text, text or None)


def _criterion_json(c: Criterion) -> dict[str, Any]:
    f = RULE_FIELDS.get(c.field)
    value: Any
    if f is None:
        value = c.value or None
    elif c.op == "exists":
        value = _boolean(c.value or "true")
    elif c.op == "between":
        value = [_number(c.value), _number(c.value2)]
    elif c.op in ("in", "not_in"):
        value = list(c.values) if f.type is FieldType.choice else [_number(v) for v in _SPLIT.split(c.value) if v]
    elif c.op == "within":
        value = [v for v in _SPLIT.split(c.value) if v]
    elif f.type is FieldType.boolean:
        value = _boolean(c.value)
    elif f.type in (FieldType.number, FieldType.id_set):
        value = _number(c.value)
    else:
        value = c.value or None
    return {"field": c.field, "op": c.op, "value": value}


def tree_of(root: Group) -> tuple[dict[str, Any] | None, dict[str, Criterion | Group]]:
    """The rule tree the builder describes, and where each row sits in it (``eligibility.all[1]``).

    Groups without a criterion are left out; no criterion at all means open to every household.
    """
    where: dict[str, Criterion | Group] = {}

    def node(n: Criterion | Group, path: str) -> dict[str, Any]:
        where[path] = n
        if isinstance(n, Criterion):
            return _criterion_json(n)
        kids = [k for k in n.items if not isinstance(k, Group) or _has_criteria(k)]
        if n.join in ("all", "any"):
            return {n.join: [node(k, f"{path}.{n.join}[{i}]") for i, k in enumerate(kids)]}
        if len(kids) == 1:
            return {"not": node(kids[0], f"{path}.not")}
        inner = "any" if n.join == "none" else "all"
        return {"not": {inner: [node(k, f"{path}.not.{inner}[{i}]") for i, k in enumerate(kids)]}}

    if not _has_criteria(root):
        return None, {}
    return node(root, "eligibility"), where


def mark_ruleerror_page(where: dict[str, Criterion | Group], path: str, message: str) -> None:
    """Show ``message`` at the deepest row or group whose place in the tree ``path`` falls in."""
    best = ""
    for candidate in where:
        if path == candidate or path.startswith((candidate + ".", candidate + "[")):
            best = candidate if len(candidate) > len(best) else best
    if best:
        where[best].error = message


def canonical(node: Any) -> Any:
    """A rule tree with one-child ``all``/``any`` groups unwrapped: equal trees mean the same rule."""
    if not isinstance(node, dict) or not node:
        return None if node in (None, {}) else node
    if "field" in node:
        return node
    if "not" in node:
        return {"not": canonical(node["not"])}
    key = "all" if "all" in node else "any"
    kids = [canonical(k) for k in node.get(key, [])]
    return kids[0] if len(kids) == 1 else {key: kids}


def normalise_for_display(group: Group) -> None:
    """A row whose operator does not fit its field (changed without JavaScript) gets the field's default."""
    for item in group.items:
        if isinstance(item, Group):
            normalise_for_display(item)
        elif item.field in RULE_FIELDS and item.op not in item.ops:
            item.op = DEFAULT_OP[RULE_FIELDS[item.field].type]


def rule_catalog(lang: str) -> dict[str, Any]:
    """Fields, operators and words of the builder, for the page and for rule-builder.js."""
    t = translator(lang)
    fields = {
        name: {
            "label": labels.field_label(name, lang),
            "type": f.type.value,
            "ops": list(OPERATORS_BY_TYPE[f.type]),
            "default_op": DEFAULT_OP[f.type],
            "choices": [[c, labels.value_label(c, lang)] for c in f.choices],
            "min": f.minimum,
            "max": f.maximum,
        }
        for name, f in RULE_FIELDS.items()
    }
    ops = {op: t(f"ag.op.{op}") for ops in OPERATORS_BY_TYPE.values() for op in ops}
    words = {
        key: t(f"ag.rb.{key}")
        for key in ("yes", "no", "recorded", "not_recorded", "value", "low", "high", "numbers_hint", "codes_hint")
    }
    words.update(
        field=t("ag.rb.field"),
        op=t("ag.rb.op"),
        remove=t("ag.rb.remove"),
        remove_group=t("ag.rb.remove_group"),
        add_row=t("ag.rb.add_row"),
        new_row=t("ag.rb.new_row"),
        join=t("ag.rb.join"),
        group=t("ag.rb.group"),
        join_all=t("ag.join.all"),
        join_any=t("ag.join.any"),
        counting=t("ag.preview.counting"),
    )
    return {"fields": fields, "ops": ops, "words": words}


def field_options(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The rule fields for a select, grouped (head, household, business, history)."""
    t = translator(lang)
    return [
        (t(key), [(name, labels.field_label(name, lang)) for name in RULE_FIELDS if name.startswith(prefix + ".")])
        for prefix, key in FIELD_GROUPS
    ]


def rule_words(tree: dict[str, Any] | None, lang: str) -> str:
    """A rule in words: ``Semua syarat: Terdaftar PRSE sama dengan ya; …``."""
    t = translator(lang)
    if not tree:
        return labels.word("open_to_all", lang)

    def value_text(field_name: str, op: str, value: Any) -> str:
        if op == "exists":
            return t("ag.rb.recorded" if value is not False else "ag.rb.not_recorded")
        if op == "between" and isinstance(value, list):
            return "–".join(labels.value_label(v, lang) for v in value)
        if isinstance(value, list):
            return ", ".join(labels.value_label(v, lang) for v in value)
        return labels.value_label(value, lang)

    def words(node: dict[str, Any], nested: bool) -> str:
        if "field" in node:
            label = labels.field_label(node["field"], lang)
            if node["op"] == "exists":
                return f"{label}: {value_text(node['field'], 'exists', node.get('value'))}"
            return f"{label} {t('ag.op.' + node['op'])} {value_text(node['field'], node['op'], node.get('value'))}"
        if "not" in node:
            inner = node["not"]
            key = "any" if "any" in inner else "all" if "all" in inner else None
            kids = inner[key] if key else [inner]
            text = f"{t('ag.join.none' if key != 'all' else 'ag.join.not_all')}: " + "; ".join(
                words(k, True) for k in kids
            )
        else:
            key = "all" if "all" in node else "any"
            text = f"{t('ag.join.' + key)}: " + "; ".join(words(k, True) for k in node[key])
        return f"({text})" if nested else text

    return words(tree, False)


# --- the programme form -----------------------------------------------------------------------


@dataclass
class ProgramForm:
    """What the programme form shows: raw values as typed, errors by field, the builder's rows."""

    values: dict[str, str] = dataclasses.field(default_factory=dict)
    sectors: list[str] = dataclasses.field(default_factory=list)
    location_ids: list[str] = dataclasses.field(default_factory=list)
    rule: Group = dataclasses.field(default_factory=lambda: Group("r"))
    status: str = ProgramStatus.draft.value
    version: str = ""
    errors: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def blank(cls, org: Organization) -> ProgramForm:
        return cls(
            values={"kind": ProgramKind.training.value, "capacity_unit": "seats", "service_area": org.region_code}
        )

    @classmethod
    def of_program(cls, program: Program, service_area: list[str], location_ids: list[int], lang: str) -> ProgramForm:
        values: dict[str, str] = {}
        for name in SIMPLE_FIELDS:
            raw = getattr(program, name, None)
            if raw is None:
                values[name] = ""
            elif name in WHOLE_FIELDS:
                values[name] = f"{raw:,}".replace(",", ".")
            elif name == "interest_rate":
                values[name] = decimal(raw, lang, 2).rstrip("0").rstrip(".,")
            elif isinstance(raw, date):
                values[name] = raw.isoformat()
            else:
                values[name] = str(getattr(raw, "value", raw))
        values["service_area"] = ", ".join(sorted(service_area))
        return cls(
            values=values,
            sectors=list(program.sectors or []),
            location_ids=[str(i) for i in location_ids],
            rule=builder_from_tree(program.eligibility),
            status=ProgramStatus(program.status).value,
            version=str(program.version),
        )

    @classmethod
    def of_form(cls, form: FormData) -> ProgramForm:
        return cls(
            values={name: str(form.get(name, "")).replace("\r\n", "\n").strip() for name in SIMPLE_FIELDS},
            sectors=[str(s) for s in form.getlist("sectors")],
            location_ids=[str(i) for i in form.getlist("location_ids")],
            rule=builder_from_form(form),
            status=str(form.get("status", ProgramStatus.draft.value)),
            version=str(form.get("version", "")),
        )


def _whole(text: str) -> int:
    cleaned = re.sub(r"^rp\.?\s*", "", text.strip(), flags=re.I).replace(" ", "")
    if not _WHOLE.fullmatch(cleaned):
        raise ValueError("ag.err.whole")
    return int(re.sub(r"[.,]", "", cleaned))


def parse_codes(text: str) -> list[str]:
    """Region codes separated by commas (or spaces), in order, without repeats."""
    return list(dict.fromkeys(c for c in _SPLIT.split(text) if c))


def collect(
    session: Session, state: ProgramForm, org_id: int, lang: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The programme's values from the form, or errors by field (in the page language) in ``state``.

    Returns ``(values, rule_tree)``; ``state.errors`` is empty when everything reads.
    """
    t = translator(lang)
    v, errors = state.values, state.errors
    out: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        out[name] = v.get(name) or None
    if not out["name"]:
        errors["name"] = t("ag.err.required")
    for name, enum in (("kind", ProgramKind), ("capacity_unit", CapacityUnit)):
        if v.get(name) not in {e.value for e in enum}:
            errors[name] = t("ag.err.choice")
        out[name] = v.get(name)
    for name in WHOLE_FIELDS:
        out[name] = None
        if v.get(name):
            try:
                out[name] = _whole(v[name])
            except ValueError:
                errors[name] = t("ag.err.whole")
    out["interest_rate"] = None
    if v.get("interest_rate"):
        if _DECIMAL.fullmatch(v["interest_rate"]):
            out["interest_rate"] = float(v["interest_rate"].replace(",", "."))
        else:
            errors["interest_rate"] = t("ag.err.decimal")
    for name in DATE_FIELDS:
        out[name] = None
        if v.get(name):
            try:
                out[name] = date.fromisoformat(v[name])
            except ValueError:
                errors[name] = t("ag.err.date")
    for low, high in RANGES:
        if out.get(low) is not None and out.get(high) is not None and out[low] > out[high]:
            errors.setdefault(low, t("ag.err.range").format(low=t(f"ag.f.{low}"), high=t(f"ag.f.{high}")))
    if out["source_url"] and not re.match(r"https?://[^\s/]+", out["source_url"], re.I):
        errors["source_url"] = t("ag.err.url")
    out["sectors"] = [s for s in state.sectors if s in SECTORS]
    own = set(session.exec(select(Location.id).where(Location.organization_id == org_id)).all())
    out["location_ids"] = [int(i) for i in state.location_ids if _DIGITS.fullmatch(i) and int(i) in own]
    codes = parse_codes(v.get("service_area", ""))
    out["service_area"] = codes
    code_error = check_codes(session, codes, lang)
    if code_error:
        errors["service_area"] = code_error
    tree = rule_tree(session, state.rule, lang)
    if state.rule.error:
        errors["rule"] = state.rule.error
    return out, tree


def check_codes(session: Session, codes: list[str], lang: str) -> str | None:
    """A message naming the first code that is malformed or not a Kemendagri region; else None."""
    t = translator(lang)
    if len(codes) > MAX_CODES:
        return t("ag.err.too_many_codes").format(n=MAX_CODES)
    for code in codes:
        if not _CODE.fullmatch(code):
            return t("ag.err.code_format").format(code=code)
    if codes:
        found = set(session.exec(select(Region.code).where(Region.code.in_(codes))).all())  # type: ignore[attr-defined]
        for code in codes:
            if code not in found:
                return t("ag.err.code_unknown").format(code=code)
    return None


def rule_tree(session: Session, root: Group, lang: str) -> dict[str, Any] | None:
    """The validated tree of the builder; on a fault, the message is set on the faulty row and on
    ``root.error`` (``eligibility.all[1].value: …``) and ``None`` comes back."""
    tree, where = tree_of(root)
    try:
        tree = validate_rule_tree(tree)
    except RuleError as exc:
        mark_ruleerror_page(where, exc.path, exc.reason)
        root.error = str(exc)
        return None
    for path, node in where.items():
        if isinstance(node, Criterion) and node.op == "within":
            message = check_codes(session, parse_codes(node.value), lang)
            if message:
                node.error = message
                root.error = f"{path}.value: {message}"
                return None
    return tree


# --- who may use these pages ------------------------------------------------------------------


def _viewer(request: Request, session: Session, settings: Settings) -> Viewer | Response:
    """Agency staff (of an organisation) and admins; others get a 403 page, strangers the sign-in."""
    found = signed_in(request, session, settings)
    if isinstance(found, Response):
        return found
    user, lang = found
    t = translator(lang)
    role = Role(user.role)
    if role not in AGENCY_ROLES:
        return error_page(request, settings, user, 403, t("ag.err.forbidden").format(role=t(f"role.{role.value}")))
    if role is Role.agency_staff and user.organization_id is None:
        return error_page(request, settings, user, 403, t("home.not_linked"))
    return Viewer(user, Scope.for_user(session, user), lang)


def _organization(session: Session, viewer: Viewer, raw: str | None) -> Organization | None:
    """Staff: their own organisation (whatever ``org`` says). Admins: the one ``org`` names."""
    if viewer.scope.role is Role.agency_staff:
        return session.get(Organization, viewer.user.organization_id)
    if raw and _DIGITS.fullmatch(raw):
        return session.get(Organization, int(raw))
    return None


def _csrf_ok(request: Request, settings: Settings, sent: Any) -> bool:
    return csrf_ok(sent, request.cookies.get(SESSION_COOKIE), settings)


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _organization_page(
    request: Request, session: Session, settings: Settings, viewer: Viewer, target: str
) -> Organization | Response:
    """The organisation a GET page is about (``?org=`` for admins), or the page to show instead:
    the organisation chooser for an admin who named none, 404 for anyone else."""
    org = _organization(session, viewer, request.query_params.get("org"))
    if org is not None:
        return org
    if viewer.scope.is_admin:
        orgs = session.exec(select(Organization).order_by(Organization.name)).all()
        context = {"organizations": orgs, "target": target}
        return render(request, settings, "agency_choose_org.html", context, user=viewer.user)
    return error_page(request, settings, viewer.user, 404, translator(viewer.lang)("ag.err.org_not_found"))


# --- pages ------------------------------------------------------------------------------------


def capacity_text(p: Program, lang: str) -> str:
    t = translator(lang)
    if p.capacity_remaining is None and p.capacity is None:
        return "–"

    def amount(n: int | None) -> str:
        if n is None:
            return "–"
        return rupiah(n) if p.capacity_unit == CapacityUnit.rupiah else labels.value_label(n, lang)

    unit = "" if p.capacity_unit == CapacityUnit.rupiah else " " + t("ag.unit.seats").lower()
    if p.capacity is None:
        return amount(p.capacity_remaining) + unit
    return f"{amount(p.capacity_remaining)} / {amount(p.capacity)}{unit}"


def window_text(opens: date | None, closes: date | None, lang: str) -> str:
    t = translator(lang)
    if opens is None and closes is None:
        return t("ag.window.open")
    if opens is None:
        return t("ag.window.until").format(date=short_date(closes, lang))
    if closes is None:
        return t("ag.window.from").format(date=short_date(opens, lang))
    return f"{short_date(opens, lang)} – {short_date(closes, lang)}"


@router.get("/lembaga/program", response_class=HTMLResponse)
def programs_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The organisation's programmes, drafts included."""
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    org = _organization_page(request, session, settings, viewer, "/lembaga/program")
    if isinstance(org, Response):
        return org
    programs = session.exec(select(Program).where(Program.organization_id == org.id).order_by(Program.name)).all()
    rows = [(p, capacity_text(p, viewer.lang), window_text(p.opens_on, p.closes_on, viewer.lang)) for p in programs]
    counts = {s.value: sum(1 for p in programs if p.status == s) for s in ProgramStatus}
    context = {
        "org": org,
        "rows": rows,
        "counts": counts,
        "org_query": f"?org={org.id}" if viewer.scope.is_admin else "",
        "saved": request.query_params.get("ok"),
    }
    return render(request, settings, "agency_programs.html", context, user=viewer.user)


def _locations(session: Session, org_id: int) -> list[Location]:
    return list(session.exec(select(Location).where(Location.organization_id == org_id).order_by(Location.name)).all())


def _form_page(
    request: Request,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    org: Organization,
    state: ProgramForm,
    *,
    program: Program | None,
    status_code: int = 200,
    preview: dict[str, Any] | None = None,
    conflict: bool = False,
    notice: str | None = None,
) -> HTMLResponse:
    normalise_for_display(state.rule)
    renumber(state.rule)
    tree, _ = tree_of(state.rule)
    catalog = rule_catalog(viewer.lang)
    revisions = svc.program_revisions(session, viewer.scope, program.id) if program and program.id else []
    context = {
        "org": org,
        "program": program,
        "form": state,
        "locations": _locations(session, org.id or 0),
        "kinds": [k.value for k in ProgramKind],
        "statuses": [s.value for s in ProgramStatus],
        "units": [u.value for u in CapacityUnit],
        "field_options": field_options(viewer.lang),
        "catalog": catalog,
        "catalog_json": json.dumps(catalog, ensure_ascii=False, separators=(",", ":")),
        "rule_json": json.dumps(tree, ensure_ascii=False, indent=2) if tree else "null",
        "rule_words": rule_words(tree, viewer.lang) if tree and not state.rule.error else None,
        "preview": preview,
        "conflict": conflict,
        "notice": notice,
        "revisions": revisions_view(session, revisions, org, viewer.lang, settings),
        "revisions_hidden": max(0, len(revisions) - REVISIONS_SHOWN),
        "action_url": f"/lembaga/program/{program.id}" if program else "/lembaga/program/baru",
        "org_query": f"?org={org.id}" if viewer.scope.is_admin else "",
    }
    return render(request, settings, "agency_program_form.html", context, status_code=status_code, user=viewer.user)


@router.get("/lembaga/program/baru", response_class=HTMLResponse)
def new_program_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    org = _organization_page(request, session, settings, viewer, "/lembaga/program/baru")
    if isinstance(org, Response):
        return org
    return _form_page(request, session, settings, viewer, org, ProgramForm.blank(org), program=None)


def _preview(session: Session, scope: Scope, state: ProgramForm, lang: str, today: date) -> dict[str, Any]:
    """The counts of the builder's rule in the form's service area, in words (``ok`` False: why not)."""
    t = translator(lang)
    tree = rule_tree(session, state.rule, lang)
    if state.rule.error:
        return {"ok": False, "text": t("ag.preview.bad_rule"), "error": state.rule.error}
    codes = parse_codes(state.values.get("service_area", ""))
    if not codes:
        return {"ok": False, "text": t("ag.preview.no_area")}
    message = check_codes(session, codes, lang)
    if message:
        state.errors["service_area"] = message
        return {"ok": False, "text": message, "error": message}
    try:
        body = PreviewRequest(eligibility=tree, service_area=codes)
        counts = preview_counts(session, scope, body, today=today)
    except (ValidationError, ServiceError) as exc:
        text = exc.message if isinstance(exc, ServiceError) else t("ag.preview.bad_rule")
        return {"ok": False, "text": text, "error": text}

    def shown(n: int | None) -> str:
        return "<5" if n is None else labels.value_label(n, lang)

    text = t("ag.preview.counts").format(eligible=shown(counts.eligible), unknown=shown(counts.unknown))
    text += " " + t("ag.preview.of").format(n=labels.value_label(counts.households_in_area, lang))
    withheld = None in (counts.eligible, counts.unknown, counts.ineligible)
    return {
        "ok": True,
        "text": text,
        "note": t("ag.withheld").format(n=SMALL_COUNT, m=SMALL_COUNT - 1) if withheld else None,
        "eligibility": tree,
        "words": rule_words(tree, lang),
        **counts.model_dump(),
    }


@router.post("/lembaga/program/pratinjau")
def preview_endpoint(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """The live preview of rule-builder.js: the form as posted, the counts as JSON."""
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return JSONResponse({"ok": False, "text": "forbidden"}, status_code=403)
    t = translator(viewer.lang)
    if not _csrf_ok(request, settings, form.get("csrf")):
        return JSONResponse({"ok": False, "text": t("ag.err.csrf")}, status_code=403)
    state = ProgramForm.of_form(form)
    result = _preview(session, viewer.scope, state, viewer.lang, settings.today())
    return JSONResponse(result, status_code=200 if result["ok"] or "error" not in result else 422)


def _program_of(session: Session, viewer: Viewer, raw_id: str) -> Program | None:
    """The programme, if it is the viewer's organisation's (admins: any); else None (a 404)."""
    if not _DIGITS.fullmatch(raw_id):
        return None
    program = session.get(Program, int(raw_id))
    if program is None:
        return None
    if not viewer.scope.is_admin and program.organization_id != viewer.scope.organization_id:
        return None
    return program


@router.get("/lembaga/program/{program_id}", response_class=HTMLResponse)
def edit_program_page(program_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    program = _program_of(session, viewer, program_id)
    if program is None:
        return error_page(request, settings, viewer.user, 404, translator(viewer.lang)("ag.err.program_not_found"))
    org = session.get(Organization, program.organization_id)
    assert org is not None
    public = svc.programs_public(session, [program])[0]
    state = ProgramForm.of_program(program, public.service_area, public.location_ids, viewer.lang)
    saved = request.query_params.get("ok")
    notice = translator(viewer.lang)(f"ag.saved.{saved}") if saved in (*ProgramStatus, "unchanged") else None
    return _form_page(request, session, settings, viewer, org, state, program=program, notice=notice)


@router.post("/lembaga/program/baru", response_class=HTMLResponse)
def new_program_submit(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    return _submit(request, session, settings, form, None)


@router.post("/lembaga/program/{program_id}", response_class=HTMLResponse)
def edit_program_submit(
    program_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    return _submit(request, session, settings, form, program_id)


def _submit(request: Request, session: Session, settings: Settings, form: FormData, program_id: str | None) -> Response:
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    t = translator(viewer.lang)
    if not _csrf_ok(request, settings, form.get("csrf")):
        return error_page(request, settings, viewer.user, 403, t("ag.err.csrf"))
    program = None
    if program_id is not None:
        program = _program_of(session, viewer, program_id)
        if program is None:
            return error_page(request, settings, viewer.user, 404, t("ag.err.program_not_found"))
        org = session.get(Organization, program.organization_id)
    else:
        org = _organization(session, viewer, str(form.get("org", "")))
    if org is None:
        return error_page(request, settings, viewer.user, 404, t("ag.err.org_not_found"))
    owner: Organization = org
    state = ProgramForm.of_form(form)
    action, _, arg = str(form.get("action", "refresh")).partition(":")

    def page(status_code: int = 200, **kw: Any) -> HTMLResponse:
        return _form_page(
            request, session, settings, viewer, owner, state, program=program, status_code=status_code, **kw
        )

    if action in ("add_row", "remove", "add_group"):
        apply_builder_action(state.rule, action, arg, form)
        return page()
    if action == "preview":
        return page(preview=_preview(session, viewer.scope, state, viewer.lang, settings.today()))
    if action not in SAVE_ACTIONS:
        return page()
    if program is not None and state.version != str(program.version):
        return page(409, conflict=True)
    values, tree = collect(session, state, org.id or 0, viewer.lang)
    if state.errors:
        return page(422)
    target = SAVE_ACTIONS[action]
    if target is None:
        target = ProgramStatus(state.status) if state.status in set(ProgramStatus) else ProgramStatus.draft
    try:
        if program is None:
            created = _create(session, viewer.scope, org, values, tree, target, request)
            return RedirectResponse(f"/lembaga/program/{created.id}?ok={created.status.value}", status_code=303)
        else:
            changed = _update(session, viewer.scope, program, values, tree, target, request)
            if not changed:
                return RedirectResponse(f"/lembaga/program/{program.id}?ok=unchanged", status_code=303)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "form"
            state.errors.setdefault(name if name in (*SIMPLE_FIELDS, "sectors", "location_ids") else "form", err["msg"])
        return page(422)
    except InvalidInput as exc:
        name = str(exc.loc[1]) if len(exc.loc) > 1 else "form"
        if name == "eligibility":
            state.rule.error = exc.message
            name = "rule"
        state.errors[name if name in (*SIMPLE_FIELDS, "rule", "location_ids") else "form"] = exc.message
        return page(422)
    except Conflict:
        session.rollback()
        return page(409, conflict=True)
    except (Forbidden, NotFound) as exc:
        return error_page(request, settings, viewer.user, exc.status_code, exc.message)
    return RedirectResponse(f"/lembaga/program/{program.id}?ok={ProgramStatus(program.status).value}", status_code=303)


def _create(
    session: Session,
    scope: Scope,
    org: Organization,
    values: dict[str, Any],
    tree: dict[str, Any] | None,
    target: ProgramStatus,
    request: Request,
) -> ProgramPublic:
    """Register the programme; staff programmes start as drafts, so publishing is a second change."""
    data = ProgramCreate.model_validate(
        {**values, "organization_id": org.id, "eligibility": tree, "status": target.value}
    )
    return svc.create_program_as(session, scope, data=data, status=target, request_id=request_id(request))


def _update(
    session: Session,
    scope: Scope,
    program: Program,
    values: dict[str, Any],
    tree: dict[str, Any] | None,
    target: ProgramStatus,
    request: Request,
) -> bool:
    """Send only what changed, with the status the button asked for; False when nothing did."""
    assert program.id is not None
    public = svc.programs_public(session, [program])[0]
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name == "service_area":
            if sorted(value) != sorted(public.service_area):
                changes[name] = value
        elif name == "location_ids":
            if sorted(value) != sorted(public.location_ids):
                changes[name] = value
        elif name == "sectors":
            if sorted(value) != sorted(program.sectors or []):
                changes[name] = value
        else:
            current = getattr(program, name)
            current = getattr(current, "value", current)
            if value != current:
                changes[name] = value
    if canonical(tree) != canonical(program.eligibility):
        changes["eligibility"] = tree
    if not changes and ProgramStatus(program.status) == target:
        return False
    changes["status"] = target.value
    data = ProgramUpdate.model_validate({"version": program.version, **changes})
    svc.update_program(session, scope, program_id=program.id, data=data, request_id=request_id(request))
    return True


# --- revisions --------------------------------------------------------------------------------


def revisions_view(
    session: Session, all_revisions: list[svc.Revision], org: Organization, lang: str, settings: Settings
) -> list[dict[str, Any]]:
    """The latest revisions, newest first, with each change in words."""
    revisions = all_revisions[::-1][:REVISIONS_SHOWN]
    actors = {r.actor_user_id for r in revisions if r.actor_user_id is not None}
    usernames: dict[int | None, str] = {}
    if actors:
        by_id = select(User.id, User.username).where(User.id.in_(actors))  # type: ignore[union-attr]
        usernames = dict(session.exec(by_id).all())
    codes = {c for r in revisions for side in r.changes.get("service_area", []) for c in side or []}
    names = region_names(session, sorted(codes))
    location_names = {loc.id: loc.name for loc in _locations(session, org.id or 0)}
    zone = ZoneInfo(settings.timezone)
    t = translator(lang)
    out = []
    for r in revisions:
        changes = [
            (
                t(f"ag.f.{key}"),
                change_text(key, old, lang, names, location_names),
                change_text(key, new, lang, names, location_names),
            )
            for key, (old, new) in r.changes.items()
            if key != "organization_id" and not (old in EMPTY and new in EMPTY)
        ]
        out.append(
            {
                "version": r.version,
                "at": _when(r.at, zone, lang),
                "who": usernames.get(r.actor_user_id, "–"),
                "action": t(f"ag.rev.{r.action}") if r.action in ("create", "update", "publish") else r.action,
                "kind": r.action,
                "changes": changes,
            }
        )
    return out


def _when(at: datetime, zone: ZoneInfo, lang: str) -> str:
    local = at.astimezone(zone)
    return f"{short_date(local.date(), lang)} {local:%H:%M}"


def change_text(key: str, value: Any, lang: str, region_names_: dict[str, str], location_names: dict[Any, str]) -> str:
    """One side of a revised field, in words."""
    t = translator(lang)
    if value is None or value == [] or value == "":
        return "–"
    if key == "status":
        return t(f"ag.status.{value}")
    if key == "kind":
        return t(f"kind.{value}")
    if key == "capacity_unit":
        return t(f"ag.unit.{value}")
    if key in ("benefit_min", "benefit_max"):
        return rupiah(value)
    if key == "interest_rate":
        return decimal(float(value), lang, 2) + " %"
    if key in ("capacity", "capacity_remaining"):
        return labels.value_label(value, lang)
    if key in DATE_FIELDS:
        try:
            return short_date(date.fromisoformat(str(value)), lang)
        except ValueError:
            return str(value)
    if key == "sectors":
        return ", ".join(labels.value_label(s, lang) for s in value)
    if key == "service_area":
        return ", ".join(f"{c} ({region_names_[c]})" if c in region_names_ else c for c in value)
    if key == "location_ids":
        return ", ".join(location_names.get(i, f"#{i}") for i in value)
    if key == "eligibility":
        return rule_words(value, lang)
    if key == "description" and isinstance(value, str) and len(value) > 160:
        return value[:157] + "…"
    return str(value)


# --- demand -----------------------------------------------------------------------------------


@router.get("/lembaga/permintaan", response_class=HTMLResponse)
def demand_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Families in the organisation's service area by village: with a fitting business, eligible, referred."""
    viewer = _viewer(request, session, settings)
    if isinstance(viewer, Response):
        return viewer
    org = _organization_page(request, session, settings, viewer, "/lembaga/permintaan")
    if isinstance(org, Response):
        return org
    exact = viewer.scope.is_admin
    rows = demand_by_village(session, org.id or 0, today=settings.today(), exact=exact)
    withheld = any(None in (r.households, r.with_fitting_business, r.eligible, r.referred) for r in rows)
    context = {"org": org, "rows": rows, "exact": exact, "withheld": withheld, "small": SMALL_COUNT}
    return render(request, settings, "agency_demand.html", context, user=viewer.user)
