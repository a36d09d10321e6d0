"""Accounts (``/admin/akun``): the list by role, the create form (a role and its link, or a new
facilitator record with the account), one account with its deactivate and reset buttons. A new
or reset account's temporary password is shown once, on the answer to the post."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from models.households import EducationBackground, FacilitatorCreate
from models.users import Role
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, InvalidInput, NotFound, ServiceError
from service.i18n import N_
from service.people import admin
from service.settings import Settings
from service.web.admin.gate import GATE, NO_STORE, FormDep, field, form_viewer
from service.web.kit import Viewer, error_page, moment_text, page_window, render, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
NEW_FACILITATOR = "baru"  # the facilitator select's choice "create a new facilitator record"
_CODES = re.compile(r"[\s,;]+")
# What a refusal of the create form reads as (InvalidInput.kind; Conflict: the username is taken).
CREATE_ERRORS = {
    "username": N_("admin.err.username"),
    "full_name": N_("admin.err.full_name"),
    "link": N_("admin.err.link"),
}


class _Filter:
    """``/admin/akun?role=&hal=``; ``query`` builds the pager's links."""

    def __init__(self, role: Role | None, page: int) -> None:
        self.role, self.page = role, page

    def query(self, *, page: int = 1) -> str:
        params = {"role": self.role.value} if self.role else {}
        if page > 1:
            params["hal"] = str(page)
        return urlencode(params)


