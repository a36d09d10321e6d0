"""Business monitoring's pure computing: due check-ins, the revenue series and its chart."""

from __future__ import annotations

from datetime import date

import pytest

from mapping.monitoring import due_businesses, is_due, line_chart, revenue_change, revenue_series

TODAY = date(2026, 12, 8)


def test_is_due_when_no_checkin_in_the_last_30_days() -> None:
    assert is_due(None, TODAY)
    assert not is_due(TODAY, TODAY)
    assert not is_due(date(2026, 11, 9), TODAY)  # 29 days ago
    assert is_due(date(2026, 11, 8), TODAY)  # 30 days ago: outside the window
    assert due_businesses({1: None, 2: date(2026, 12, 1), 3: date(2025, 1, 1)}, TODAY) == {1, 3}


def test_revenue_series_is_oldest_first_one_point_a_day_and_the_newest_kept() -> None:
    checkins = [(date(2026, 3, 1), 300), (date(2026, 1, 1), 100), (date(2026, 2, 1), 200), (date(2026, 2, 1), 250)]
    assert revenue_series(checkins) == [(date(2026, 1, 1), 100), (date(2026, 2, 1), 250), (date(2026, 3, 1), 300)]
    assert revenue_series(checkins, limit=2) == [(date(2026, 2, 1), 250), (date(2026, 3, 1), 300)]
    assert revenue_change(revenue_series(checkins)) == pytest.approx(2.0)
    assert revenue_change([(TODAY, 100)]) is None
    assert revenue_change([(date(2026, 1, 1), 0), (TODAY, 100)]) is None


def test_line_chart_places_the_points_between_the_pads_with_zero_at_the_bottom() -> None:
    chart = line_chart([0, 50, 100], width=104, height=58, pad=2)
    assert chart is not None
    assert chart.points == [(2.0, 56.0), (52.0, 29.0), (102.0, 2.0)]
    assert chart.path == "M2 56 L52 29 L102 2"
    assert chart.top == 100 and chart.baseline == 56.0
    single = line_chart([7], width=100, height=20, pad=0)
    assert single is not None and single.points == [(50.0, 0.0)]
    flat = line_chart([0, 0])
    assert flat is not None and all(y == flat.baseline for _, y in flat.points)
    assert line_chart([]) is None
    with pytest.raises(ValueError, match="negative"):
        line_chart([1, -1])
