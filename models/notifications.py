"""Notifications: one per recipient user, read in the app and delivered through the channels they chose.

A notification holds a text key and its parameters, never rendered text: it is written in the
reader's language when read. Parameters hold names of programmes, organisations and forums, ids
and dates, never a family's NIK, address or coordinates. Each delivery (an email now, or in the
day's digest) is a row of its own, so a failed send is retried and every attempt is on record.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.types import Timestamped, UTCDateTime, enum_column, json_column, utcnow

EVENT_LENGTH = 80
TEXT_KEY_LENGTH = 120
URL_LENGTH = 500
ONCE_KEY_LENGTH = 120
ERROR_LENGTH = 500


class Channel(StrEnum):
    email = "email"


class DeliveryStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class EmailMode(StrEnum):
    immediate = "immediate"
    daily = "daily"


class Notification(SQLModel, table=True):
    """Something a user should know: what happened (``event``), how to say it, where to look."""

    __table_args__ = (
        sa.UniqueConstraint("user_id", "once_key"),
        sa.Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    event: str = Field(max_length=EVENT_LENGTH, description="What happened, e.g. referral.created")
    text_key: str = Field(max_length=TEXT_KEY_LENGTH, description="i18n key of the text, formatted with params")
    params: dict[str, Any] = json_column(nullable=False, default_factory=dict)
    url: str = Field(max_length=URL_LENGTH, description="Where to look: a path of this site")
    once_key: str | None = Field(
        default=None, max_length=ONCE_KEY_LENGTH, description="At most one notification per user with this key"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationDelivery(Timestamped, table=True):
    """One notification sent (or to be sent) through one channel; ``digest`` ones go out in the day's email."""

    __tablename__ = "notification_delivery"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    channel: Channel = enum_column(Channel, default=Channel.email)
    digest: bool = Field(default=False, description="Sent in the daily digest rather than at once")
    status: DeliveryStatus = enum_column(DeliveryStatus, default=DeliveryStatus.pending, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_error: str | None = Field(default=None, max_length=ERROR_LENGTH)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationSettings(SQLModel, table=True):
    """A user's channels: an email address, whether to use it, at once or in a daily digest."""

    __tablename__ = "notification_settings"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    email: str | None = Field(default=None, max_length=200)
    email_enabled: bool = Field(default=False)
    email_mode: EmailMode = enum_column(EmailMode, default=EmailMode.immediate)
    language: str | None = Field(default=None, max_length=5, description="Language of the emails (id, en)")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
