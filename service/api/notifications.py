"""The caller's own notifications (every role): the inbox, marking read, and their email settings."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from service import notifications as svc
from service.api.params import IdPath, Limit, Offset
from service.core.paging import Page
from service.deps import ScopeDep, SessionDep, SettingsDep, request_id
from service.settings import Settings

router = APIRouter(prefix="/notifications", tags=["notifications"])

Lang = Annotated[
    Literal["id", "en"] | None, Query(description="Language of the texts (default: yours, else the service's)")
]


class Unread(BaseModel):
    unread: int


class Marked(BaseModel):
    marked: int


def _lang(lang: str | None, preferred: str | None, settings: Settings) -> str:
    return lang or preferred or settings.default_language


@router.get("", response_model=Page[svc.NotificationPublic])
def list_notifications(
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
    unread: Annotated[bool, Query(description="Only the unread ones")] = False,
    lang: Lang = None,
) -> Page[svc.NotificationPublic]:
    """Your notifications, unread first, newest first within each."""
    preferred = svc.read_preferences(session, scope).language
    return svc.list_notifications(
        session, scope, lang=_lang(lang, preferred, settings), unread_only=unread, limit=limit, offset=offset
    )


@router.get("/unread", response_model=Unread)
def unread_count(session: SessionDep, scope: ScopeDep) -> Unread:
    """How many of your notifications are unread."""
    assert scope.user_id is not None
    return Unread(unread=svc.unread_count(session, scope.user_id))


@router.post("/read", response_model=Marked)
def mark_all_read(request: Request, session: SessionDep, scope: ScopeDep) -> Marked:
    """Mark all your notifications read."""
    return Marked(marked=svc.mark_all_read(session, scope, request_id=request_id(request)))


@router.get("/settings", response_model=svc.NotificationSettingsPublic)
def read_settings(session: SessionDep, scope: ScopeDep) -> svc.NotificationSettingsPublic:
    """Your channels: email address, email on or off, at once or in a daily digest."""
    return svc.read_preferences(session, scope)


@router.put("/settings", response_model=svc.NotificationSettingsPublic)
def save_settings(
    body: svc.NotificationSettingsWrite, request: Request, session: SessionDep, scope: ScopeDep
) -> svc.NotificationSettingsPublic:
    """Replace your channels; email on needs an address (422 naming ``email``)."""
    return svc.save_preferences(session, scope, settings=body, request_id=request_id(request))


@router.post("/{notification_id}/read", response_model=svc.NotificationPublic)
def mark_read(
    notification_id: IdPath,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    settings: SettingsDep,
    lang: Lang = None,
) -> svc.NotificationPublic:
    """Mark one of your notifications read (anyone else's: 404)."""
    preferred = svc.read_preferences(session, scope).language
    return svc.mark_read(
        session,
        scope,
        notification_id=notification_id,
        lang=_lang(lang, preferred, settings),
        request_id=request_id(request),
    )