@router.get("/admin/akun", response_class=HTMLResponse)
def accounts_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Every account: username, name, role, link, active, last sign-in; by role, paged."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    raw_role = request.query_params.get("role") or ""
    page = whole_number(request.query_params.get("hal") or "1")
    if raw_role and raw_role not in Role.__members__:
        return error_page(request, settings, viewer.user, 422, t("error.bad_filter").format(field=t("admin.role")))
    if page is None or page < 1:
        return error_page(request, settings, viewer.user, 422, t("error.bad_filter").format(field=t("page.label")))
    f = _Filter(Role(raw_role) if raw_role else None, page)
    first = admin.list_accounts(session, viewer.scope, role=f.role, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    page, pages, start = page_window(first.total, PAGE_SIZE, page)
    found = first
    if start != first.offset:  # past the last page: show the last one
        found = admin.list_accounts(session, viewer.scope, role=f.role, limit=PAGE_SIZE, offset=start)
    context = {
        "rows": found.items,
        "count": found.total,
        "f": f,
        "roles": list(Role),
        "page": page,
        "pages": pages,
        "action": "/admin/akun",
        "when": moment_text(settings, viewer.lang),
    }
    return render(request, settings, "admin_accounts.html", context, user=viewer.user)


def _create_form(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    detail: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "choices": admin.link_choices(session, viewer.scope),
        "roles": list(Role),
        "educations": list(EducationBackground),
        "v": values or {},
        "error": error,
        "detail": detail,
        "new_facilitator": NEW_FACILITATOR,
    }
    return render(request, settings, "admin_account_new.html", context, status_code=status, user=viewer.user)


@router.get("/admin/akun/baru", response_class=HTMLResponse)
def new_account_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The form for a new account."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    return _create_form(request, session, settings, viewer)


_FORM_FIELDS = (
    "username",
    "full_name",
    "role",
    "facilitator_id",
    "organization_id",
    "forum_id",
    "f_name",
    "f_education",
    "f_region",
    "f_villages",
)


@router.post("/admin/akun/baru", response_class=HTMLResponse)
def create_account(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Create the account; the answer shows its temporary password once."""
    viewer = form_viewer(request, session, settings, form)
    if isinstance(viewer, Response):
        return viewer
    v = {name: field(form, name) for name in _FORM_FIELDS}

    def refuse(key: str, status: int = 422, detail: str | None = None) -> HTMLResponse:
        return _create_form(
            request, session, settings, viewer, values=v, error=viewer.t(key), detail=detail, status=status
        )

    if v["role"] not in Role.__members__:
        return refuse(N_("admin.err.role_choice"))
    role = Role(v["role"])
    links: dict[str, int | None] = {}
    new_facilitator = None
    attr = {Role.facilitator: "facilitator_id", Role.agency_staff: "organization_id", Role.forum_organizer: "forum_id"}
    if role in attr:
        raw = v[attr[role]]
        if role is Role.facilitator and raw == NEW_FACILITATOR:
            try:
                new_facilitator = FacilitatorCreate(
                    name=v["f_name"],
                    education_background=v["f_education"],  # type: ignore[arg-type]
                    region_code=v["f_region"] or None,
                    village_codes=[c for c in _CODES.split(v["f_villages"]) if c],
                )
            except ValidationError:
                return refuse(N_("admin.err.facilitator"))
        else:
            links[attr[role]] = whole_number(raw)
            if links[attr[role]] is None:
                return refuse(N_("admin.err.link"))
    try:
        issued = admin.create_account(
            session,
            viewer.scope,
            username=v["username"],
            full_name=v["full_name"] or None,
            role=role,
            new_facilitator=new_facilitator,
            request_id=request_id(request),
            **links,
        )
    except Conflict:
        session.rollback()
        return refuse(N_("admin.err.taken"), status=409)
    except InvalidInput as exc:
        session.rollback()
        return refuse(CREATE_ERRORS.get(exc.kind, N_("admin.err.facilitator")), detail=exc.message)
    response = render(
        request, settings, "admin_account_issued.html", {"issued": issued, "created": True}, user=viewer.user
    )
    response.headers.update(NO_STORE)
    return response


def _account_or_404(request: Request, session: SessionDep, settings: Settings, viewer: Viewer, raw: str) -> Any:
    uid = whole_number(raw)
    try:
        if uid is None:
            raise NotFound("no such account")
        return admin.get_account(session, viewer.scope, user_id=uid)
    except NotFound:
        return error_page(request, settings, viewer.user, 404, viewer.t("admin.err.no_account"))


@router.get("/admin/akun/{user_id}", response_class=HTMLResponse)
def account_page(user_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One account, with its deactivate and reset-password buttons."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    account = _account_or_404(request, session, settings, viewer, user_id)
    if isinstance(account, Response):
        return account
    return _detail(request, settings, viewer, account, done=request.query_params.get("selesai"))


def _detail(
    request: Request,
    settings: Settings,
    viewer: Viewer,
    account: admin.AccountRow,
    *,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "a": account,
        "done": done if done in ("deactivated",) else None,
        "error": error,
        "own": account.id == viewer.user.id,
        "when": moment_text(settings, viewer.lang),
    }
    return render(request, settings, "admin_account_detail.html", context, status_code=status, user=viewer.user)


def _account_action(
    request: Request, session: SessionDep, settings: Settings, form: Any, user_id: str
) -> tuple[Viewer, admin.AccountRow] | Response:
    """The admin and the account of an action's post, once CSRF and the confirm box are checked."""
    viewer = form_viewer(request, session, settings, form)
    if isinstance(viewer, Response):
        return viewer
    account = _account_or_404(request, session, settings, viewer, user_id)
    if isinstance(account, Response):
        return account
    if field(form, "confirm") != "ya":
        return _detail(request, settings, viewer, account, error=viewer.t("admin.err.confirm"), status=422)
    return viewer, account


@router.post("/admin/akun/{user_id}/nonaktifkan", response_class=HTMLResponse)
def deactivate(user_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Deactivate the account (its sessions end); 303 back to it."""
    checked = _account_action(request, session, settings, form, user_id)
    if isinstance(checked, Response):
        return checked
    viewer, account = checked
    try:
        admin.deactivate_account(session, viewer.scope, user_id=account.id, request_id=request_id(request))
    except ServiceError as exc:
        session.rollback()
        key = N_("admin.err.self") if isinstance(exc, InvalidInput) else N_("admin.err.inactive")
        return _detail(request, settings, viewer, account, error=viewer.t(key), status=exc.status_code)
    return RedirectResponse(f"/admin/akun/{account.id}?selesai=deactivated", status_code=303)


@router.post("/admin/akun/{user_id}/reset", response_class=HTMLResponse)
def reset(user_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Give the account a temporary password, shown once on the answer; its sessions end."""
    checked = _account_action(request, session, settings, form, user_id)
    if isinstance(checked, Response):
        return checked
    viewer, account = checked
    try:
        issued = admin.reset_account_password(session, viewer.scope, user_id=account.id, request_id=request_id(request))
    except InvalidInput as exc:
        session.rollback()
        return _detail(request, settings, viewer, account, error=viewer.t("admin.err.self"), status=exc.status_code)
    response = render(
        request, settings, "admin_account_issued.html", {"issued": issued, "created": False}, user=viewer.user
    )
    response.headers.update(NO_STORE)
    return response
