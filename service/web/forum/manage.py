"""The forum's own pages (``/forum/kelola``): the forums an organiser runs (admins: all, and a form
to start one), one forum with its members (roles, joined and left dates), work plan and meetings,
and the forms that add and change them. The meeting pages are ``service.web.forum.meetings``.

Organisers and admins only (others: 404); every write goes through ``service.forums``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from models.forums import ForumCreate, ForumMemberCreate, ForumMemberUpdate, MemberKind, WorkItemCreate, WorkItemUpdate
from service import forums
from service.deps import SessionDep, SettingsDep, request_id
from service.errors import NotFound, ServiceError
from service.i18n import N_
from service.settings import Settings
from service.web.forum.words import GATE, BadForm, day, labels, party, refusal, text
from service.web.kit import Viewer, error_page, form_viewer, render, viewer_for, whole_number

router = APIRouter(include_in_schema=False)

Field = Annotated[str, Form()]


def not_found(request: Request, settings: Settings, viewer: Viewer) -> Response:
    return error_page(request, settings, viewer.user, 404, viewer.t("fm.err.not_found"))


# --- the list -----------------------------------------------------------------------------------


def _list_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    *,
    error: str | None = None,
    sent: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "forums": forums.readable_forums(session, viewer.scope),
        "organisers": forums.organiser_choices(session, viewer.scope) if viewer.scope.is_admin else [],
        "error": error,
        "sent": sent or {},
    }
    return render(request, settings, "forum_list.html", context, status_code=status_code, user=viewer.user)


@router.get("/forum/kelola", response_class=HTMLResponse)
def forum_list(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The forums the viewer runs; admins also start one here."""
    viewer = viewer_for(request, session, settings, GATE)
    if isinstance(viewer, Response):
        return viewer
    return _list_page(request, session, settings, viewer)


@router.post("/forum/kelola")
def forum_create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Field = "",
    name: Field = "",
    region_code: Field = "",
    description: Field = "",
    organiser: Field = "",
) -> Response:
    """Start a forum (admins), with one organiser's account if chosen."""
    viewer = form_viewer(request, session, settings, GATE, csrf=csrf, refused=N_("fm.err.csrf"), back="/forum/kelola")
    if isinstance(viewer, Response):
        return viewer
    sent = {"name": name, "region_code": region_code, "description": description, "organiser": organiser}
    try:
        organiser_id = whole_number(organiser) if organiser else None
        if organiser and organiser_id is None:
            raise BadForm("organizer_user_ids")
        data = ForumCreate(
            name=name.strip(),
            region_code=region_code.strip(),
            description=text(description),
            organizer_user_ids=[organiser_id] if organiser_id else None,
        )
        made = forums.create_forum(session, viewer.scope, data=data, request_id=request_id(request))
    except (BadForm, ValidationError, ServiceError) as exc:
        session.rollback()
        status_code, message = refusal(viewer.t, viewer.lang, exc)
        return _list_page(request, session, settings, viewer, error=message, sent=sent, status_code=status_code)
    return RedirectResponse(f"/forum/kelola/{made.id}", status_code=303)


# --- one forum ----------------------------------------------------------------------------------


def forum_page(
    request: Request,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    forum_id: int,
    *,
    error: str | None = None,
    where: str = "",
    status_code: int = 200,
) -> Response:
    """The forum's page, with ``error`` shown at the form ``where`` it came from."""
    try:
        overview = forums.forum_overview(session, viewer.scope, forum_id)
    except NotFound:
        return not_found(request, settings, viewer)
    choices = forums.forum_choices_for_forms(session, viewer.scope, forum_id) if overview.runs else None
    members = {(m.member_kind.value, m.member_id) for m in overview.members if m.left_on is None}
    context = {
        "o": overview,
        "f": overview.forum,
        "choices": choices,
        "joinable": [p for p in choices.parties if (p[0], p[1]) not in members] if choices else [],
        "error": error,
        "where": where,
        **labels(viewer.t),
    }
    return render(request, settings, "forum_detail.html", context, status_code=status_code, user=viewer.user)


