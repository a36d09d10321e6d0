"""What the forum's own pages share: the words for roles, statuses and kinds, reading a form's
values, and a refused write in the page language."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from models.users import Role
from service.errors import InvalidInput, ServiceError
from service.i18n import N_
from service.web.kit import Gate, Translate, schema_message

GATE = Gate(roles=(Role.forum_organizer, Role.admin))

MEMBER_ROLES = {
    "chair": N_("fm.role.chair"),
    "secretary": N_("fm.role.secretary"),
    "treasurer": N_("fm.role.treasurer"),
    "member": N_("fm.role.member"),
}
PLAN_STATUSES = {
    "planned": N_("fm.plan.planned"),
    "in_progress": N_("fm.plan.in_progress"),
    "done": N_("fm.plan.done"),
    "dropped": N_("fm.plan.dropped"),
}
COMMITMENT_STATUSES = {
    "open": N_("fm.cs.open"),
    "done": N_("fm.cs.done"),
    "dropped": N_("fm.cs.dropped"),
}
PARTY_KINDS = {"organization": N_("fm.kind.organization"), "facilitator": N_("fm.kind.facilitator")}
# The fields a refusal can name, as the forms label them.
FIELDS = {
    "name": N_("fm.f.name"),
    "region_code": N_("fm.f.region"),
    "description": N_("fm.f.description"),
    "organizer_user_ids": N_("fm.f.organisers"),
    "member_id": N_("fm.f.party"),
    "member_kind": N_("fm.f.party"),
    "role": N_("fm.f.role"),
    "joined_on": N_("fm.f.joined"),
    "left_on": N_("fm.f.left"),
    "title": N_("fm.f.title"),
    "owner_id": N_("fm.f.owner"),
    "owner_kind": N_("fm.f.owner"),
    "due_on": N_("fm.f.due"),
    "status": N_("fm.f.status"),
    "held_on": N_("fm.f.held_on"),
    "place": N_("fm.f.place"),
    "agenda": N_("fm.f.agenda"),
    "minutes": N_("fm.f.minutes"),
    "attendance": N_("fm.f.attendance"),
    "party_id": N_("fm.f.party"),
    "party_kind": N_("fm.f.party"),
    "text": N_("fm.f.text"),
    "program_id": N_("fm.f.program"),
    "need": N_("fm.f.need"),
    "sector": N_("fm.f.sector"),
    "village_code": N_("fm.f.village"),
    "note": N_("fm.f.note"),
    "version": N_("fm.f.version"),
}

REFUSED = {403: N_("fm.err.forbidden"), 404: N_("fm.err.not_found"), 409: N_("fm.err.conflict")}


def labels(t: Translate) -> dict[str, Any]:
    """The words the forum templates look up by value."""
    return {
        "role_word": lambda v: t(MEMBER_ROLES.get(str(v), "fm.role.member")),
        "plan_word": lambda v: t(PLAN_STATUSES.get(str(v), "fm.plan.planned")),
        "cs_word": lambda v: t(COMMITMENT_STATUSES.get(str(v), "fm.cs.open")),
        "kind_word": lambda v: t(PARTY_KINDS.get(str(v), "fm.kind.organization")),
        "member_roles": list(MEMBER_ROLES),
        "plan_statuses": list(PLAN_STATUSES),
        "commitment_statuses": list(COMMITMENT_STATUSES),
    }


class BadForm(Exception):
    """A form value the page cannot read: names its field (a ``FIELDS`` key)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def day(raw: str, field: str) -> date | None:
    """A date field (``YYYY-MM-DD``, as ``<input type=date>`` sends it) or ``None`` when empty."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadForm(field) from None


def party(raw: str, field: str) -> tuple[str, int] | None:
    """``organization:5`` -> ("organization", 5); ``None`` when empty."""
    raw = raw.strip()
    if not raw:
        return None
    kind, _, number = raw.partition(":")
    if kind not in PARTY_KINDS or not number.isdigit() or len(number) > 9 or int(number) < 1:
        raise BadForm(field)
    return kind, int(number)


def text(raw: str) -> str | None:
    return raw.strip() or None


def field_word(t: Translate, loc: tuple[Any, ...] | list[Any]) -> str:
    """The label of the last named field in ``loc`` (with the row number inside a list)."""
    names = [p for p in loc if isinstance(p, str) and p != "body"]
    numbers = [p for p in loc if isinstance(p, int)]
    name = names[-1] if names else ""
    word = t(FIELDS[name]) if name in FIELDS else t("fm.f.form")
    if numbers:
        word = f"{word} ({t('fm.row')} {numbers[0] + 1})"
    return word


def refusal(t: Translate, lang: str, exc: Exception) -> tuple[int, str]:
    """A refused write as (status, message in the page language)."""
    if isinstance(exc, BadForm):
        return 422, t("fm.err.field").format(field=t(FIELDS.get(exc.field, "fm.f.form")))
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        loc = tuple(err.get("loc") or ())
        return 422, t("fm.err.field_why").format(field=field_word(t, loc), why=schema_message(err, lang))
    if isinstance(exc, InvalidInput):
        return 422, t("fm.err.field_why").format(field=field_word(t, exc.loc), why=exc.message)
    if isinstance(exc, ServiceError):
        key = {403: N_("fm.err.forbidden"), 404: N_("fm.err.not_found"), 409: N_("fm.err.conflict")}.get(
            exc.status_code
        )
        return exc.status_code, t(key) if key else exc.message
    raise exc
