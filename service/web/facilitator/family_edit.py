"""Keeping a family current from its page: the household's form (``/kpm/{id}/ubah``), a
business's (``/kpm/{id}/usaha/{business_id}/ubah``), a new business (``/kpm/{id}/usaha/baru``) and
the answer to a programme's open question given in place (``/kpm/{id}/jawab``).

Plain forms with the session's CSRF token, no JavaScript needed. Every save goes through the
households domain's use cases (the same as ``PATCH /api/v1/households/...``: scope, checks,
version, audit); a stale version shows the data as it now stands (409), a bad value the form
again with every field's message (422).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from models.households import BusinessCreate, BusinessPublic, BusinessUpdate, HouseholdPublic, HouseholdUpdate
from models.users import Role
from service.core.records import StaleVersion
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.households import use_cases as households
from service.households.caseload import village_group_choices
from service.i18n import N_
from service.settings import Settings
from service.web.facilitator.caseload import GATE
from service.web.facilitator.family import AnswerError, family_response
from service.web.facilitator.family_form import (
    ANSWERS,
    BUSINESS_FORM,
    HOUSEHOLD_FORM,
    FamilyForm,
    answer_update,
    answerable,
    business_update,
    choices,
    household_update,
    new_business,
    refusal_field,
)
from service.web.kit import Viewer, error_page, form_viewer, render, viewer_for, whole_number

router = APIRouter(include_in_schema=False)


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


# --- who and what -------------------------------------------------------------------------------


def _household(
    request: Request, session: SessionDep, settings: Settings, viewer: Viewer, raw_id: str
) -> HouseholdPublic | Response:
    """The family in the viewer's care, with its businesses (the 404 page otherwise)."""
    hid = whole_number(raw_id)
    if hid is not None:
        try:
            return households.get_household(session, viewer.scope, hid, request_id=request_id(request))
        except NotFound:
            pass
    return error_page(request, settings, viewer.user, 404, viewer.t("error.household_not_found"))


def _business(
    request: Request, settings: Settings, viewer: Viewer, family: HouseholdPublic, raw_id: str
) -> BusinessPublic | Response:
    """One of the family's businesses (the 404 page otherwise)."""
    bid = whole_number(raw_id)
    for b in family.businesses:
        if b.id == bid:
            return b
    return error_page(request, settings, viewer.user, 404, viewer.t("fam.err.business_not_found"))


def _refused(request: Request, settings: Settings, viewer: Viewer, exc: NotFound | Forbidden) -> Response:
    message = viewer.t("error.household_not_found" if isinstance(exc, NotFound) else "fam.err.forbidden")
    return error_page(request, settings, viewer.user, exc.status_code, message)


# --- the forms ----------------------------------------------------------------------------------


def _form_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    family: HouseholdPublic,
    state: FamilyForm,
    *,
    business: BusinessPublic | None = None,
    new: bool = False,
    status_code: int = 200,
    conflict: bool = False,
) -> HTMLResponse:
    groups: dict[int, str] = {}
    if state.fields is HOUSEHOLD_FORM:
        groups = village_group_choices(session, viewer.scope, family.village_code)
        if family.group_id is not None and family.group_id not in groups:  # kept as it is, though not the viewer's
            groups[family.group_id] = f"#{family.group_id}"
        action, title = f"/kpm/{family.id}/ubah", viewer.t("fam.edit.household")
    elif new:
        action, title = f"/kpm/{family.id}/usaha/baru", viewer.t("fam.edit.new_business")
    else:
        assert business is not None
        action, title = f"/kpm/{family.id}/usaha/{business.id}/ubah", viewer.t("fam.edit.business")
    context: dict[str, Any] = {
        "h": family,
        "business": business,
        "form": state,
        "choices": {f.name: choices(f, viewer.lang, groups) for f in state.fields},
        "action_url": action,
        "title": title,
        "conflict": conflict,
        "versioned": not new,
    }
    return render(request, settings, "kpm_family_form.html", context, status_code=status_code, user=viewer.user)


