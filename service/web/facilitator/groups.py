"""KPM groups (``/kpm/kelompok``): the facilitator's groups by village with a create form, and one
group (``/kpm/kelompok/{id}``) with its families, the rename and leader forms, and the form that
puts families of the village into it. Plain forms with the session's CSRF token; every write goes
through ``service.households``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.households import KpmGroupUpdate
from service import households
from service.core.records import StaleVersion
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from service.households.groups import GROUP_SIZE, NAME_MAX
from service.i18n import N_
from service.settings import Settings
from service.web.facilitator.caseload import GATE
from service.web.kit import Viewer, error_page, form_viewer, page_window, render, viewer_for, whole_number

if TYPE_CHECKING:
    from sqlmodel import Session

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 100
MOVE_MAX = 500


class _Pages:
    """The pager's link builder for the groups list."""

    def query(self, *, page: int = 1) -> str:
        return f"hal={page}" if page > 1 else ""


def _message(t: Callable[[str], str], exc: ServiceError) -> str:
    """The page's words for a refusal of the groups' use cases."""
    if isinstance(exc, StaleVersion):
        return t("grp.err.stale")
    if isinstance(exc, Conflict):
        return t("grp.err.name_taken")
    if isinstance(exc, Forbidden):
        return t("grp.err.village")
    if isinstance(exc, InvalidInput):
        keys: dict[tuple[str | int, ...], str] = {
            ("body", "name"): N_("grp.err.name"),
            ("body", "village_code"): N_("grp.err.village_code"),
            ("body", "facilitator_id"): N_("grp.err.facilitator"),
            ("body", "leader_household_id"): N_("grp.err.leader"),
            ("body", "version"): N_("grp.err.stale"),
        }
        return t(keys.get(exc.loc, N_("grp.err.members"))).format(n=NAME_MAX)
    return t("error.not_found")


# --- the groups ---------------------------------------------------------------------------------


