"""The benefit record on the family's page (``/kpm/{id}#bantuan``): a benefit received outside
Jejaring (``/kpm/{id}/bantuan``) and the confirmation of the certificates a completed programme
gave (``/kpm/{id}/bantuan/{benefit_id}/konfirmasi``). Plain forms with the kit's CSRF token; every
write goes through ``service.benefits``."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from models.benefits import BenefitConfirm, BenefitCreate
from models.eligibility import NEEDS
from service import benefits
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, InvalidInput, NotFound
from service.i18n import N_
from service.settings import Settings
from service.web.facilitator.caseload import GATE
from service.web.facilitator.family import BENEFIT_KINDS, family_response
from service.web.kit import Viewer, error_page, form_viewer, whole_number

router = APIRouter(include_in_schema=False)

_RUPIAH = re.compile(r"[0-9][0-9.,]*")
# The field a refusal names -> the message the form shows.
FIELD_ERRORS = {
    "received_on": "ben.err.received_on",
    "amount": "ben.err.amount",
    "provider": "ben.err.provider",
    "kind": "ben.err.kind",
    "need": "ben.err.need",
    "business_id": "ben.err.business",
    "certificates": "ben.err.certificates",
    "organization_id": "ben.err.provider",
}


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _not_found(request: Request, settings: Settings, viewer: Viewer) -> Response:
    return error_page(request, settings, viewer.user, 404, viewer.t("error.household_not_found"))


def _amount(raw: str) -> int | None:
    """``Rp 2.400.000`` / ``2400000`` -> 2400000; '' -> None; anything else -> ValueError."""
    text = raw.strip()
    if text[:2].lower() == "rp":
        text = text[2:]
    text = text.replace(" ", "")
    if text.endswith(",00"):
        text = text[:-3]
    if not text:
        return None
    if not _RUPIAH.fullmatch(text):
        raise ValueError(raw)
    return int(text.replace(".", "").replace(",", ""))


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.post("/kpm/{household_id}/bantuan", response_class=HTMLResponse)
def benefit_new(
    household_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Record a benefit the family received outside Jejaring; 303 to the family page."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("fam.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    hid = whole_number(household_id)
    if hid is None:
        return _not_found(request, settings, viewer)
    posted = {k: _text(form, k) for k in ("kind", "need", "amount", "received_on", "provider", "program_name", "note")}
    posted["certificates"] = ",".join(v for v in form.getlist("certificates") if isinstance(v, str))

    def again(key: str) -> Response:
        return family_response(
            request, session, settings, viewer, hid, status_code=422, benefit_form={**posted, "error": viewer.t(key)}
        )

    if posted["kind"] not in BENEFIT_KINDS:
        return again("ben.err.kind")
    if posted["need"] and posted["need"] not in NEEDS:
        return again("ben.err.need")
    try:
        amount = _amount(posted["amount"])
    except ValueError:
        return again("ben.err.amount")
    try:
        received = date.fromisoformat(posted["received_on"])
    except ValueError:
        return again("ben.err.received_on")
    if "\x00" in "".join(posted.values()):
        return again("form.err.nul")
    try:
        data = BenefitCreate.model_validate(
            {
                "kind": posted["kind"],
                "need": posted["need"] or None,
                "amount": amount,
                "received_on": received,
                "provider": posted["provider"] or None,
                "program_name": posted["program_name"] or None,
                "certificates": [c for c in posted["certificates"].split(",") if c],
                "note": posted["note"] or None,
            }
        )
    except ValidationError as exc:
        fields = [str(e["loc"][0]) for e in exc.errors() if e.get("loc")]
        return again(next((FIELD_ERRORS[f] for f in fields if f in FIELD_ERRORS), "ben.err.provider"))
    try:
        benefits.record_benefit(
            session, viewer.scope, household_id=hid, data=data, today=settings.today(), request_id=request_id(request)
        )
    except NotFound:
        return _not_found(request, settings, viewer)
    except InvalidInput as exc:
        session.rollback()
        return again(FIELD_ERRORS.get(str(exc.loc[-1]), "ben.err.provider"))
    return RedirectResponse(f"/kpm/{hid}?ok=benefit#bantuan", status_code=303)


@router.post("/kpm/{household_id}/bantuan/{benefit_id}/konfirmasi", response_class=HTMLResponse)
def benefit_confirm(
    household_id: str, benefit_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Confirm the certificates a completed programme gave the business; 303 to the family page."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("fam.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    hid, bid = whole_number(household_id), whole_number(benefit_id)
    if hid is None or bid is None:
        return _not_found(request, settings, viewer)
    raw_business = _text(form, "business_id")
    business_id = whole_number(raw_business) if raw_business else None

    def again(key: str, status_code: int = 422) -> Response:
        return family_response(
            request, session, settings, viewer, hid, status_code=status_code, benefit_form={"confirm_error": bid,
            "error": viewer.t(key)},
        )  # fmt: skip

    if raw_business and business_id is None:
        return again("ben.err.business")
    try:
        benefits.confirm_certificates(
            session,
            viewer.scope,
            household_id=hid,
            benefit_id=bid,
            data=BenefitConfirm(business_id=business_id),
            request_id=request_id(request),
        )
    except NotFound:
        return _not_found(request, settings, viewer)
    except Conflict:
        session.rollback()
        return again("ben.err.confirmed", 409)
    except InvalidInput as exc:
        session.rollback()
        return again(FIELD_ERRORS.get(str(exc.loc[-1]), "ben.err.business"))
    return RedirectResponse(f"/kpm/{hid}?ok=certificate#bantuan", status_code=303)
