"""Graduation: readiness to leave PKH, the graduation record, the 5-year alerts, and the indicators
of villages and facilitators."""

from service.graduation.indicators import REPORT_COLUMNS, indicators, report_indicators, report_xlsx
from service.graduation.readiness import family_readiness, potential_list, region_rules, set_region_rules
from service.graduation.records import (
    FiveYearAlert,
    GraduationState,
    five_year_alerts,
    followed_up,
    graduation_state,
    record_graduation,
)

__all__ = [
    "REPORT_COLUMNS",
    "FiveYearAlert",
    "GraduationState",
    "family_readiness",
    "five_year_alerts",
    "followed_up",
    "graduation_state",
    "indicators",
    "potential_list",
    "record_graduation",
    "region_rules",
    "report_indicators",
    "report_xlsx",
    "set_region_rules",
]