def _overview(
    request: Request,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    *,
    page: int = 1,
    status_code: int = 200,
    error: str | None = None,
    detail: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    start = (page - 1) * PAGE_SIZE
    overview = households.groups_overview(
        session, viewer.scope, limit=PAGE_SIZE, offset=start, request_id=request_id(request)
    )
    page, pages, _ = page_window(overview.groups.total, PAGE_SIZE, page)
    by_village: dict[str, list[Any]] = {}
    for g in overview.groups.items:
        by_village.setdefault(g.village_code, []).append(g)
    context = {
        "o": overview,
        "by_village": by_village,
        "unlinked": not viewer.scope.linked,
        "admin": viewer.scope.is_admin,
        "error": error,
        "detail": detail,
        "form": form or {},
        "size": GROUP_SIZE,
        "name_max": NAME_MAX,
        "page": page,
        "pages": pages,
        "f": _Pages(),
        "action": "/kpm/kelompok",
    }
    return render(request, settings, "kpm_groups.html", context, status_code=status_code, user=viewer.user)


@router.get("/kpm/kelompok", response_class=HTMLResponse)
def groups_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The caller's KPM groups by village, with their counts and leaders, and a create form."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    page = whole_number(request.query_params.get("hal") or "1")
    if page is None or page < 1:
        return error_page(request, settings, viewer.user, 422, viewer.t("error.bad_filter").format(field="hal"))
    return _overview(request, session, settings, viewer, page=page)


@router.post("/kpm/kelompok")
def create_group(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    village_code: Annotated[str, Form()] = "",
    facilitator_id: Annotated[str, Form()] = "",
) -> Response:
    """Create a group; 303 to its page (the list again, with the reason, when refused)."""
    viewer = form_viewer(request, session, settings, GATE, csrf=csrf, refused=N_("ref.err.csrf"), back="/kpm/kelompok")
    if isinstance(viewer, Response):
        return viewer
    form = {"name": name[:NAME_MAX], "village_code": village_code[:13], "facilitator_id": facilitator_id[:10]}
    fid = whole_number(facilitator_id.strip()) if facilitator_id.strip() else None
    if facilitator_id.strip() and fid is None:
        error = viewer.t("grp.err.facilitator")
        return _overview(request, session, settings, viewer, status_code=422, error=error, form=form)
    try:
        group = households.create_group(
            session,
            viewer.scope,
            name=name,
            village_code=village_code.strip(),
            facilitator_id=fid,
            request_id=request_id(request),
        )
    except ServiceError as exc:
        session.rollback()
        error = _message(viewer.t, exc)
        return _overview(
            request, session, settings, viewer, status_code=exc.status_code, error=error, detail=exc.message, form=form
        )
    return RedirectResponse(f"/kpm/kelompok/{group.id}", status_code=303)


# --- one group ----------------------------------------------------------------------------------


def _group(
    request: Request,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    group_id: int,
    *,
    status_code: int = 200,
    error: str | None = None,
    detail: str | None = None,
) -> Response:
    try:
        d = households.group_page(session, viewer.scope, group_id, request_id=request_id(request))
    except (NotFound, Forbidden):
        return error_page(request, settings, viewer.user, 404, viewer.t("grp.err.not_found"))
    context = {"d": d, "g": d.group, "error": error, "detail": detail, "size": GROUP_SIZE, "name_max": NAME_MAX}
    return render(request, settings, "kpm_group.html", context, status_code=status_code, user=viewer.user)


@router.get("/kpm/kelompok/{group_id}", response_class=HTMLResponse)
def group_page(group_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One group: its families, the rename and leader forms, and families of the village to put in it."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    gid = whole_number(group_id)
    if gid is None:
        return error_page(request, settings, viewer.user, 404, viewer.t("grp.err.not_found"))
    return _group(request, session, settings, viewer, gid)


def _group_write(
    request: Request,
    session: Session,
    settings: Settings,
    group_id: str,
    csrf: str,
    write: Callable[[Viewer, int], Any],
) -> Response:
    """A form post on one group: who posts, the write, then 303 back to the group (or the group
    page again with the reason)."""
    gid = whole_number(group_id)
    viewer = form_viewer(
        request, session, settings, GATE, csrf=csrf, refused=N_("ref.err.csrf"), back=f"/kpm/kelompok/{gid or ''}"
    )
    if isinstance(viewer, Response):
        return viewer
    if gid is None:
        return error_page(request, settings, viewer.user, 404, viewer.t("grp.err.not_found"))
    try:
        write(viewer, gid)
    except (NotFound, Forbidden):
        session.rollback()
        return error_page(request, settings, viewer.user, 404, viewer.t("grp.err.not_found"))
    except ServiceError as exc:
        session.rollback()
        error = _message(viewer.t, exc)
        return _group(
            request, session, settings, viewer, gid, status_code=exc.status_code, error=error, detail=exc.message
        )
    return RedirectResponse(f"/kpm/kelompok/{gid}", status_code=303)


def _version(raw: str) -> int | None:
    version = whole_number(raw.strip())
    return version if version else None


@router.post("/kpm/kelompok/{group_id}")
def update_group(
    group_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    leader_household_id: Annotated[str, Form()] = "",
) -> Response:
    """Rename the group (``action=rename``) or choose its leader (``action=leader``; empty: none)."""

    def write(viewer: Viewer, gid: int) -> None:
        changes: dict[str, Any] = {"version": _version(version)}
        if action == "rename":
            if not name.strip() or len(name) > 4 * NAME_MAX:
                raise InvalidInput("name", loc=("body", "name"))
            changes["name"] = name
        elif action == "leader":
            leader = whole_number(leader_household_id.strip()) if leader_household_id.strip() else None
            if leader_household_id.strip() and not leader:
                raise InvalidInput("leader", loc=("body", "leader_household_id"))
            changes["leader_household_id"] = leader
        else:
            raise InvalidInput("action", loc=("body", "action"))
        households.update_group(
            session,
            viewer.scope,
            group_id=gid,
            data=KpmGroupUpdate.model_construct(**changes),
            request_id=request_id(request),
        )

    return _group_write(request, session, settings, group_id, csrf, write)


def _household_ids(raw: list[str]) -> list[int]:
    ids = [whole_number(v) for v in raw[: MOVE_MAX + 1]]
    if not raw or len(raw) > MOVE_MAX or any(not i for i in ids):
        raise InvalidInput("household_id", loc=("body", "household_ids"))
    return [i for i in ids if i]


@router.post("/kpm/kelompok/{group_id}/anggota")
def add_members(
    group_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    household_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Put the ticked families into the group."""

    def write(viewer: Viewer, gid: int) -> None:
        households.move_households(
            session,
            viewer.scope,
            group_id=gid,
            household_ids=_household_ids(household_id or []),
            request_id=request_id(request),
        )

    return _group_write(request, session, settings, group_id, csrf, write)


@router.post("/kpm/kelompok/{group_id}/keluarkan")
def remove_member(
    group_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form()] = "",
    household_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Take a family out of the group."""

    def write(viewer: Viewer, gid: int) -> None:
        households.remove_from_group(
            session,
            viewer.scope,
            group_id=gid,
            household_ids=_household_ids(household_id or []),
            request_id=request_id(request),
        )

    return _group_write(request, session, settings, group_id, csrf, write)
