"""The eligibility rule builder: the rule tree as rows of criteria in groups, without JSON.

A posted form names its rows by path: ``g:<path>`` is a group's join, ``f:/o:/v:/w:/m:<path>`` a
criterion's field, operator, value(s); paths read ``r`` (the root), ``r.1``, ``r.2.0``. The
builder works without JavaScript: its buttons post the whole form with ``action=add_row:r.1``,
``remove:r.0``, ``add_group:r`` and the page comes back with every entered value kept;
``static/rule-builder.js`` does the same in the page. This module turns the rows into a rule tree
and back (``tree_of``, ``builder_from_tree``, ``builder_from_form``) and says a rule in words.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, overload

from mapping import labels
from models.eligibility import OPERATORS_BY_TYPE, RULE_FIELDS, FieldType
from service.i18n import translator

MAX_RULE_NODES = 40
SPLIT = re.compile(r"[\s,;]+")
_RULE_PATH = re.compile(r"r(?:\.\d{1,2}){0,3}")


class PostedForm(Protocol):
    """What the builder reads of a posted form (a Starlette ``FormData`` is one)."""

    def __iter__(self) -> Iterator[str]: ...

    @overload
    def get(self, key: str, /) -> Any: ...

    @overload
    def get(self, key: str, default: Any, /) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


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
    """A group of rows joined by ``all``, ``any``, ``none`` (not any) or ``not_all``."""

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
    """A new row for the field ``name``, with its type's default operator and a first value."""
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
    """Give every row and group its path again (``r.0``, ``r.1.0``...) after rows moved."""
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


def builder_from_form(form: PostedForm) -> Group:
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
    """The row or group at ``path``, if there is one."""
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


def apply_builder_action(root: Group, action: str, arg: str, form: PostedForm) -> None:
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
        value = list(c.values) if f.type is FieldType.choice else [_number(v) for v in SPLIT.split(c.value) if v]
    elif c.op == "within":
        value = [v for v in SPLIT.split(c.value) if v]
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


def mark_rule_error(where: dict[str, Criterion | Group], path: str, message: str) -> None:
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


# --- the builder's words ------------------------------------------------------------------------


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
