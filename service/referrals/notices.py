"""Who is told what as a referral moves, and the referrals waiting too long in one status.

The notices name the programme and the referral's number and link to the referral's page; never
the family (its name, NIK, address or coordinates): whoever opens the link sees what their side
may see of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.referrals import Referral, ReferralStatus
from models.types import utcnow
from service.i18n import translator
from service.jobs import periodic_job
from service.notifications import notify
from service.notifications.whatsapp import wa_link
from service.referrals import queries
from service.referrals.rules import AGENCY, FACILITATOR
from service.settings import Settings

log = logging.getLogger(__name__)


def referral_url(referral_id: int) -> str:
    return f"/rujukan/{referral_id}"


def tell_created(session: Session, referral: Referral) -> None:
    """A new referral: the programme's organisation is told (inside the caller's transaction)."""
    assert referral.id is not None
    program = queries.program_name_and_owner(session, referral.program_id)
    if program is None:
        return
    name, organization_id = program
    notify(
        session,
        event="referral.created",
        to_organization=organization_id,
        text_key="notice.referral.created",
        params={"program": name, "referral": referral.id},
        url=referral_url(referral.id),
    )


def tell_moved(session: Session, referral: Referral, to: ReferralStatus, *, by: str | None) -> None:
    """A status change: the facilitator is told when the agency moved it, the organisation when the
    facilitator (or the family's consent, or the family's rights) did."""
    assert referral.id is not None
    program = queries.program_name_and_owner(session, referral.program_id)
    if program is None:
        return
    name, organization_id = program
    if by == AGENCY and referral.facilitator_id is None:
        return
    notify(
        session,
        event="referral.status_changed",
        to_facilitator=referral.facilitator_id if by == AGENCY else None,
        to_organization=None if by == AGENCY else organization_id,
        text_key=f"notice.referral.moved.{to.value}",
        params={"program": name, "referral": referral.id},
        url=referral_url(referral.id),
    )


@dataclass(frozen=True)
class ChatLink:
    """A WhatsApp click-to-chat link on the referral's page: to whom, their name, the link."""

    to: str  # "agency" or "family"
    name: str
    href: str


def chat_links(session: Session, referral: Referral, *, side: str | None, lang: str, public_url: str) -> list[ChatLink]:
    """The WhatsApp links the viewer's side may tap: the facilitator to the agency's contact phone;
    either side to the family's phone only while the family's consent to share it holds. The
    prepared texts carry the programme, the referral's number and its link, nothing of the family."""
    if side is None or referral.id is None:
        return []
    t = translator(lang)
    contact = queries.referral_contacts(session, referral)
    if contact is None:
        return []
    link = public_url.rstrip("/") + referral_url(referral.id)
    out: list[ChatLink] = []
    if side == FACILITATOR:
        text = t("wa.to_agency").format(organization=contact.organization, program=contact.program, id=referral.id)
        href = wa_link(contact.organization_phone, f"{text} {link}")
        if href:
            out.append(ChatLink("agency", contact.organization, href))
    if contact.family_phone_shared:
        text = t("wa.to_family").format(organization=contact.organization, program=contact.program)
        href = wa_link(contact.family_phone, text)
        if href:
            out.append(ChatLink("family", "", href))
    return out


def overdue_key(referral_id: int, status: ReferralStatus) -> str:
    """The once-key of the overdue notice of a referral in one status (one notice each)."""
    return f"referral.overdue:{referral_id}:{status.value}"


def notify_overdue(session: Session, *, days: int, now: datetime | None = None) -> int:
    """Tell both sides of every open referral waiting more than ``days`` days in its status, once
    per referral and status; returns how many referrals were told about (each committed alone)."""
    now = now or utcnow()
    told = 0
    for referral_id, status, program_id, facilitator_id, since in queries.overdue_unnoticed(
        session, before=now - timedelta(days=days), key_prefix="referral.overdue:"
    ):
        program = queries.program_name_and_owner(session, program_id)
        if program is None:
            continue
        name, organization_id = program
        waited = max(days, (now - since).days)
        try:
            notify(
                session,
                event="referral.overdue",
                to_organization=organization_id,
                to_facilitator=facilitator_id,
                text_key=f"notice.referral.overdue.{ReferralStatus(status).value}",
                params={"program": name, "referral": referral_id, "days": waited},
                url=referral_url(referral_id),
                once_key=overdue_key(referral_id, ReferralStatus(status)),
            )
            session.commit()
        except IntegrityError:  # another consumer told them at the same moment
            session.rollback()
            continue
        told += 1
    return told


@periodic_job("referrals.overdue", minute="*/15")
def check_overdue_periodically(engine: Engine, settings: Settings) -> None:
    """Every quarter hour: the overdue referrals' notices."""
    with Session(engine, expire_on_commit=False) as session:
        told = notify_overdue(session, days=settings.referral_overdue_days)
    if told:
        log.info("overdue referral notices for %d referrals", told)
