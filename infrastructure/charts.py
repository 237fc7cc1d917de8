"""Server-rendered SVG charts: the projects' S-curves and the sensors' history.

Geometry only: these classes turn data into coordinates inside a fixed viewBox, and
the templates (`_scurve.html`, `_history_chart.html`) draw them. No chart library and
no JavaScript: a page of charts is a few kilobytes of SVG and reads the same with
scripts blocked. Each chart states its range in text; the asset page's charts also ship
their numbers in a table (screen readers, copy-paste).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

WIDTH = 320
HEIGHT = 180
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 26  # margins for the axis labels
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM


def _x(fraction: float) -> float:
    return round(LEFT + max(0.0, min(1.0, fraction)) * PLOT_W, 1)


def _y(fraction: float) -> float:
    return round(TOP + (1 - max(0.0, min(1.0, fraction))) * PLOT_H, 1)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass
class _Frame:
    """The viewBox, plot margins and axis ticks every chart's template draws."""

    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM
    top: int = TOP


@dataclass
class SCurve(_Frame):
    """Planned against actual cumulative physical progress of one project (0-100 %)."""

    planned: str = ""
    actual: str = ""
    today_x: float | None = None

    @property
    def empty(self) -> bool:
        return not (self.planned or self.actual)


def _pct(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value) / 100


def s_curve(
    *,
    planned_start: datetime.date,
    planned_end: datetime.date,
    actual_start: datetime.date | None,
    reports: Sequence,
    today: datetime.date,
) -> SCurve:
    """`reports` ordered by period_end, each with planned_physical / actual_physical."""
    if not reports:
        return SCurve(y_ticks=_percent_ticks())
    start = min(planned_start, reports[0].period_end)
    end = max(planned_end, reports[-1].period_end)
    span = max(1, (end - start).days)

    def at(day: datetime.date) -> float:
        return (day - start).days / span

    planned = [(at(planned_start), 0.0)]
    planned += [(at(r.period_end), _pct(r.planned_physical)) for r in reports]
    actual_rows = [r for r in reports if r.actual_physical is not None]
    actual = []
    if actual_rows:
        origin = actual_start or planned_start
        if origin < actual_rows[0].period_end:
            actual.append((at(origin), 0.0))
        actual += [(at(r.period_end), _pct(r.actual_physical)) for r in actual_rows]
    today_x = _x(at(today)) if start <= today <= end else None
    return SCurve(
        planned=_polyline(planned),
        actual=_polyline(actual),
        today_x=today_x,
        y_ticks=_percent_ticks(),
        x_ticks=[Tick(_x(0), _month(start)), Tick(_x(1), _month(end))],
    )


def _month(day: datetime.date) -> str:
    return f"{day:%m/%Y}"


def _percent_ticks() -> list[Tick]:
    return [Tick(_y(p / 100), f"{p}%") for p in (0, 50, 100)]


def _polyline(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_x(x)},{_y(y)}" for x, y in points)


@dataclass
class LineChart(_Frame):
    """One metric over a time window: the line is broken where data is missing."""

    segments: list[str] = field(default_factory=list)
    points: Sequence[tuple[datetime.datetime, float]] = ()  # for the data table
    low: float | None = None
    high: float | None = None
    count: int = 0

    @property
    def empty(self) -> bool:
        return not self.count


def line_chart(
    points: Sequence[tuple[datetime.datetime, float]],
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    step: datetime.timedelta,
    x_format: str,
) -> LineChart:
    """`points` (time, value) oldest first; a gap longer than three `step`s breaks the line."""
    if not points:
        return LineChart()
    low = min(value for _ts, value in points)
    high = max(value for _ts, value in points)
    span_y = (high - low) or abs(high) or 1.0
    pad = span_y * 0.05
    y_low, y_high = low - pad, high + pad
    span_t = (end - start).total_seconds() or 1.0
    gap = step.total_seconds() * 3
    segments: list[list[str]] = [[]]
    previous = None
    for ts, value in points:
        if previous is not None and (ts - previous).total_seconds() > gap and segments[-1]:
            segments.append([])
        previous = ts
        x = _x((ts - start).total_seconds() / span_t)
        y = _y((value - y_low) / (y_high - y_low))
        segments[-1].append(f"{x},{y}")
    return LineChart(
        # A lone point draws nothing as a polyline: repeat it so it shows as a dot.
        segments=[" ".join(seg if len(seg) > 1 else seg * 2) for seg in segments if seg],
        points=points,
        low=low,
        high=high,
        count=len(points),
        y_ticks=[
            Tick(_y((low - y_low) / (y_high - y_low)), f"{low:.4g}"),
            Tick(_y((high - y_low) / (y_high - y_low)), f"{high:.4g}"),
        ],
        x_ticks=[Tick(_x(0), start.strftime(x_format)), Tick(_x(1), end.strftime(x_format))],
    )


def downsample(
    points: Iterable[tuple[datetime.datetime, float]],
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    buckets: int,
) -> list[tuple[datetime.datetime, float]]:
    """Average raw points into at most `buckets` equal time slices (an SVG of 86,400
    points would weigh megabytes and show nothing more than 720 do)."""
    width = (end - start).total_seconds() / buckets or 1.0
    sums: dict[int, list[float]] = {}
    for ts, value in points:
        index = min(buckets - 1, int((ts - start).total_seconds() // width))
        slot = sums.setdefault(index, [0.0, 0])
        slot[0] += value
        slot[1] += 1
    return [
        (start + datetime.timedelta(seconds=(index + 0.5) * width), total / count)
        for index, (total, count) in sorted(sums.items())
    ]
