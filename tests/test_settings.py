"""Settings that decide what 'today' is, and refuse what cannot work."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_today_is_the_date_in_indonesia_not_on_the_server() -> None:
    for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"):
        before = datetime.now(ZoneInfo(zone)).date()
        today = Settings(timezone=zone).today()
        assert before <= today <= datetime.now(ZoneInfo(zone)).date()


def test_an_unknown_time_zone_is_refused_with_its_name() -> None:
    with pytest.raises(ValidationError, match="JEJARING_TIMEZONE 'Asia/Bandung' is not an IANA time zone"):
        Settings(timezone="Asia/Bandung")


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="JEJARING_SECRET_KEY"):
        Settings(environment="production")