@router.get("/forum/kelola/{forum_id}", response_class=HTMLResponse)
def forum_detail(forum_id: str, request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """One forum: members with roles and dates, the work plan, the meetings."""
    viewer = viewer_for(request, session, settings, GATE, back=request.url.path)
    if isinstance(viewer, Response):
        return viewer
    fid = whole_number(forum_id)
    if fid is None:
        return not_found(request, settings, viewer)
    return forum_page(request, session, settings, viewer, fid)


def _write(
    request: Request,
    session: SessionDep,
    settings: Settings,
    forum_id: str,
    csrf: str,
    where: str,
    action: Any,
) -> Response:
    """Run ``action(viewer, fid)`` for a form of the forum page: 303 back, or the page with why not."""
    fid = whole_number(forum_id)
    back = f"/forum/kelola/{fid}" if fid is not None else "/forum/kelola"
    viewer = form_viewer(request, session, settings, GATE, csrf=csrf, refused=N_("fm.err.csrf"), back=back)
    if isinstance(viewer, Response):
        return viewer
    if fid is None:
        return not_found(request, settings, viewer)
    try:
        action(viewer, fid)
    except (BadForm, ValidationError, ServiceError) as exc:
        session.rollback()
        if isinstance(exc, NotFound):
            return not_found(request, settings, viewer)
        status_code, message = refusal(viewer.t, viewer.lang, exc)
        return forum_page(request, session, settings, viewer, fid, error=message, where=where, status_code=status_code)
    return RedirectResponse(f"{back}#{where}", status_code=303)


@router.post("/forum/kelola/{forum_id}/anggota")
def member_add(
    forum_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Field = "",
    member: Field = "",
    role: Field = "member",
    joined_on: Field = "",
) -> Response:
    """Add a member (organisation or facilitator) with its role and the day it joined."""

    def act(viewer: Viewer, fid: int) -> None:
        who = party(member, "member_id")
        if who is None:
            raise BadForm("member_id")
        data = ForumMemberCreate.model_validate(
            {"member_kind": who[0], "member_id": who[1], "role": role, "joined_on": day(joined_on, "joined_on")}
        )
        forums.add_member(session, viewer.scope, forum_id=fid, data=data, request_id=request_id(request))

    return _write(request, session, settings, forum_id, csrf, "anggota", act)


@router.post("/forum/kelola/{forum_id}/anggota/ubah")
def member_update(
    forum_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Field = "",
    member: Field = "",
    role: Field = "",
    joined_on: Field = "",
    left_on: Field = "",
) -> Response:
    """Change a member's role and dates (a left date: the member left the forum)."""

    def act(viewer: Viewer, fid: int) -> None:
        who = party(member, "member_id")
        if who is None:
            raise BadForm("member_id")
        data = ForumMemberUpdate.model_validate(
            {"role": role or None, "joined_on": day(joined_on, "joined_on"), "left_on": day(left_on, "left_on")}
        )
        forums.update_member(
            session,
            viewer.scope,
            forum_id=fid,
            member_kind=MemberKind(who[0]),
            member_id=who[1],
            data=data,
            request_id=request_id(request),
        )

    return _write(request, session, settings, forum_id, csrf, "anggota", act)


@router.post("/forum/kelola/{forum_id}/rencana")
def plan_add(
    forum_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Field = "",
    title: Field = "",
    owner: Field = "",
    due_on: Field = "",
    status: Field = "planned",
) -> Response:
    """Add an item to the work plan: what, who carries it, by when."""

    def act(viewer: Viewer, fid: int) -> None:
        who = party(owner, "owner_id")
        data = WorkItemCreate.model_validate(
            {
                "title": title.strip(),
                "owner_kind": who[0] if who else None,
                "owner_id": who[1] if who else None,
                "due_on": day(due_on, "due_on"),
                "status": status,
            }
        )
        forums.add_work_item(session, viewer.scope, forum_id=fid, data=data, request_id=request_id(request))

    return _write(request, session, settings, forum_id, csrf, "rencana", act)


@router.post("/forum/kelola/{forum_id}/rencana/{item_id}")
def plan_update(
    forum_id: str,
    item_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    csrf: Field = "",
    status: Field = "",
    version: Field = "",
) -> Response:
    """Move a work plan item to another status, at the version the page showed."""

    def act(viewer: Viewer, fid: int) -> None:
        iid = whole_number(item_id)
        if iid is None:
            raise NotFound("no such item")
        data = WorkItemUpdate.model_validate({"status": status, "version": whole_number(version)})
        forums.update_work_item(
            session, viewer.scope, forum_id=fid, item_id=iid, data=data, request_id=request_id(request)
        )

    return _write(request, session, settings, forum_id, csrf, "rencana", act)
