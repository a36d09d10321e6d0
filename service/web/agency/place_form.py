"""The profile and service-point forms of the agency pages: what a form posts, read into the
catalogue's schemas, with each refusal at its field in the page language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from models.organizations import LocationPublic, OrganizationPublic, Weekday
from service.errors import InvalidInput
from service.i18n import translator
from service.web.kit import schema_message

PROFILE_FIELDS = ("name", "description", "address", "phone", "email", "website")
LOCATION_FIELDS = ("name", "region_code", "address", "latitude", "longitude", "phone", "email")
DAYS = tuple(d.value for d in Weekday)


@dataclass
class PlaceForm:
    """A form as posted (or as the record stands): its text values and the messages by field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    version: str = ""

    @classmethod
    def of_form(cls, form: FormData, names: tuple[str, ...]) -> PlaceForm:
        keys = (*names, *(f"{w}_{d}" for d in DAYS for w in ("opens", "closes")))
        values = {k: str(form.get(k, "")).strip() for k in keys}
        return cls(values=values, version=str(form.get("version", "")))

    @classmethod
    def of_organization(cls, org: OrganizationPublic) -> PlaceForm:
        values = {k: "" if getattr(org, k) is None else str(getattr(org, k)) for k in PROFILE_FIELDS}
        return cls(values=values, version=str(org.version))

    @classmethod
    def of_location(cls, loc: LocationPublic) -> PlaceForm:
        values = {k: "" if getattr(loc, k) is None else str(getattr(loc, k)) for k in LOCATION_FIELDS}
        for h in loc.opening_hours or []:
            values[f"opens_{h.day.value}"], values[f"closes_{h.day.value}"] = h.opens, h.closes
        return cls(values=values, version=str(loc.version))

    @classmethod
    def blank_location(cls, region_code: str) -> PlaceForm:
        return cls(values={"region_code": region_code})

    # --- reading -------------------------------------------------------------------------------

    def text(self, name: str) -> str | None:
        """A text field: ``None`` when left empty."""
        return self.values.get(name) or None

    def profile_changes(self, org: OrganizationPublic) -> dict[str, Any]:
        """The profile's fields that differ from ``org``'s (an emptied field becomes ``None``)."""
        out: dict[str, Any] = {}
        for name in PROFILE_FIELDS:
            new = self.text(name)
            old = getattr(org, name)
            if new != (None if old is None else str(old)):
                out[name] = new
        return out

    def location_values(self, lang: str) -> dict[str, Any]:
        """The service point's fields as the API takes them; a bad number or half-given day is
        put at its field (``errors``)."""
        t = translator(lang)
        out: dict[str, Any] = {name: self.text(name) for name in ("name", "region_code", "address", "phone", "email")}
        for name in ("latitude", "longitude"):
            raw = (self.text(name) or "").replace(",", ".")
            try:
                out[name] = float(raw) if raw else None
            except ValueError:
                self.errors[name] = t("ag.err.decimal")
        hours = []
        for day in DAYS:
            opens, closes = self.text(f"opens_{day}"), self.text(f"closes_{day}")
            if opens and closes:
                hours.append({"day": day, "opens": opens[:5], "closes": closes[:5]})
            elif opens or closes:
                self.errors[f"hours_{day}"] = t("loc.err.half_day")
        out["opening_hours"] = hours
        return out

    # --- refusals ----------------------------------------------------------------------------

    def show_invalid(self, exc: ValidationError, lang: str, names: tuple[str, ...]) -> None:
        """Put the schema's messages at their fields (an opening time at its day)."""
        for err in exc.errors():
            loc = err["loc"]
            name = str(loc[0]) if loc else "form"
            if name == "opening_hours":
                index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
                day = self._hours_day(index)
                t = translator(lang)
                if "pattern" in err["type"]:
                    message = t("loc.err.hours")
                elif err["type"] == "value_error":
                    message = t("loc.err.order")
                else:
                    message = schema_message(err, lang)
                self.errors.setdefault(f"hours_{day}" if day else "hours", message)
                continue
            self.errors.setdefault(name if name in names else "form", schema_message(err, lang))

    def _hours_day(self, index: int | None) -> str | None:
        if index is None:
            return None
        given = [d for d in DAYS if self.text(f"opens_{d}") and self.text(f"closes_{d}")]
        return given[index] if index < len(given) else None

    def show_refused(self, exc: InvalidInput, names: tuple[str, ...]) -> None:
        name = str(exc.loc[1]) if len(exc.loc) > 1 else "form"
        self.errors[name if name in names else "form"] = exc.message
