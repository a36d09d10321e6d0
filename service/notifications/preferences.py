"""Each user's channels: an email address, email on or off, at once or in a daily digest."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import Session

from models.notifications import EmailMode, NotificationSettings
from models.types import Email, utcnow
from service.core.audit import record_event
from service.core.scope import Scope
from service.errors import Forbidden, InvalidInput


class NotificationSettingsPublic(BaseModel):
    email: str | None = Field(description="Where notification emails go")
    email_enabled: bool = Field(description="Send notifications by email")
    email_mode: EmailMode = Field(description="immediate: one email per notification; daily: one digest a day")
    language: Literal["id", "en"] | None = Field(description="Language of the emails (default: the service's)")


class NotificationSettingsWrite(BaseModel):
    """The whole of a user's settings (PUT replaces them)."""

    email: Email | None = None
    email_enabled: bool = False
    email_mode: EmailMode = EmailMode.immediate
    language: Literal["id", "en"] | None = None


def _own(scope: Scope) -> int:
    if scope.user_id is None:
        raise Forbidden("Notification settings belong to a signed-in user")
    return scope.user_id


def _public(row: NotificationSettings | None) -> NotificationSettingsPublic:
    if row is None:
        return NotificationSettingsPublic(
            email=None, email_enabled=False, email_mode=EmailMode.immediate, language=None
        )
    lang = row.language if row.language in ("id", "en") else None
    return NotificationSettingsPublic(
        email=row.email,
        email_enabled=row.email_enabled,
        email_mode=EmailMode(row.email_mode),
        language=lang,
    )


def read_preferences(session: Session, scope: Scope) -> NotificationSettingsPublic:
    """The caller's notification settings (email off until they choose it)."""
    return _public(session.get(NotificationSettings, _own(scope)))


def save_preferences(
    session: Session, scope: Scope, *, settings: NotificationSettingsWrite, request_id: str | None
) -> NotificationSettingsPublic:
    """Replace the caller's notification settings; email on needs an address (422 naming ``email``)."""
    user_id = _own(scope)
    email = str(settings.email) if settings.email else None
    if settings.email_enabled and not email:
        raise InvalidInput("give an email address to receive notifications by email", loc=("body", "email"))
    row = session.get(NotificationSettings, user_id) or NotificationSettings(user_id=user_id)
    row.email = email
    row.email_enabled = settings.email_enabled
    row.email_mode = settings.email_mode
    row.language = settings.language
    row.updated_at = utcnow()
    session.add(row)
    record_event(
        session,
        actor_user_id=user_id,
        action="update",
        entity="notification_settings",
        entity_id=user_id,
        request_id=request_id,
        fields=["email", "email_enabled", "email_mode", "language"],
    )
    session.commit()
    session.refresh(row)
    return _public(row)
