"""A business check-in from the phone (``/kpm/{id}/usaha/{business_id}/checkin``): one plain form,
prefilled from the last check-in, saved in one tap through the households domain's
``record_checkin`` (the same rules as ``POST /api/v1/households/{id}/businesses/{business_id}/checkins``).
No JavaScript needed; CSRF via the kit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from models.households import SalesChannel
from models.monitoring import CERTIFICATE_FACTS, BusinessCheckinCreate, Certification, LoanStatus
from service import households
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.households import CheckinForm
from service.i18n import N_
from service.settings import Settings
from service.web.facilitator.caseload import GATE
from service.web.kit import (
    Viewer,
    error_page,
    form_viewer,
    render,
    schema_message,
    viewer_for,
    whole_number,
)

router = APIRouter(include_in_schema=False)

FIELDS = (
    "checked_on",
    "monthly_revenue",
    "monthly_costs",
    "workers",
    "sales_channels",
    "certifications",
    "loan_status",
    "note",
)
# The use case's refusals (their ``kind``) in the page language.
REFUSALS = {
    "future_date": N_("checkin.err.future_date"),
    "before_start": N_("checkin.err.before_start"),
    "negative": N_("checkin.err.negative"),
    "confirm_jump": N_("checkin.err.confirm_jump"),
    "no_loan": N_("checkin.err.no_loan"),
}
_NOT_DIGITS = re.compile(r"[.,\s]|^Rp", re.IGNORECASE)


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


@dataclass
class CheckinState:
    """The form as shown: each field's text (or choices ticked) and each field's message."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    ask_confirm: bool = False


def prefilled(form: CheckinForm, today: str) -> CheckinState:
    """The form prefilled from the last check-in (else the business's facts), dated today."""
    b, last = form.business, form.last
    revenue = last.monthly_revenue if last else b.monthly_revenue
    workers = last.workers if last and last.workers is not None else b.workers
    costs = last.monthly_costs if last else None
    return CheckinState(
        values={
            "checked_on": today,
            "monthly_revenue": "" if revenue is None else str(revenue),
            "monthly_costs": "" if costs is None else str(costs),
            "workers": "" if workers is None else str(workers),
            "loan_status": (last.loan_status or "") if last and form.loan_applies else "",
            "note": "",
        },
        lists={
            "sales_channels": list(last.sales_channels if last else b.sales_channels),
            "certifications": list(last.certifications)
            if last
            else [c.value for c, fact in CERTIFICATE_FACTS.items() if getattr(b, fact)],
        },
    )


def _amount(text: str) -> str | int | None:
    """A rupiah amount as typed (``1.500.000``, ``Rp 1500000``): the number, else the text as it is."""
    text = text.strip()
    if not text:
        return None
    digits = _NOT_DIGITS.sub("", text)
    return int(digits) if re.fullmatch(r"-?\d{1,16}", digits) else text


def posted(form: FormData) -> tuple[CheckinState, dict[str, Any]]:
    """The form as sent, and the check-in's fields to validate."""
    values = {
        name: str(form.get(name) or "").strip() for name in FIELDS if name not in ("sales_channels", "certifications")
    }
    lists = {name: [str(v) for v in form.getlist(name) if v] for name in ("sales_channels", "certifications")}
    data: dict[str, Any] = {
        "checked_on": values["checked_on"] or None,
        "monthly_revenue": _amount(values["monthly_revenue"]),
        "monthly_costs": _amount(values["monthly_costs"]),
        "workers": values["workers"] or None,
        "sales_channels": lists["sales_channels"],
        "certifications": lists["certifications"],
        "loan_status": values["loan_status"] or None,
        "note": values["note"] or None,
        "confirm_jump": form.get("confirm_jump") == "ya",
    }
    return CheckinState(values=values, lists=lists), data


def _page(
    request: Request, settings: Settings, viewer: Viewer, form: CheckinForm, state: CheckinState, status_code: int = 200
) -> HTMLResponse:
    t = viewer.t
    context: dict[str, Any] = {
        "h": form.household,
        "business": form.business,
        "last": form.last,
        "form": state,
        "loan_applies": form.loan_applies,
        "channels": [(c.value, t(f"channel.{c.value}")) for c in SalesChannel],
        "certificates": [(c.value, t(f"cert.{c.value}")) for c in Certification],
        "loan_choices": [("", t("checkin.loan.none"))] + [(s.value, t(f"loan.{s.value}")) for s in LoanStatus],
        "labels": {name: t(f"checkin.f.{name}") for name in FIELDS},
    }
    return render(request, settings, "kpm_checkin.html", context, status_code=status_code, user=viewer.user)


def _load(
    request: Request, session: SessionDep, settings: Settings, viewer: Viewer, household_id: str, business_id: str
) -> CheckinForm | Response:
    hid, bid = whole_number(household_id), whole_number(business_id)
    try:
        if hid is None or bid is None:
            raise NotFound("not a record")
        return households.checkin_form(
            session, viewer.scope, household_id=hid, business_id=bid, request_id=request_id(request)
        )
    except NotFound:
        return error_page(request, settings, viewer.user, 404, viewer.t("fam.err.business_not_found"))
    except Forbidden:
        return error_page(request, settings, viewer.user, 403, viewer.t("fam.err.forbidden"))


@router.get("/kpm/{household_id}/usaha/{business_id}/checkin", response_class=HTMLResponse)
def checkin_page(
    household_id: str, business_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The check-in form of a business, prefilled from its last check-in."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    form = _load(request, session, settings, viewer, household_id, business_id)
    if isinstance(form, Response):
        return form
    return _page(request, settings, viewer, form, prefilled(form, settings.today().isoformat()))


@router.post("/kpm/{household_id}/usaha/{business_id}/checkin", response_class=HTMLResponse)
def checkin_save(
    household_id: str, business_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Record the check-in; 303 to the family page (the form again with each field's message on a refusal)."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("fam.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    loaded = _load(request, session, settings, viewer, household_id, business_id)
    if isinstance(loaded, Response):
        return loaded
    state, raw = posted(form)
    try:
        data = BusinessCheckinCreate.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err.get("loc") else "form"
            state.errors.setdefault(name if name in FIELDS else "form", schema_message(err, viewer.lang))
        return _page(request, settings, viewer, loaded, state, status_code=422)
    assert loaded.household.id is not None and loaded.business.id is not None
    try:
        households.record_checkin(
            session,
            viewer.scope,
            household_id=loaded.household.id,
            business_id=loaded.business.id,
            data=data,
            today=settings.today(),
            request_id=request_id(request),
        )
    except InvalidInput as exc:
        name = str(exc.loc[-1]) if exc.loc else "form"
        key = REFUSALS.get(exc.kind)
        state.errors[name if name in FIELDS else "form"] = viewer.t(key) if key else exc.message
        state.ask_confirm = exc.kind == "confirm_jump"
        return _page(request, settings, viewer, loaded, state, status_code=422)
    except Conflict:  # the business changed while the facts were moved: nothing was stored
        state.errors["form"] = viewer.t("checkin.err.conflict")
        return _page(request, settings, viewer, loaded, state, status_code=409)
    return RedirectResponse(f"/kpm/{loaded.household.id}?ok=checkin#usaha-{loaded.business.id}", status_code=303)
