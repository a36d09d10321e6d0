"""Benefits: what a programme gives (its certificates), and the double-funding guard.

A family that already received a grant, a loan or equipment for a need within the guard's
period (12 months by default) is *already funded* for that need: a new referral to a funding
programme for the same need is not refused, but carries a warning. Grants, loans and equipment
count as one kind here (money or goods to run the business), compared by the need they meet
first (``mapping.scoring.PRIMARY_NEED``: a PENA capital grant and a Jakpreneur loan both meet
``capital``). Training, certification, marketing and mentoring are never double funding.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from mapping.scoring import PRIMARY_NEED

FUNDING_KINDS: Final = frozenset({"capital_grant", "loan", "equipment"})
CERTIFICATES: Final = ("nib", "pirt", "halal")
_CERTIFICATE_FIELDS: Final = {f"business.has_{c}": c for c in CERTIFICATES}
_CERTIFICATE_WORDS: Final = {
    "nib": re.compile(r"\bNIB\b"),
    "pirt": re.compile(r"\bP-?IRT\b", re.IGNORECASE),
    "halal": re.compile(r"\bhalal\b", re.IGNORECASE),
}


def need_of(kind: str) -> str:
    """The need a programme (or benefit) of ``kind`` meets first."""
    return PRIMARY_NEED.get(kind, kind)


def _lacking(node: Any) -> Iterable[str]:
    """Certificates a rule tree asks the business *not* to hold yet (``has_x eq false`` / ``ne true``)."""
    if isinstance(node, Mapping):
        cert = _CERTIFICATE_FIELDS.get(str(node.get("field")))
        if cert is not None and (
            (node.get("op") == "eq" and node.get("value") is False)
            or (node.get("op") == "ne" and node.get("value") is True)
        ):
            yield cert
        for key in ("all", "any"):
            for child in node.get(key) or ():
                yield from _lacking(child)
    elif isinstance(node, list):
        for child in node:
            yield from _lacking(child)


def certificates_given(kind: str, eligibility: Mapping[str, Any] | None, name: str) -> list[str]:
    """The certificates a certification programme gives: those its rule asks the business to lack
    and those its name states (``Fasilitasi Perizinan NIB dan PIRT`` -> nib, pirt).

    Parameters
    ----------
    kind
        The programme's kind; only ``certification`` gives certificates.
    eligibility
        Its rule tree (or None).
    name
        Its name.

    Returns
    -------
    list of str
        Among ``CERTIFICATES``, in that order.
    """
    if kind != "certification":
        return []
    found = set(_lacking(eligibility or {}))
    found |= {c for c, pattern in _CERTIFICATE_WORDS.items() if pattern.search(name or "")}
    return [c for c in CERTIFICATES if c in found]


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months before ``day`` (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class PastBenefit:
    """A benefit of the family's record, as the guard reads it."""

    benefit_id: int
    kind: str
    need: str
    received_on: date
    amount: int | None = None
    organization_id: int | None = None
    organization_name: str | None = None
    program_name: str | None = None
    referral_id: int | None = None


@dataclass(frozen=True)
class FundingWarning:
    """``already_funded``: the family got a benefit of a funding kind for ``need`` on ``since``
    (the latest), within the period; ``benefits`` are the ones found, newest first."""

    need: str
    since: date
    benefits: tuple[PastBenefit, ...] = field(default=())
    code: str = "already_funded"


def funding_warnings(
    benefits: Sequence[PastBenefit],
    *,
    kind: str,
    today: date,
    months: int,
    excluding_referral: int | None = None,
) -> list[FundingWarning]:
    """The warnings a referral to a programme of ``kind`` raises for a family with ``benefits``.

    Parameters
    ----------
    benefits
        The family's benefit record.
    kind
        The programme's kind; only funding kinds (grant, loan, equipment) are guarded.
    today
        The day the period ends.
    months
        The period's length: benefits received after ``today`` minus ``months`` count.
    excluding_referral
        A referral whose own benefit is left out (a completed referral is not its own double).

    Returns
    -------
    list of FundingWarning
        Empty, or one warning for the programme's need.
    """
    if kind not in FUNDING_KINDS:
        return []
    need = need_of(kind)
    start = months_before(today, months)
    found = sorted(
        (
            b
            for b in benefits
            if b.kind in FUNDING_KINDS
            and b.need == need
            and start < b.received_on <= today
            and (excluding_referral is None or b.referral_id != excluding_referral)
        ),
        key=lambda b: (b.received_on, b.benefit_id),
        reverse=True,
    )
    if not found:
        return []
    return [FundingWarning(need=need, since=found[0].received_on, benefits=tuple(found))]
