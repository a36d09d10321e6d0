"""The "Undang" button of the forum dashboard's invitation list (``/forum/undangan``): it invites
the row's organisation through ``service.invitations``, like the API, and comes back to the list
(whose states ``service.web.forum.invitation_list`` gives)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from models.invitations import InvitationCreate
from service import invitations
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, NotFound
from service.i18n import N_
from service.web.forum.dashboard import GATE, BadQuery, parse_query
from service.web.kit import error_page, form_viewer, whole_number

router = APIRouter(include_in_schema=False)


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


@router.post("/forum/undangan", response_class=HTMLResponse)
def invite_submit(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    """Invite the organisation of the invitation list's row to the forum, then back to the list."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("ag.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    forum_id = whole_number(str(form.get("forum_id", "")))
    organization_id = whole_number(str(form.get("organization_id", "")))
    if forum_id is None or organization_id is None:
        return error_page(request, settings, viewer.user, 404, t("inv.err.not_found"))
    try:  # the dashboard's own query, rebuilt from its checked values (never a link elsewhere)
        back = parse_query(dict(parse_qsl(str(form.get("back", ""))))).query()
    except BadQuery:
        back = ""
    try:
        invitations.invite(
            session,
            viewer.scope,
            forum_id=forum_id,
            data=InvitationCreate(organization_id=organization_id),
            request_id=request_id(request),
        )
    except Conflict as exc:
        return error_page(request, settings, viewer.user, exc.status_code, t("inv.err.conflict"))
    except (Forbidden, NotFound) as exc:
        return error_page(request, settings, viewer.user, exc.status_code, t("inv.err.not_found"))
    return RedirectResponse(f"/forum?{back}#undangan" if back else "/forum#undangan", status_code=303)
