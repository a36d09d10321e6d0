"""A programme's history on its page: the latest revisions, newest first, each change in words."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from mapping import labels
from service.catalog import RevisionHistory
from service.i18n import translator
from service.settings import Settings
from service.web.agency.program_form import DATE_FIELDS
from service.web.agency.rule_builder import rule_words
from service.web.kit import decimal, rupiah, short_date

REVISIONS_SHOWN = 30
EMPTY: tuple[Any, ...] = (None, "", [], {})


def revisions_view(history: RevisionHistory, lang: str, settings: Settings) -> list[dict[str, Any]]:
    """The revisions of ``history`` (newest first) with each change in words."""
    zone = ZoneInfo(settings.timezone)
    t = translator(lang)
    out = []
    for r in history.revisions:
        changes = [
            (
                t(f"ag.f.{key}"),
                change_text(key, old, lang, history.region_names, history.location_names),
                change_text(key, new, lang, history.region_names, history.location_names),
            )
            for key, (old, new) in r.changes.items()
            if key != "organization_id" and not (old in EMPTY and new in EMPTY)
        ]
        out.append(
            {
                "version": r.version,
                "at": _when(r.at, zone, lang),
                "who": history.usernames.get(r.actor_user_id, "–") if r.actor_user_id is not None else "–",
                "action": t(f"ag.rev.{r.action}") if r.action in ("create", "update", "publish") else r.action,
                "kind": r.action,
                "changes": changes,
            }
        )
    return out


def _when(at: datetime, zone: ZoneInfo, lang: str) -> str:
    local = at.astimezone(zone)
    return f"{short_date(local.date(), lang)} {local:%H:%M}"


def change_text(key: str, value: Any, lang: str, region_names: dict[str, str], location_names: dict[int, str]) -> str:
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
        return ", ".join(f"{c} ({region_names[c]})" if c in region_names else c for c in value)
    if key == "location_ids":
        return ", ".join(location_names.get(i, f"#{i}") for i in value)
    if key == "eligibility":
        return rule_words(value, lang)
    if key == "description" and isinstance(value, str) and len(value) > 160:
        return value[:157] + "…"
    return str(value)
