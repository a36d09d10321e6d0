"""Masking personal numbers typed into free text (referral notes) before others read it.

A NIK is 16 digits, often written in groups (``3273 1612 0490 0123``, ``3273.16.120490.0123``).
An Indonesian phone number starts ``+62``, ``62`` or ``0`` and has 9 to 13 digits in its national
form (``0812-3456-7890``, ``+62 812 3456 7890``, ``(022) 7271234``). Every digit of such a run
becomes ``*``; separators stay, so the text keeps its shape and says that something was there.
"""

from __future__ import annotations

import re
from typing import overload

_SEP = r"[ .\-]"
# 16 digits with at most one separator between two digits, not inside a longer number.
_NIK = re.compile(rf"(?<![\d*])\d(?:{_SEP}?\d){{15}}(?![\d*])")
# A phone: a +62 / 62 / 0 prefix, then digits with single separators (an area code may sit in
# brackets), ending on a digit, not inside a longer number or word.
_PHONE = re.compile(r"(?<![\w+*])(?:\+62|62|\(0\d{1,3}\)|0)(?:[ .\-]?\(?\d\)?)+(?![\w*])")
_NATIONAL_DIGITS = (9, 13)


def _national(run: str) -> str:
    digits = re.sub(r"\D", "", run)
    if run.startswith("+62") or (run.startswith("62") and not run.startswith("0")):
        return "0" + digits[2:]
    return digits


def _is_phone(run: str) -> bool:
    national = _national(run)
    if not (_NATIONAL_DIGITS[0] <= len(national) <= _NATIONAL_DIGITS[1]) or not national.startswith("0"):
        return False
    if run.startswith("62"):  # without the plus, only a mobile number (62 8xx) is taken for a phone
        return national.startswith("08")
    return national[1] != "0"


def _stars(match: re.Match[str]) -> str:
    return re.sub(r"\d", "*", match.group(0))


def _phone_stars(match: re.Match[str]) -> str:
    run = match.group(0)
    return _stars(match) if _is_phone(run) else run


@overload
def mask_identifiers(text: str) -> str: ...
@overload
def mask_identifiers(text: None) -> None: ...
def mask_identifiers(text: str | None) -> str | None:
    """Return ``text`` with every NIK-shaped and phone-shaped run of digits masked.

    Parameters
    ----------
    text
        Free text as a person typed it; ``None`` passes through.

    Returns
    -------
    str or None
        The text with each digit of those runs replaced by ``*`` (separators kept).
    """
    if not text:
        return text
    masked = _NIK.sub(_stars, text)
    return _PHONE.sub(_phone_stars, masked)
