"""Sending one email through the SMTP server of the settings (standard library only)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from service.settings import Settings

REASON_LENGTH = 300


class MailNotSent(Exception):
    """The mail server refused the message, or could not be reached in time; the message says why."""


def message(settings: Settings, *, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text email from the service to ``to``."""
    msg = EmailMessage()
    name, address = parseaddr(settings.smtp_from)
    msg["From"] = formataddr((name, address)) if address else settings.smtp_from
    msg["To"] = to
    msg["Subject"] = " ".join(subject.split())[:200]
    msg["Message-ID"] = make_msgid(domain=(address.rpartition("@")[2] or "jejaring.local"))
    msg.set_content(body)
    return msg


def send(settings: Settings, msg: EmailMessage) -> None:
    """Hand ``msg`` to the SMTP server (STARTTLS and sign-in as configured); ``MailNotSent`` on any failure."""
    if not settings.smtp_host:
        raise MailNotSent("no mail server is configured (JEJARING_SMTP_HOST)")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            refused = smtp.send_message(msg)
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise MailNotSent(f"the mail server refused it: {exc.smtp_code} {text}"[:REASON_LENGTH]) from None
    except smtplib.SMTPRecipientsRefused:
        raise MailNotSent("the mail server refused the recipient's address") from None
    except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
        raise MailNotSent(f"the mail server did not answer in time ({type(exc).__name__})") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailNotSent(
            f"the mail server could not be reached: {type(exc).__name__}: {exc}"[:REASON_LENGTH]
        ) from None
    if refused:
        raise MailNotSent("the mail server refused the recipient's address")
