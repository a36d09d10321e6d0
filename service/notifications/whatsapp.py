"""WhatsApp click-to-chat links (``https://wa.me/<number>?text=...``): the sender taps one and sends
the prepared text from their own phone. No WhatsApp API account, nothing sent by the service."""

from __future__ import annotations

import re
from urllib.parse import quote

_SEPARATORS = re.compile(r"[\s().\-/]")
_MIN_DIGITS, _MAX_DIGITS = 9, 15


def wa_number(phone: str | None) -> str | None:
    """An Indonesian phone number in WhatsApp's international form (``0812-3456-7890`` ->
    ``6281234567890``; ``+62 812...`` and ``62812...`` kept; ``812...`` taken as a mobile);
    ``None`` when it is not a phone number."""
    if not phone:
        return None
    raw = _SEPARATORS.sub("", phone.strip())
    if raw.startswith("+"):
        raw = raw[1:]
    elif raw.startswith("00"):
        raw = raw[2:]
    if not raw.isdigit():
        return None
    if raw.startswith("0"):
        raw = "62" + raw[1:]
    elif raw.startswith("8"):
        raw = "62" + raw
    if not raw.startswith("62") or raw.startswith("620"):
        return None
    return raw if _MIN_DIGITS <= len(raw) <= _MAX_DIGITS else None


def wa_link(phone: str | None, text: str) -> str | None:
    """The click-to-chat link to ``phone`` with ``text`` ready to send, or ``None`` for no usable number."""
    number = wa_number(phone)
    if number is None:
        return None
    return f"https://wa.me/{number}?text={quote(text, safe='')}"
