"""Business monitoring: which businesses are due a check-in, the revenue series, its chart.

Pure functions of plain values (dates and numbers); the service loads the check-ins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

DUE_AFTER_DAYS = 30
"""A business is due a check-in when it had none in this many days."""


def is_due(last_checked: date | None, today: date, *, days: int = DUE_AFTER_DAYS) -> bool:
    """Whether a business last checked on ``last_checked`` is due a check-in on ``today``.

    Parameters
    ----------
    last_checked : date or None
        The day of its latest check-in (``None``: never checked).
    today : date
        The local day.
    days : int
        The window: a check-in on any of the ``days`` days up to and including ``today`` counts.

    Returns
    -------
    bool
        ``True`` when there is no check-in in the window.
    """
    return last_checked is None or last_checked <= today - timedelta(days=days)


def due_businesses(last_checked: Mapping[int, date | None], today: date, *, days: int = DUE_AFTER_DAYS) -> set[int]:
    """The ids of the businesses due a check-in.

    Parameters
    ----------
    last_checked : mapping of int to date or None
        Each business's id and the day of its latest check-in (``None``: never).
    today : date
        The local day.
    days : int
        The window of ``is_due``.

    Returns
    -------
    set of int
        The ids with no check-in in the window.
    """
    return {bid for bid, last in last_checked.items() if is_due(last, today, days=days)}


def revenue_series(checkins: Iterable[tuple[date, int]], *, limit: int = 24) -> list[tuple[date, int]]:
    """The revenue over time: one point per check-in, oldest first, the latest ``limit`` of them.

    Parameters
    ----------
    checkins : iterable of (date, int)
        Each check-in's day and monthly revenue, in any order. Two on one day: the later one given wins.
    limit : int
        The most points kept (the newest).

    Returns
    -------
    list of (date, int)
        Oldest first.
    """
    by_day: dict[date, int] = {}
    for day, revenue in checkins:
        by_day[day] = revenue
    points = sorted(by_day.items())
    return points[-limit:] if limit > 0 else []


def revenue_change(series: Sequence[tuple[date, int]]) -> float | None:
    """The relative change from the first point to the last (0.25: a quarter more).

    Parameters
    ----------
    series : sequence of (date, int)
        Oldest first, as ``revenue_series`` gives.

    Returns
    -------
    float or None
        ``None`` with fewer than two points or a first revenue of zero.
    """
    if len(series) < 2 or series[0][1] <= 0:
        return None
    return (series[-1][1] - series[0][1]) / series[0][1]


@dataclass(frozen=True)
class LineChart:
    """An SVG line chart's geometry, in the ``width`` x ``height`` user units of its view box."""

    width: int
    height: int
    points: list[tuple[float, float]]
    path: str
    top: float  # the value at the top edge of the plot
    baseline: float  # the y of the value 0


def line_chart(values: Sequence[float], *, width: int = 300, height: int = 80, pad: float = 4.0) -> LineChart | None:
    """The points and SVG path of a line through ``values``, evenly spaced, 0 at the bottom.

    Parameters
    ----------
    values : sequence of float
        The values, oldest first; none negative.
    width, height : int
        The view box.
    pad : float
        Space kept free on each side (so the dots are not cut).

    Returns
    -------
    LineChart or None
        ``None`` when there is nothing to draw (no values). A single value is one dot in the middle.
    """
    if not values:
        return None
    if any(v < 0 for v in values):
        raise ValueError("a line chart of revenue takes no negative value")
    top = float(max(values)) or 1.0
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    n = len(values)
    baseline = round(pad + inner_h, 1)

    def x(i: int) -> float:
        return round(pad + (inner_w * i / (n - 1) if n > 1 else inner_w / 2), 1)

    def y(v: float) -> float:
        return round(pad + inner_h * (1 - v / top), 1)

    points = [(x(i), y(v)) for i, v in enumerate(values)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{px:g} {py:g}" for i, (px, py) in enumerate(points))
    return LineChart(width=width, height=height, points=points, path=path, top=top, baseline=baseline)