def _conflict_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    household_id: int,
    posted: FamilyForm,
    business_id: int | None = None,
) -> Response:
    """409: the record as it now stands, with what the facilitator had typed beside each field."""
    family = _household(request, session, settings, viewer, str(household_id))
    if isinstance(family, Response):
        return family
    business = None
    if business_id is not None:
        found = _business(request, settings, viewer, family, str(business_id))
        if isinstance(found, Response):
            return found
        business = found
    state = FamilyForm.of_record(posted.fields, business or family)
    groups = village_group_choices(session, viewer.scope, family.village_code) if business is None else None
    state.show_conflict(posted, viewer.lang, groups)
    return _form_page(
        request, session, settings, viewer, family, state, business=business, status_code=409, conflict=True
    )


@router.get("/kpm/{household_id}/ubah", response_class=HTMLResponse)
def household_form(household_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The household's edit form."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    family = _household(request, session, settings, viewer, household_id)
    if isinstance(family, Response):
        return family
    state = FamilyForm.of_record(HOUSEHOLD_FORM, family)
    return _form_page(request, session, settings, viewer, family, state)


@router.post("/kpm/{household_id}/ubah", response_class=HTMLResponse)
def household_save(
    household_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Save the household's form; 303 to the family page."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("fam.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    family = _household(request, session, settings, viewer, household_id)
    if isinstance(family, Response):
        return family
    state = FamilyForm.of_form(HOUSEHOLD_FORM, form)
    if state.version != str(family.version):
        return _conflict_page(request, session, settings, viewer, family.id, state)
    data = household_update(state, family, viewer.lang)
    if state.errors:
        return _form_page(request, session, settings, viewer, family, state, status_code=422)
    if data is None:
        return RedirectResponse(f"/kpm/{family.id}?ok=unchanged", status_code=303)
    return _save(request, session, settings, viewer, family, state, data)


def _save(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    family: HouseholdPublic,
    state: FamilyForm,
    data: HouseholdUpdate | BusinessUpdate | BusinessCreate,
    *,
    business: BusinessPublic | None = None,
) -> Response:
    """Save through the households use cases; 303 to the family page, or the form with what went wrong."""
    rid = request_id(request)
    try:
        if isinstance(data, HouseholdUpdate):
            households.update_household(
                session,
                household_id=family.id,
                data=data,
                scope=viewer.scope,
                nik_key=settings.nik_hash_key,
                request_id=rid,
            )
            ok = "household"
        elif isinstance(data, BusinessUpdate):
            assert business is not None
            households.update_business(
                session, household_id=family.id, business_id=business.id, data=data, scope=viewer.scope, request_id=rid
            )
            ok = "business"
        else:
            households.add_business(session, household_id=family.id, data=data, scope=viewer.scope, request_id=rid)
            ok = "business_new"
    except StaleVersion:
        return _conflict_page(
            request, session, settings, viewer, family.id, state, business.id if business is not None else None
        )
    except InvalidInput as exc:
        field = refusal_field(exc, state)
        state.errors[field] = viewer.t("fam.err.group" if field == "group_id" else "fam.err.refused")
        new = isinstance(data, BusinessCreate)
        return _form_page(
            request, session, settings, viewer, family, state, business=business, new=new, status_code=422
        )
    except (NotFound, Forbidden) as exc:
        return _refused(request, settings, viewer, exc)
    except Conflict as exc:
        return error_page(request, settings, viewer.user, exc.status_code, viewer.t("fam.err.refused"))
    return RedirectResponse(f"/kpm/{family.id}?ok={ok}", status_code=303)


@router.get("/kpm/{household_id}/usaha/baru", response_class=HTMLResponse)
def business_new_form(household_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The form of a new business of the family."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    family = _household(request, session, settings, viewer, household_id)
    if isinstance(family, Response):
        return family
    state = FamilyForm.of_record(BUSINESS_FORM, None)
    return _form_page(request, session, settings, viewer, family, state, new=True)


@router.post("/kpm/{household_id}/usaha/baru", response_class=HTMLResponse)
def business_new_save(
    household_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Record a new business of the family; 303 to the family page."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("fam.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    family = _household(request, session, settings, viewer, household_id)
    if isinstance(family, Response):
        return family
    state = FamilyForm.of_form(BUSINESS_FORM, form)
    state.posted |= {f.name for f in BUSINESS_FORM}  # a new business: a field not sent is empty
    data = new_business(state, viewer.lang)
    if data is None:
        return _form_page(request, session, settings, viewer, family, state, new=True, status_code=422)
    return _save(request, session, settings, viewer, family, state, data)


@router.get("/kpm/{household_id}/usaha/{business_id}/ubah", response_class=HTMLResponse)
def business_form(
    household_id: str, business_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """A business's edit form."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    family = _household(request, session, settings, viewer, household_id)
    if isinstance(family, Response):
        return family
    business = _business(request, settings, viewer, family, business_id)
    if isinstance(business, Response):
        return business
    state = FamilyForm.of_record(BUSINESS_FORM, business)
    return _form_page(request, session, settings, viewer, family, state, business=business)


@router.post("/kpm/{household_id}/usaha/{business_id}/ubah", response_class=HTMLResponse)
def business_save(
    household_id: str, business_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Save a business's form; 303 to the family page."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("fam.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    family = _household(request, session, settings, viewer, household_id)
    if isinstance(family, Response):
        return family
    business = _business(request, settings, viewer, family, business_id)
    if isinstance(business, Response):
        return business
    state = FamilyForm.of_form(BUSINESS_FORM, form)
    if state.version != str(business.version):
        return _conflict_page(request, session, settings, viewer, family.id, state, business.id)
    data = business_update(state, business, viewer.lang)
    if state.errors:
        return _form_page(request, session, settings, viewer, family, state, business=business, status_code=422)
    if data is None:
        return RedirectResponse(f"/kpm/{family.id}?ok=unchanged", status_code=303)
    return _save(request, session, settings, viewer, family, state, data, business=business)


# --- an open question answered in place ------------------------------------------------------------


@router.post("/kpm/{household_id}/jawab", response_class=HTMLResponse)
def answer(household_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Answer one programme's open question about the family (or the business it was judged on);
    303 back to the family page, which shows the new verdict."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("fam.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    family = _household(request, session, settings, viewer, household_id)
    if isinstance(family, Response):
        return family
    rule_field = str(form.get("field", ""))
    raw = str(form.get("value", ""))
    version = str(form.get("version", "")).strip()
    program_id = whole_number(str(form.get("program_id", "")))
    back = f"/kpm/{family.id}?ok=answer" + (f"#program-{program_id}" if program_id is not None else "")

    def again(status_code: int, message: str | None = None, *, conflict: bool = False) -> Response:
        error = AnswerError(program_id, rule_field, message, raw) if message else None
        return family_response(
            request,
            session,
            settings,
            viewer,
            family.id,
            status_code=status_code,
            conflict=conflict,
            answer_error=error,
        )

    spec = ANSWERS.get(rule_field)
    if spec is None:
        return again(422, viewer.t("fam.err.question"))
    if rule_field not in answerable(own_facilitator=viewer.scope.role is Role.facilitator):
        return error_page(request, settings, viewer.user, 403, viewer.t("fam.err.sensitive"))
    business = None
    if spec.record == "business":
        found = _business(request, settings, viewer, family, str(form.get("business_id", "")))
        if isinstance(found, Response):
            return found
        business = found
    current = business.version if business is not None else family.version
    if version != str(current):
        return again(409, conflict=True)
    data, message = answer_update(spec, raw, version, viewer.lang)
    if data is None:
        return again(422, message)
    rid = request_id(request)
    try:
        if isinstance(data, HouseholdUpdate):
            households.update_household(
                session,
                household_id=family.id,
                data=data,
                scope=viewer.scope,
                nik_key=settings.nik_hash_key,
                request_id=rid,
            )
        elif isinstance(data, BusinessUpdate) and business is not None:
            households.update_business(
                session, household_id=family.id, business_id=business.id, data=data, scope=viewer.scope, request_id=rid
            )
    except StaleVersion:
        return again(409, conflict=True)
    except InvalidInput:
        return again(422, viewer.t("fam.err.refused"))
    except (NotFound, Forbidden) as exc:
        return _refused(request, settings, viewer, exc)
    return RedirectResponse(back, status_code=303)
