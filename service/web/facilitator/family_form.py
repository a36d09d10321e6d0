"""The family's forms: the household's and a business's edit forms, and the answers a facilitator
gives in place on the family page to a programme's open question.

What a form shows (raw values as typed, errors by field in the page language, and after a
conflict what the facilitator had typed) and how a post becomes the households domain's
``HouseholdUpdate``, ``BusinessCreate`` or ``BusinessUpdate``. The form only reads text into
values (a date, a whole number, yes or no); lengths, limits and choices are the schema's to
check, and it reports every field at once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from mapping.privacy import SENSITIVE_FIELDS
from models.eligibility import NEEDS, SECTORS
from models.households import BusinessCreate, BusinessUpdate, HouseholdUpdate, PkhStatus, SalesChannel
from service.errors import InvalidInput
from service.i18n import N_, translator
from service.web.kit import schema_message, value_word

Widget = Literal["text", "textarea", "date", "number", "rupiah", "select", "yesno", "checks"]
Choices = list[tuple[str, str]]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DMY_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_WHOLE = re.compile(r"-?\d{1,12}")
NUMERIC = 'inputmode="numeric" maxlength="12"'  # text, not type=number: a value the form refuses is shown as typed
_RUPIAH = re.compile(r"\d{1,15}|\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


@dataclass(frozen=True)
class Field:
    """One field of a form: its name (the schema's), the key of its label, its widget and HTML limits."""

    name: str
    label: str
    widget: Widget
    required: bool = False
    attrs: str = ""


HOUSEHOLD_FORM: tuple[Field, ...] = (
    Field("head_name", N_("kpm.col.head"), "text", required=True, attrs='maxlength="200" autocomplete="off"'),
    Field("head_birth_date", N_("fam.f.head_birth_date"), "date"),
    Field("head_sex", N_("hh.sex"), "select"),
    Field("phone", N_("fam.f.phone"), "text", attrs='inputmode="tel" maxlength="40" autocomplete="off"'),
    Field("address", N_("fam.f.address"), "textarea", attrs='maxlength="500"'),
    Field("group_id", N_("home.group"), "select"),
    Field("pkh_status", N_("hh.pkh_status"), "select", required=True),
    Field("pkh_joined_year", N_("hh.joined"), "number", attrs=NUMERIC),
    Field("dtsen_decile", N_("hh.decile"), "number", attrs=NUMERIC),
    Field("prse", N_("hh.prse"), "yesno"),
    Field("disability", N_("hh.disability"), "yesno"),
    Field("elderly", N_("hh.elderly"), "yesno"),
    Field("school_age_children", N_("fam.f.school_age_children"), "number", attrs=NUMERIC),
    Field("agreed_to_graduate", N_("hh.agreed"), "yesno"),
)

BUSINESS_FORM: tuple[Field, ...] = (
    Field("name", N_("fam.f.business_name"), "text", attrs='maxlength="200"'),
    Field("sector", N_("kpm.f.sector"), "select", required=True),
    Field("started_on", N_("fam.f.started_on"), "date"),
    Field("monthly_revenue", N_("biz.revenue"), "rupiah", attrs='inputmode="numeric" placeholder="Rp"'),
    Field("workers", N_("fam.f.workers"), "number", attrs=NUMERIC),
    Field("has_nib", N_("fam.f.has_nib"), "yesno"),
    Field("has_pirt", N_("fam.f.has_pirt"), "yesno"),
    Field("has_halal", N_("fam.f.has_halal"), "yesno"),
    Field("sales_channels", N_("biz.channels"), "checks"),
    Field("needs", N_("kpm.col.needs"), "checks"),
)


@dataclass(frozen=True)
class Answer:
    """Where the answer to a rule field's question is kept: a field of the household or of the
    business the match was judged on, written with ``widget``."""

    record: Literal["household", "business"]
    field: Field


def _by_name(fields: Sequence[Field], name: str) -> Field:
    return next(f for f in fields if f.name == name)


def _household(name: str) -> Answer:
    return Answer("household", _by_name(HOUSEHOLD_FORM, name))


def _business(name: str) -> Answer:
    return Answer("business", _by_name(BUSINESS_FORM, name))


# A rule field a match is unknown on -> the record field its answer fills. Fields the rules derive
# (age, years in PKH, months running) are answered by what they are derived from; fields that are
# never unknown (region, PKH status, sector, needs, completed programmes) have no entry.
ANSWERS: dict[str, Answer] = {
    "head.age": _household("head_birth_date"),
    "head.sex": _household("head_sex"),
    "household.years_in_pkh": _household("pkh_joined_year"),
    "household.dtsen_decile": _household("dtsen_decile"),
    "household.prse": _household("prse"),
    "household.disability": _household("disability"),
    "household.elderly": _household("elderly"),
    "household.agreed_to_graduate": _household("agreed_to_graduate"),
    "household.school_age_children": _household("school_age_children"),
    "business.age_months": _business("started_on"),
    "business.monthly_revenue": _business("monthly_revenue"),
    "business.workers": _business("workers"),
    "business.has_nib": _business("has_nib"),
    "business.has_pirt": _business("has_pirt"),
    "business.has_halal": _business("has_halal"),
}


def answerable(*, own_facilitator: bool) -> dict[str, Answer]:
    """The questions a viewer answers in place: sensitive ones only the family's own facilitator."""
    return {k: a for k, a in ANSWERS.items() if own_facilitator or k not in SENSITIVE_FIELDS}


# --- choices --------------------------------------------------------------------------------------


def choices(field: Field, lang: str, groups: dict[int, str] | None = None) -> Choices:
    """The options of a select, yes/no or checkbox field (value, label), "not known" first where it may be empty."""
    t = translator(lang)
    unknown = [("", t("fam.unknown"))]
    if field.widget == "yesno":
        return [*unknown, ("true", t("kpm.yes")), ("false", t("kpm.no"))]
    if field.name == "head_sex":
        return [*unknown, ("F", value_word("F", lang)), ("M", value_word("M", lang))]
    if field.name == "pkh_status":
        return [(s.value, value_word(s.value, lang)) for s in PkhStatus]
    if field.name == "group_id":
        return [("", t("fam.no_group")), *((str(gid), name) for gid, name in (groups or {}).items())]
    if field.name == "sector":
        return [(s, value_word(s, lang)) for s in SECTORS]
    if field.name == "sales_channels":
        return [(c.value, t(f"channel.{c.value}")) for c in SalesChannel]
    if field.name == "needs":
        return [(n, value_word(n, lang)) for n in NEEDS]
    return []


# --- the form's state -----------------------------------------------------------------------------


def raw_text(value: Any) -> str:
    """A stored value as a form field holds it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


@dataclass
class FamilyForm:
    """What an edit form shows: raw values as typed, errors by field (page language), and after a
    conflict what the facilitator had typed where it differs from the stored data (``mine``)."""

    fields: tuple[Field, ...]
    values: dict[str, str] = dataclasses.field(default_factory=dict)
    lists: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    version: str = ""
    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    mine: dict[str, str] = dataclasses.field(default_factory=dict)
    posted: set[str] = dataclasses.field(default_factory=set)  # the fields the post carried

    @classmethod
    def of_record(cls, fields: tuple[Field, ...], record: BaseModel | None) -> FamilyForm:
        """The form of a stored household or business (blank for a new business)."""
        state = cls(fields, version=raw_text(getattr(record, "version", None)))
        for f in fields:
            value = getattr(record, f.name, None)
            if f.widget == "checks":
                state.lists[f.name] = [raw_text(v) for v in value or []]
            else:
                state.values[f.name] = raw_text(value)
        return state

    @classmethod
    def of_form(cls, fields: tuple[Field, ...], form: FormData) -> FamilyForm:
        """The form as posted, every value kept as typed. A field the post does not carry is left
        as stored (a checkbox list carries an empty marker so that none ticked clears it)."""
        state = cls(fields, version=str(form.get("version", "")).strip())
        for f in fields:
            if f.name not in form:
                continue
            state.posted.add(f.name)
            if f.widget == "checks":
                state.lists[f.name] = [str(v) for v in form.getlist(f.name) if str(v)]
            else:
                state.values[f.name] = str(form.get(f.name, "")).replace("\r\n", "\n").strip()
        return state

    def show_conflict(self, posted: FamilyForm, lang: str, groups: dict[int, str] | None = None) -> None:
        """Keep, beside the stored data this form shows, what ``posted`` had typed where it differs."""
        for f in self.fields:
            if f.name not in posted.posted:
                continue
            labels = dict(choices(f, lang, groups))
            if f.widget == "checks":
                mine = posted.lists.get(f.name, [])
                if sorted(mine) != sorted(self.lists.get(f.name, [])):
                    self.mine[f.name] = ", ".join(labels.get(v, v) for v in mine) or "–"
            else:
                typed = posted.values.get(f.name, "")
                if typed != self.values.get(f.name, ""):
                    self.mine[f.name] = labels.get(typed, typed) or labels.get("", "–")


# --- reading a post -------------------------------------------------------------------------------


class Unreadable(ValueError):
    """A field's text is not a value of its kind; ``key`` is the message to show."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def read_value(field: Field, raw: str) -> Any:
    """The value of ``raw`` for ``field``: ``None`` for an empty optional field, text for the
    schema to check, a date, a whole number or yes/no read from the form's text."""
    if raw == "":
        return "" if field.required else None
    if field.widget == "date":
        if _ISO_DATE.fullmatch(raw):
            text = raw
        elif m := _DMY_DATE.fullmatch(raw):
            text = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
        else:
            raise Unreadable(N_("fam.err.date"))
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise Unreadable(N_("fam.err.date")) from None
    if field.widget == "number":
        if not _WHOLE.fullmatch(raw):
            raise Unreadable(N_("fam.err.whole"))
        return int(raw)
    if field.widget == "rupiah":
        cleaned = re.sub(r"^rp\.?\s*", "", raw, flags=re.I).replace(" ", "")
        if not _RUPIAH.fullmatch(cleaned):
            raise Unreadable(N_("fam.err.rupiah"))
        return int(re.sub(r"[.,]", "", cleaned))
    if field.widget == "yesno":
        if raw not in ("true", "false"):
            raise Unreadable(N_("fam.err.choice"))
        return raw == "true"
    return raw


_KINDS = {
    "missing": N_("fam.err.required"),
    "string_too_short": N_("fam.err.required"),
    "enum": N_("fam.err.choice"),
    "literal_error": N_("fam.err.choice"),
    "int_parsing": N_("fam.err.choice"),
    "bool_parsing": N_("fam.err.choice"),
}
_BOUNDS = {"less_than_equal": (N_("form.err.too_large"), "le"), "greater_than_equal": (N_("form.err.too_small"), "ge")}


def schema_error(err: Any, lang: str, name: str = "") -> str:
    """A schema's refusal of one field in the page language (a year's bound written as a year)."""
    t = translator(lang)
    kind = str(err.get("type", ""))
    if kind in _KINDS:
        return t(_KINDS[kind])
    if kind in _BOUNDS and name.endswith("_year"):
        key, bound = _BOUNDS[kind]
        return t(key).format(n=(err.get("ctx") or {}).get(bound, ""))
    if kind in ("string_too_long", "too_long", *_BOUNDS) or "NUL" in str(err.get("msg", "")):
        return schema_message(err, lang)
    return t("fam.err.invalid")


def _validated(schema: type[BaseModel], state: FamilyForm, base: dict[str, Any], lang: str) -> BaseModel | None:
    """``schema`` validated from the posted fields (and ``base``), or ``None`` with every field's
    error in ``state.errors``: those the form cannot read and those the schema refuses, at once."""
    t = translator(lang)
    payload = dict(base)
    for f in state.fields:
        if f.name not in state.posted:
            continue
        if f.widget == "checks":
            payload[f.name] = state.lists.get(f.name, [])
            continue
        try:
            payload[f.name] = read_value(f, state.values.get(f.name, ""))
        except Unreadable as exc:
            state.errors[f.name] = t(exc.key)
    try:
        model = schema.model_validate(payload)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            if name == "version" or name not in {f.name for f in state.fields}:
                name = "form"
            elif payload.get(name) == "":  # a required field left empty (a select's blank as well)
                state.errors.setdefault(name, t("fam.err.required"))
            state.errors.setdefault(name, schema_error(err, lang, name))
        return None
    return None if state.errors else model


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return sorted(_plain(v) for v in value)
    return value


def _changes(model: BaseModel, current: BaseModel, state: FamilyForm) -> dict[str, Any]:
    return {
        f.name: getattr(model, f.name)
        for f in state.fields
        if f.name in state.posted and _plain(getattr(model, f.name)) != _plain(getattr(current, f.name))
    }


def household_update(state: FamilyForm, current: BaseModel, lang: str) -> HouseholdUpdate | None:
    """What changed, as the domain's update at the version the form was read at (``None``:
    nothing changed, or errors in ``state.errors``)."""
    model = _validated(HouseholdUpdate, state, {"version": state.version}, lang)
    if model is None:
        return None
    changes = _changes(model, current, state)
    return HouseholdUpdate(version=int(state.version), **changes) if changes else None


def business_update(state: FamilyForm, current: BaseModel, lang: str) -> BusinessUpdate | None:
    """As ``household_update``, for one business."""
    model = _validated(BusinessUpdate, state, {"version": state.version}, lang)
    if model is None:
        return None
    changes = _changes(model, current, state)
    return BusinessUpdate(version=int(state.version), **changes) if changes else None


def new_business(state: FamilyForm, lang: str) -> BusinessCreate | None:
    """The business to record (``None`` with errors in ``state.errors``)."""
    model = _validated(BusinessCreate, state, {}, lang)
    return model if isinstance(model, BusinessCreate) else None


def answer_update(answer: Answer, raw: str, version: str, lang: str) -> tuple[BaseModel | None, str | None]:
    """One answer as the domain's update of its record, or the message saying what to fix."""
    t = translator(lang)
    if raw.strip() == "":
        return None, t("fam.err.required")
    state = FamilyForm((answer.field,), values={answer.field.name: raw.strip()}, posted={answer.field.name})
    schema = HouseholdUpdate if answer.record == "household" else BusinessUpdate
    model = _validated(schema, state, {"version": version}, lang)
    if model is None:
        return None, next(iter(state.errors.values()), t("fam.err.invalid"))
    return model, None


def refusal_field(exc: InvalidInput, state: FamilyForm) -> str:
    """The field a domain refusal points at (``form`` when none of this form's)."""
    name = str(exc.loc[-1]) if len(exc.loc) > 1 else "form"
    return name if name in {f.name for f in state.fields} else "form"
