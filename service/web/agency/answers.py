"""The organisation's answer to a forum's invitation (``/lembaga/undangan/{id}``), from the
buttons on the agency's home page: accept (it becomes a member of the forum) or decline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from models.invitations import InvitationAnswer, InvitationStatus
from models.users import Role
from service import invitations
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import Conflict, Forbidden, NotFound
from service.i18n import N_
from service.web.kit import Gate, error_page, form_viewer, whole_number

router = APIRouter(include_in_schema=False)

# The invited organisation's staff answer; anyone else is told the invitation is not theirs.
GATE = Gate(roles=(Role.agency_staff,), refused=N_("inv.err.not_yours"), refused_status=403)
ANSWERS = {"accepted": InvitationStatus.accepted, "declined": InvitationStatus.declined}


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


@router.post("/lembaga/undangan/{invitation_id}", response_class=HTMLResponse)
def answer_submit(
    invitation_id: str, request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Accept or decline the invitation, then back to the home page, which shows the answer."""
    viewer = form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("ag.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    t = viewer.t
    found = whole_number(invitation_id)
    to = ANSWERS.get(str(form.get("status", "")))
    if found is None:
        return error_page(request, settings, viewer.user, 404, t("inv.err.not_found"))
    if to is None:
        return error_page(request, settings, viewer.user, 422, t("inv.err.answer"))
    try:
        invitations.answer_invitation(
            session,
            viewer.scope,
            invitation_id=found,
            data=InvitationAnswer(status=to),
            today=settings.today(),
            request_id=request_id(request),
        )
    except Conflict:
        return error_page(request, settings, viewer.user, 409, t("inv.err.answered"))
    except (Forbidden, NotFound):
        return error_page(request, settings, viewer.user, 404, t("inv.err.not_found"))
    return RedirectResponse(f"/?ok=invitation_{to.value}#undangan", status_code=303)
