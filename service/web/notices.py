"""The inbox pages, for every role: ``/pemberitahuan`` (unread first), opening one (marks it read),
marking all read, and ``/pemberitahuan/pengaturan`` (email address, on or off, daily digest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from models.notifications import EmailMode
from models.users import Role
from service import notifications
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import InvalidInput, NotFound
from service.i18n import N_
from service.settings import Settings
from service.web.kit import (
    Gate,
    Viewer,
    error_page,
    form_viewer,
    moment_text,
    page_window,
    render,
    safe_next,
    schema_message,
    viewer_for,
    whole_number,
)

if TYPE_CHECKING:
    pass

router = APIRouter(include_in_schema=False)

GATE = Gate(roles=tuple(Role), linked=False)
PAGE_SIZE = 30


@dataclass(frozen=True)
class ListFilter:
    page: int = 1

    def query(self, *, page: int = 1) -> str:
        return urlencode({"hal": str(page)} if page > 1 else {})


@router.get("/pemberitahuan", response_class=HTMLResponse)
def inbox_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The viewer's notifications, unread first."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    page = whole_number(request.query_params.get("hal") or "1")
    if page is None or page < 1:
        t = viewer.t
        return error_page(request, settings, viewer.user, 422, t("error.bad_filter").format(field=t("page.label")))
    first = notifications.list_notifications(session, viewer.scope, lang=viewer.lang, limit=1, offset=0)
    page, pages, start = page_window(first.total, PAGE_SIZE, page)
    found = notifications.list_notifications(session, viewer.scope, lang=viewer.lang, limit=PAGE_SIZE, offset=start)
    context: dict[str, Any] = {
        "items": found.items,
        "count": found.total,
        "unread": notifications.unread_count(session, viewer.user.id or 0),
        "page": page,
        "pages": pages,
        "f": ListFilter(page),
        "action": "/pemberitahuan",
        "when": moment_text(settings, viewer.lang),
    }
    return render(request, settings, "notices.html", context, user=viewer.user)


@router.post("/pemberitahuan/baca-semua")
def read_all(
    request: Request, session: SessionDep, settings: SettingsDep, csrf: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    """Mark every notification of the viewer read; back to the inbox."""
    viewer = form_viewer(
        request, session, settings, GATE, csrf=csrf, refused=N_("acct.err.csrf"), back="/pemberitahuan"
    )
    if isinstance(viewer, Response):
        return viewer
    notifications.mark_all_read(session, viewer.scope, request_id=request_id(request))
    return RedirectResponse("/pemberitahuan", status_code=303)


@router.post("/pemberitahuan/{notification_id}/buka")
def open_notice(
    notification_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Mark the notification read and go where it points."""
    viewer = form_viewer(
        request, session, settings, GATE, csrf=csrf, refused=N_("acct.err.csrf"), back="/pemberitahuan"
    )
    if isinstance(viewer, Response):
        return viewer
    nid = whole_number(notification_id)
    try:
        if nid is None:
            raise NotFound("no such notification")
        notice = notifications.mark_read(
            session, viewer.scope, notification_id=nid, lang=viewer.lang, request_id=request_id(request)
        )
    except NotFound:
        return error_page(request, settings, viewer.user, 404, viewer.t("notice.err.not_found"))
    return RedirectResponse(safe_next(notice.url), status_code=303)


# --- settings -------------------------------------------------------------------------------------

SETTINGS_PATH = "/pemberitahuan/pengaturan"


def _settings_form(
    request: Request,
    settings: Settings,
    viewer: Viewer,
    values: dict[str, Any],
    *,
    error: str | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    context = {"v": values, "error": error, "saved": saved, "modes": list(EmailMode), "smtp": bool(settings.smtp_host)}
    return render(request, settings, "notice_settings.html", context, status_code=status_code, user=viewer.user)


@router.get(SETTINGS_PATH, response_class=HTMLResponse)
def settings_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The viewer's channels: email address, email on or off, at once or a daily digest."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    current = notifications.read_preferences(session, viewer.scope)
    saved = request.query_params.get("disimpan") == "1"
    return _settings_form(request, settings, viewer, current.model_dump(mode="json"), saved=saved)


@router.post(SETTINGS_PATH, response_class=HTMLResponse)
def settings_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Annotated[str, Form(max_length=100)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    email_enabled: Annotated[str, Form(max_length=10)] = "",
    email_mode: Annotated[str, Form(max_length=20)] = "immediate",
    language: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Save the viewer's channels; a wrong address brings the form back with what was typed."""
    viewer = form_viewer(request, session, settings, GATE, csrf=csrf, refused=N_("acct.err.csrf"), back=SETTINGS_PATH)
    if isinstance(viewer, Response):
        return viewer
    values: dict[str, Any] = {
        "email": email.strip() or None,
        "email_enabled": email_enabled == "ya",
        "email_mode": email_mode,
        "language": language or None,
    }
    t = viewer.t
    try:
        body = notifications.NotificationSettingsWrite.model_validate(values)
        notifications.save_preferences(session, viewer.scope, settings=body, request_id=request_id(request))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else "email"
        message = t(FIELD_ERRORS.get(field, FIELD_ERRORS["email"]))
        if field not in FIELD_ERRORS:
            message += " " + schema_message(first, viewer.lang)
        return _settings_form(request, settings, viewer, values, error=message, status_code=422)
    except InvalidInput:
        session.rollback()
        return _settings_form(request, settings, viewer, values, error=t("notice.err.email_needed"), status_code=422)
    return RedirectResponse(SETTINGS_PATH + "?disimpan=1", status_code=303)


FIELD_ERRORS = {
    "email": N_("notice.err.email"),
    "email_mode": N_("notice.err.mode"),
    "language": N_("notice.err.language"),
}
