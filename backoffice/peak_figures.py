"""The admin home's peak view, in figures: per minute over the last hours, the orders
accepted and confirmed, the backlog at each step, and intake's p99 (docs/ARCHITECTURE.md,
"The back office's peak view"). Reads only, and little: one scan of the window's order
events (the BRIN index `order_event_created_brin`), one count of the orders waiting
now, one Redis round trip; the whole is cached for CACHE_SECONDS, so the home page at
peak costs the database next to nothing however many people keep it open.

The backlog has no writer of its own: every transition writes an event saying from and
to, with its time, so the backlog at a minute is today's backlog rolled back by the
entries and exits of the minutes after it. Held orders (credit hold, dead letter) are
counted in their state's step, unlike "are we OK?"'s orders waiting: a hold writes no
change of state, so leaving held orders out now would leave them out of the minutes
before their hold too, and before their creation take them off the others."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncMinute
from django.utils import timezone

from config import intake_minutes
from orders.models import OrderEvent, OrderStatus
from orders.selectors import waiting_count_by_status
from orders.states import MOVED_BY_STEPS, STEP_FOR_STATUS

logger = logging.getLogger("bouquet.admin")

HOURS_CHOICES = (1, 3, 12)
DEFAULT_HOURS = 3
CACHE_SECONDS = 30
# The steps whose backlog is drawn, in the journey's order, each with the states an
# order waits in for it.
BACKLOG_STEPS: dict[str, frozenset[str]] = {
    step: frozenset(status for status in MOVED_BY_STEPS if STEP_FOR_STATUS[status] == step)
    for step in dict.fromkeys(STEP_FOR_STATUS[status] for status in MOVED_BY_STEPS)
}


@dataclass(frozen=True)
class PeakFigures:
    hours: int
    minutes: tuple[datetime, ...]  # each minute's start (UTC), oldest first; the last is the current one
    accepted: tuple[int, ...]
    confirmed: tuple[int, ...]
    backlog: dict[str, tuple[int, ...]]  # step: orders in its states (held too) at each minute's end
    intake_p99: tuple[float | None, ...]  # seconds; None: no intake that minute
    intake_known: bool  # False when Redis could not be asked


def parse_hours(raw: str | None) -> tuple[int, str]:
    """The window asked for (`peak_hours` in the query string) and an error naming what
    is wrong with it ("": none); a bad value leaves the default window."""
    if raw is None or raw == "":
        return DEFAULT_HOURS, ""
    if raw.isdigit() and int(raw) in HOURS_CHOICES:
        return int(raw), ""
    choices = ", ".join(str(hours) for hours in HOURS_CHOICES)
    return DEFAULT_HOURS, f"peak_hours must be one of {choices} (hours), not {raw[:20]!r}: showing {DEFAULT_HOURS}."


def window(hours: int, now: datetime) -> tuple[datetime, ...]:
    """The starts of the `hours * 60` minutes ending with the current one."""
    last = now.astimezone(UTC).replace(second=0, microsecond=0)
    return tuple(last - timedelta(minutes=back) for back in range(hours * 60 - 1, -1, -1))


def transitions_by_minute(since: datetime) -> dict[datetime, dict[tuple[str, str], int]]:
    """The events written since `since`, counted by minute and (from, to) state."""
    rows = (
        OrderEvent.objects.filter(created_at__gte=since)
        .annotate(minute=TruncMinute("created_at", tzinfo=UTC))
        .values_list("minute", "from_status", "to_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counted: dict[datetime, dict[tuple[str, str], int]] = {}
    for minute, from_status, to_status, n in rows:
        counted.setdefault(minute, {})[(from_status, to_status)] = n
    return counted


def backlog_over_time(
    minutes: tuple[datetime, ...], moves: dict[datetime, dict[tuple[str, str], int]], waiting_now: dict[str, int]
) -> dict[str, tuple[int, ...]]:
    """Each step's backlog at the end of each minute: the backlog now, rolled back
    minute by minute by what entered (less) and left (more) the step's states."""
    backlog = {}
    for step, statuses in BACKLOG_STEPS.items():
        level = sum(waiting_now.get(status, 0) for status in statuses)
        levels = [level]
        for minute in reversed(minutes[1:]):
            for (from_status, to_status), n in moves.get(minute, {}).items():
                level += n * ((from_status in statuses) - (to_status in statuses))
            levels.append(max(level, 0))
        backlog[step] = tuple(reversed(levels))
    return backlog


def _counts_to(moves: dict[datetime, dict[tuple[str, str], int]], minute: datetime, to_status: str) -> int:
    return sum(n for (_, to), n in moves.get(minute, {}).items() if to == to_status)


def _intake_p99(minutes: tuple[datetime, ...]) -> tuple[tuple[float | None, ...], bool]:
    try:
        p99 = intake_minutes.p99_by_minute([int(minute.timestamp()) for minute in minutes])
    except Exception:  # Redis down: the chart says so, the page still answers
        logger.warning("intake p99 unavailable", exc_info=True)
        return tuple(None for _ in minutes), False
    return tuple(p99[int(minute.timestamp())] for minute in minutes), True


def compute_peak_figures(hours: int) -> PeakFigures:
    """The figures of the last `hours`, read now (uncached)."""
    minutes = window(hours, timezone.now())
    moves = transitions_by_minute(minutes[0])
    waiting_now = waiting_count_by_status(held_too=True)
    p99, intake_known = _intake_p99(minutes)
    return PeakFigures(
        hours=hours,
        minutes=minutes,
        accepted=tuple(_counts_to(moves, minute, OrderStatus.CREATED) for minute in minutes),
        confirmed=tuple(_counts_to(moves, minute, OrderStatus.CONFIRMED) for minute in minutes),
        backlog=backlog_over_time(minutes, moves, waiting_now),
        intake_p99=p99,
        intake_known=intake_known,
    )


def peak_figures(hours: int) -> PeakFigures:
    """The figures of the last `hours`, at most CACHE_SECONDS old."""
    key = f"peak-figures:{hours}"
    try:
        cached = cache.get(key)
    except Exception:  # Redis down, or a stale pickle from another release: compute
        logger.warning("peak figures cache unavailable", exc_info=True)
        cached = None
    if isinstance(cached, PeakFigures):
        return cached
    figures = compute_peak_figures(hours)
    try:
        cache.set(key, figures, CACHE_SECONDS)
    except Exception:
        logger.warning("peak figures not cached", exc_info=True)
    return figures
