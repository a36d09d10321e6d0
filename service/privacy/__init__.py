"""UU PDP 27/2022 rights of the families whose data Jejaring holds.

``rights`` (access export, correction, restriction and its lifting, erasure by anonymisation,
each a ``DataSubjectRequest`` due 3 x 24 hours after the family asked), ``retention`` (families
that left PKH more than ``JEJARING_RETENTION_YEARS`` years ago are anonymised; a CLI command and
a job kind) and ``queries`` (their SQL). Restriction and anonymisation take effect everywhere
through ``service.core.scope.in_processing`` and ``Scope.where(Household)``.
"""

from service.privacy.retention import RetentionRun, retention_cutoff, run_retention
from service.privacy.rights import (
    AccessExport,
    Correction,
    RequestNote,
    access_export,
    anonymise,
    build_export,
    correct,
    erase,
    lift_restriction,
    list_requests,
    restrict,
)

__all__ = [
    "AccessExport",
    "Correction",
    "RequestNote",
    "RetentionRun",
    "access_export",
    "anonymise",
    "build_export",
    "correct",
    "erase",
    "lift_restriction",
    "list_requests",
    "restrict",
    "retention_cutoff",
    "run_retention",
]
