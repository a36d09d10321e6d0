"""What the administrators' pages share: the gate, form posts' CSRF check and the form reader."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from models.users import Role
from service.i18n import N_
from service.settings import Settings
from service.web import kit
from service.web.kit import Gate, Viewer, error_page

if TYPE_CHECKING:
    from sqlmodel import Session

GATE = Gate(roles=(Role.admin,), refused=N_("admin.err.role"), refused_status=403, linked=False)
NO_STORE = {"Cache-Control": "no-store"}  # pages showing a temporary password


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def form_viewer(request: Request, session: Session, settings: Settings, form: FormData) -> Viewer | Response:
    """The administrator posting ``form``, whose CSRF field must match the session (403 if not)."""
    viewer = kit.form_viewer(request, session, settings, GATE, csrf=form.get("csrf"), refused=N_("admin.err.csrf"))
    if isinstance(viewer, Response):
        return viewer
    if any(isinstance(v, str) and "\x00" in v for _, v in form.multi_items()):
        return error_page(request, settings, viewer.user, 422, viewer.t("form.err.nul"))
    return viewer


def field(form: FormData, name: str) -> str:
    """A form field as stripped text ('' when absent or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
