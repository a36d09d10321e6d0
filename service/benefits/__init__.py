"""The benefit record: what each completed programme gave a family, the certificates its
facilitator confirms, and the double-funding guard.

The names below are the domain's interface; its modules are free to move behind it.
"""

from service.benefits.record import (
    DEFAULT_MONTHS,
    benefit_record,
    benefits_of_family,
    confirm_certificates,
    past_benefits_of,
    record_benefit,
    record_completion,
    warnings_for,
)
from service.benefits.views import FundingDetail, FundingWarningPublic, warning_views

__all__ = [
    "DEFAULT_MONTHS",
    "FundingDetail",
    "FundingWarningPublic",
    "benefit_record",
    "benefits_of_family",
    "confirm_certificates",
    "past_benefits_of",
    "record_benefit",
    "record_completion",
    "warning_views",
    "warnings_for",
]
