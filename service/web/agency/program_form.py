"""The programme form: what it shows (raw values as typed, errors by field, the builder's rows),
and reading a posted form into the catalogue's ``ProgramCreate`` / ``ProgramUpdate``, with a
message in the page language at every field that does not read."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from models.eligibility import SECTORS, RuleError, validate_rule_tree
from models.organizations import (
    CapacityUnit,
    OrganizationPublic,
    ProgramCreate,
    ProgramKind,
    ProgramPublic,
    ProgramStatus,
    ProgramUpdate,
)
from models.types import REGION_CODE_PATTERN
from service.core.regions import region_names
from service.deps import SessionDep
from service.errors import InvalidInput
from service.i18n import translator
from service.web.agency.rule_builder import (
    SPLIT,
    Criterion,
    Group,
    PostedForm,
    builder_from_form,
    builder_from_tree,
    canonical,
    mark_rule_error,
    tree_of,
)
from service.web.kit import decimal, schema_message, whole_number

MAX_CODES = 500
_CODE = re.compile(REGION_CODE_PATTERN)
_WHOLE = re.compile(r"\d+|\d{1,3}(?:[.,]\d{3})+")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")

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
    def blank(cls, org: OrganizationPublic) -> ProgramForm:
        """A new programme's form: a training with seats, serving the organisation's region."""
        return cls(
            values={"kind": ProgramKind.training.value, "capacity_unit": "seats", "service_area": org.region_code}
        )

    @classmethod
    def of_program(cls, program: ProgramPublic, lang: str) -> ProgramForm:
        """A stored programme's form, its numbers written as the page language writes them."""
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
        values["service_area"] = ", ".join(sorted(program.service_area))
        return cls(
            values=values,
            sectors=list(program.sectors or []),
            location_ids=[str(i) for i in program.location_ids],
            rule=builder_from_tree(program.eligibility),
            status=ProgramStatus(program.status).value,
            version=str(program.version),
        )

    @classmethod
    def of_form(cls, form: PostedForm) -> ProgramForm:
        """The form as posted, every value kept as typed."""
        return cls(
            values={name: str(form.get(name, "")).replace("\r\n", "\n").strip() for name in SIMPLE_FIELDS},
            sectors=[str(s) for s in form.getlist("sectors")],
            location_ids=[str(i) for i in form.getlist("location_ids")],
            rule=builder_from_form(form),
            status=str(form.get("status", ProgramStatus.draft.value)),
            version=str(form.get("version", "")),
        )

    def show_invalid(self, exc: ValidationError, lang: str) -> None:
        """Put the schema's messages at their fields (the first one per field), in the page language."""
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "form"
            message = schema_message(err, lang)
            self.errors.setdefault(name if name in (*SIMPLE_FIELDS, "sectors", "location_ids") else "form", message)

    def show_refused(self, exc: InvalidInput) -> None:
        """Put the catalogue's refusal at its field (a rule's at the rule builder)."""
        name = str(exc.loc[1]) if len(exc.loc) > 1 else "form"
        if name == "eligibility":
            self.rule.error = exc.message
            name = "rule"
        self.errors[name if name in (*SIMPLE_FIELDS, "rule", "location_ids") else "form"] = exc.message


def _whole(text: str) -> int:
    cleaned = re.sub(r"^rp\.?\s*", "", text.strip(), flags=re.I).replace(" ", "")
    if not _WHOLE.fullmatch(cleaned):
        raise ValueError("ag.err.whole")
    return int(re.sub(r"[.,]", "", cleaned))


def parse_codes(text: str) -> list[str]:
    """Region codes separated by commas (or spaces), in order, without repeats."""
    return list(dict.fromkeys(c for c in SPLIT.split(text) if c))


def collect(
    session: SessionDep, state: ProgramForm, own_locations: Collection[int], lang: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The programme's values from the form, or errors by field (in the page language) in ``state``.

    Returns ``(values, rule_tree)``; ``state.errors`` is empty when everything reads. Location
    ids not in ``own_locations`` (the organisation's) are dropped.
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
    ids = [whole_number(i) for i in state.location_ids]
    out["location_ids"] = [i for i in ids if i is not None and i in own_locations]
    codes = parse_codes(v.get("service_area", ""))
    out["service_area"] = codes
    code_error = check_codes(session, codes, lang)
    if code_error:
        errors["service_area"] = code_error
    tree = rule_tree(session, state.rule, lang)
    if state.rule.error:
        errors["rule"] = state.rule.error
    return out, tree


def check_codes(session: SessionDep, codes: list[str], lang: str) -> str | None:
    """A message naming the first code that is malformed or not a Kemendagri region; else None."""
    t = translator(lang)
    if len(codes) > MAX_CODES:
        return t("ag.err.too_many_codes").format(n=MAX_CODES)
    for code in codes:
        if not _CODE.fullmatch(code):
            return t("ag.err.code_format").format(code=code)
    if codes:
        found = region_names(session, codes)
        for code in codes:
            if code not in found:
                return t("ag.err.code_unknown").format(code=code)
    return None


def rule_tree(session: SessionDep, root: Group, lang: str) -> dict[str, Any] | None:
    """The validated tree of the builder; on a fault, the message is set on the faulty row and on
    ``root.error`` (``eligibility.all[1].value: …``) and ``None`` comes back."""
    tree, where = tree_of(root)
    try:
        tree = validate_rule_tree(tree)
    except RuleError as exc:
        mark_rule_error(where, exc.path, exc.reason)
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


# --- into the catalogue's schemas ---------------------------------------------------------------


def new_program(
    org: OrganizationPublic, values: dict[str, Any], tree: dict[str, Any] | None, status: ProgramStatus
) -> ProgramCreate:
    """The programme to register (``pydantic.ValidationError`` when the schema refuses a value)."""
    return ProgramCreate.model_validate(
        {**values, "organization_id": org.id, "eligibility": tree, "status": status.value}
    )


def program_changes(
    program: ProgramPublic, values: dict[str, Any], tree: dict[str, Any] | None, status: ProgramStatus
) -> ProgramUpdate | None:
    """Only what changed, with the status the button asked for; ``None`` when nothing did."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("service_area", "location_ids", "sectors"):
            if sorted(value) != sorted(getattr(program, name) or []):
                changes[name] = value
        else:
            current = getattr(program, name)
            current = getattr(current, "value", current)
            if value != current:
                changes[name] = value
    if canonical(tree) != canonical(program.eligibility):
        changes["eligibility"] = tree
    if not changes and ProgramStatus(program.status) == status:
        return None
    changes["status"] = status.value
    return ProgramUpdate.model_validate({"version": program.version, **changes})
