"""The peak view's charts as geometry for server-rendered SVG
(templates/admin/peak_view.html): a line per series over the window's minutes, axes
with round ticks on the back office's clock, a legend with each series' latest value,
and an optional threshold line. Colours come from classes (static/backoffice/admin.css):
the Content-Security-Policy refuses inline styles."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from backoffice.peak_figures import HOURS_CHOICES, PeakFigures, parse_hours, peak_figures

WIDTH = 640
HEIGHT = 190
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 30, 24
# Ticks on the time axis, by window: a tick every so many minutes.
TIME_TICK_MINUTES = {1: 10, 3: 30, 12: 120}


@dataclass(frozen=True)
class Tick:
    at: float  # px along its axis
    label: str


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    path: str  # SVG path data; a gap where a minute has no value
    latest: str  # the last known value, formatted for the legend
    legend_x: float

    @property
    def legend_line_end(self) -> float:
        return self.legend_x + 16

    @property
    def legend_text_x(self) -> float:
        return self.legend_x + 21


@dataclass(frozen=True)
class Threshold:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    threshold: Threshold | None
    note: str  # shown instead of lines when there is nothing to draw

    @property
    def y_label_x(self) -> int:
        return self.left - 6

    @property
    def tick_end(self) -> float:
        return self.bottom + 5

    @property
    def x_label_y(self) -> float:
        return self.bottom + 17

    @property
    def middle(self) -> tuple[float, float]:
        return round((self.left + self.right) / 2, 1), round((self.top + self.bottom) / 2, 1)


def nice_ceiling(value: float, smallest_step: float = 0.0) -> tuple[float, float]:
    """A round top for the value axis at or above `value`, and its tick step: 1, 2 or
    5 times a power of ten, at least `smallest_step` (1 for counts), at most five ticks
    above zero."""
    if value <= 0:
        return max(smallest_step, 1.0), max(smallest_step, 1.0)
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (0.1, 0.2, 0.5, 1, 2, 5, 10):
        step = max(magnitude * factor, smallest_step)
        if value / step <= 5:
            return step * math.ceil(value / step - 1e-9), step
    return value, value


def time_ticks(minutes: Sequence[datetime], x_of: Callable[[int], float]) -> tuple[Tick, ...]:
    """Ticks at round times of the back office's clock (HH:MM)."""
    every = TIME_TICK_MINUTES.get(round(len(minutes) / 60), max(len(minutes) // 6, 1))
    ticks = []
    for index, minute in enumerate(minutes):
        local = timezone.localtime(minute)
        if (local.hour * 60 + local.minute) % every == 0:
            ticks.append(Tick(x_of(index), local.strftime("%H:%M")))
    return tuple(ticks)


def _path(values: Sequence[float | None], x_of, y_of) -> str:
    parts = []
    drawing = False
    for index, value in enumerate(values):
        if value is None:
            drawing = False
            continue
        x, y = x_of(index), y_of(value)
        if drawing:
            parts.append(f"L{x:.1f},{y:.1f}")
        else:
            # A lone minute still shows: a dot-long stroke (round caps, admin.css).
            parts.append(f"M{x:.1f},{y:.1f}h0.1")
            drawing = True
    return "".join(parts)


def line_chart(
    *,
    chart_id: str,
    title: str,
    minutes: Sequence[datetime],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    value_label: Callable[[float], str] = lambda value: f"{value:,.0f}",
    smallest_step: float = 1.0,
    threshold: tuple[float, str] | None = None,
    empty_note: str = "nothing in this window",
) -> Chart:
    """A chart of `series` ((name, css class, a value or None per minute)) over
    `minutes`, with `threshold` ((value, label)) drawn as a dashed line."""
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    span = max(len(minutes) - 1, 1)
    known = [value for _, _, values in series for value in values if value is not None]
    top_value, step = nice_ceiling(max(known + ([threshold[0]] if threshold else []), default=0), smallest_step)

    def x_of(index: int) -> float:
        return round(LEFT + (right - LEFT) * index / span, 1)

    def y_of(value: float) -> float:
        return round(bottom - (bottom - TOP) * min(value, top_value) / top_value, 1)

    y_ticks = tuple(Tick(y_of(step * n), value_label(step * n)) for n in range(int(round(top_value / step)) + 1))
    drawn = []
    legend_x = float(LEFT)
    for name, css_class, values in series:
        latest = next((value for value in reversed(values) if value is not None), None)
        most = max((value for value in values if value is not None), default=None)
        legend = f"{name}: {value_label(latest) if latest is not None else '-'}"
        if most is not None and most != latest:
            legend += f" (max {value_label(most)})"
        drawn.append(Series(name, css_class, _path(values, x_of, y_of), legend, legend_x))
        legend_x += 32 + 6.0 * len(legend)
    return Chart(
        chart_id=chart_id,
        title=title,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=right,
        top=TOP,
        bottom=bottom,
        x_ticks=time_ticks(minutes, x_of),
        y_ticks=y_ticks,
        series=tuple(drawn),
        threshold=Threshold(y_of(threshold[0]), threshold[1]) if threshold else None,
        note="" if known else empty_note,
    )


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def window_label(minutes: Sequence[datetime]) -> str:
    first = timezone.localtime(minutes[0])
    last = timezone.localtime(minutes[-1] + timedelta(minutes=1))
    return f"{first:%H:%M} to {last:%H:%M} ({timezone.get_current_timezone_name()})"


# The alert rule's bound (deploy/prometheus/): intake p99 over 150 ms for 5 minutes.
INTAKE_P99_ALERT_SECONDS = 0.150


def peak_charts(figures: PeakFigures) -> tuple[Chart, ...]:
    """The three charts of the peak view."""
    minutes = figures.minutes
    return (
        line_chart(
            chart_id="peak-orders",
            title="Orders per minute",
            minutes=minutes,
            series=[
                ("accepted", "series-accepted", figures.accepted),
                ("confirmed", "series-confirmed", figures.confirmed),
            ],
        ),
        line_chart(
            chart_id="peak-backlog",
            title="Backlog: orders waiting at each step (held ones too)",
            minutes=minutes,
            series=[(f"to {step}", f"series-{step}", levels) for step, levels in figures.backlog.items()],
        ),
        line_chart(
            chart_id="peak-intake",
            title="Intake p99 per minute",
            minutes=minutes,
            series=[("p99", "series-p99", figures.intake_p99)],
            value_label=milliseconds,
            smallest_step=0.0,
            threshold=(INTAKE_P99_ALERT_SECONDS, "alert at 150 ms"),
            empty_note="no intake in this window" if figures.intake_known else "unknown: Redis unreachable",
        ),
    )


def peak_view(raw_hours: str | None) -> dict:
    """What the admin home's peak view shows for the window asked for (`peak_hours`
    in the query string): the charts, the window, the choices, and an error naming a
    bad choice."""
    hours, error = parse_hours(raw_hours)
    figures = peak_figures(hours)
    return {
        "hours": hours,
        "hours_choices": HOURS_CHOICES,
        "hours_error": error,
        "window": window_label(figures.minutes),
        "charts": peak_charts(figures),
    }
