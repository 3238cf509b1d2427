"""The admin home's peak view: per minute, the orders accepted and confirmed, each
step's backlog rolled back from the order events, and intake's p99, for a history
written at known minutes; drawn as SVG; cached, so a second look costs no query."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from backoffice.peak_figures import compute_peak_figures, parse_hours
from config import intake_minutes
from orders.factories import OrderFactory
from orders.models import Order, OrderEvent, OrderStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 2, 13, 7, 30, 20, tzinfo=UTC)  # Valentine's Saturday, 08:30 in Amsterdam
C, R, PP, P, CF = (
    OrderStatus.CREATED,
    OrderStatus.INVENTORY_RESERVED,
    OrderStatus.PAYMENT_PENDING,
    OrderStatus.PAID,
    OrderStatus.CONFIRMED,
)


def at(hhmmss: str) -> datetime:
    hours, minutes, seconds = map(int, hhmmss.split(":"))
    return NOW.replace(hour=hours, minute=minutes, second=seconds)


def history(status: str, moves: list[tuple[str, str, str]], **fields) -> Order:
    """An order now at `status`, whose events ((from, to, HH:MM:SS)) were written then."""
    order = OrderFactory(status=status, **fields)
    for from_status, to_status, moment in moves:
        OrderEvent.objects.create(
            order=order, partner=order.partner, from_status=from_status, to_status=to_status, created_at=at(moment)
        )
    return order


@pytest.fixture
def valentines_morning(db):
    """Three orders moving through the last minutes before 07:30:20 UTC, one from before
    the window still waiting, and one held since its creation at 07:10."""
    history(
        CF, [("", C, "07:25:10"), (C, R, "07:26:30"), (R, PP, "07:26:40"), (PP, P, "07:27:05"), (P, CF, "07:28:00")]
    )
    history(R, [("", C, "07:26:05"), (C, R, "07:29:10")])
    history(C, [("", C, "07:29:50")])
    history(C, [("", C, "05:00:00")])
    history(C, [("", C, "07:10:00")], hold=Order.Hold.CREDIT)


def by_clock(figures, values) -> dict[str, int | float | None]:
    """The minutes whose value is not 0, by their start's HH:MM (UTC)."""
    return {f"{m:%H:%M}": v for m, v in zip(figures.minutes, values, strict=True) if v}


def test_the_figures_of_a_constructed_history(valentines_morning):
    with time_machine.travel(NOW, tick=False):
        figures = compute_peak_figures(1)

    assert len(figures.minutes) == 60
    assert (f"{figures.minutes[0]:%H:%M}", f"{figures.minutes[-1]:%H:%M}") == ("06:31", "07:30")
    assert by_clock(figures, figures.accepted) == {"07:10": 1, "07:25": 1, "07:26": 1, "07:29": 1}
    assert by_clock(figures, figures.confirmed) == {"07:28": 1}
    reserve = dict(zip((f"{m:%H:%M}" for m in figures.minutes), figures.backlog["reserve"], strict=True))
    # The order from 05:00 waits all along, the held one since its creation at 07:10;
    # each of the others counts from its creation until it was reserved.
    assert [reserve[m] for m in ("06:31", "07:09", "07:10", "07:24", "07:25", "07:28", "07:29", "07:30")] == [
        1,
        1,
        2,
        2,
        3,
        3,
        3,
        3,
    ]
    assert by_clock(figures, figures.backlog["pay"]) == {"07:26": 1, "07:29": 1, "07:30": 1}
    assert by_clock(figures, figures.backlog["finalize"]) == {"07:27": 1}
    assert figures.intake_known and set(figures.intake_p99) == {None}


def test_the_page_draws_each_series_at_its_minutes(staff_client, clerk, valentines_morning):
    with time_machine.travel(NOW, tick=False):
        staff_client.force_login(clerk)  # a session of that day
        page = staff_client.get(reverse("admin:index"), {"peak_hours": "1"}).content.decode()

    accepted = points(page, "series-accepted")
    assert len(accepted) == 60
    top = min(y for _, y in accepted)
    # One order a minute is the chart's top; every other minute lies on the axis.
    assert [index for index, (_, y) in enumerate(accepted) if y == top] == [39, 54, 55, 58]
    confirmed = points(page, "series-confirmed")
    assert [index for index, (_, y) in enumerate(confirmed) if y == top] == [57]
    assert ">accepted: 0 (max 1)<" in page and ">to reserve: 3<" in page and ">to pay: 1<" in page
    assert "06:40" not in page and "07:40" in page  # ticks every ten minutes on Amsterdam's clock
    assert "no intake in this window" in page and "alert at 150 ms" in page


def test_intake_p99_is_drawn_for_the_minutes_with_intake(staff_client, clerk):
    with time_machine.travel(NOW - timedelta(minutes=2), tick=False):
        for _ in range(98):
            intake_minutes.record("api", 0.02)
        for _ in range(2):
            intake_minutes.record("api", 0.3)
        intake_minutes.flush()
    with time_machine.travel(NOW, tick=False):
        staff_client.force_login(clerk)
        page = staff_client.get(reverse("admin:index"), {"peak_hours": "1"}).content.decode()

    # 99 of 100 answers: the bucket up to 0.5 s holds the 99th, halfway into its share.
    assert ">p99: 375 ms<" in page  # its only minute: the latest is the highest
    [(x, _)] = points(page, "series-p99")
    assert x == pytest.approx(52 + (640 - 14 - 52) * 57 / 59, abs=0.1)


def points(page: str, css_class: str) -> list[tuple[float, float]]:
    [path] = re.findall(rf'<path class="series {css_class}" d="([^"]*)"', page)
    return [(float(x), float(y)) for x, y in re.findall(r"[ML]([\d.]+),([\d.]+)", path)]


def test_a_second_look_within_the_cache_costs_two_statements_less(staff_client, django_assert_num_queries):
    home = reverse("admin:index")
    staff_client.get(home)  # the session and the user, warm
    staff_client.get(home)
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(NUMBER_OF_STATEMENTS_UNCACHED):
        staff_client.get(home)
    with django_assert_num_queries(NUMBER_OF_STATEMENTS_UNCACHED - 2):
        staff_client.get(home)


# The session, the user, "are we OK?" (with its two about Stripe: the last
# reconciliation, the disputes' and the mirror's counts) and the app list, and the peak
# view's two (the window's events, the orders waiting now).
NUMBER_OF_STATEMENTS_UNCACHED = 13


def test_a_bad_window_is_named_and_the_default_shown(staff_client):
    response = staff_client.get(reverse("admin:index"), {"peak_hours": "24"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "peak_hours must be one of 1, 3, 12 (hours), not &#x27;24&#x27;: showing 3." in page
    assert "the last 3 hours" in page
    assert parse_hours("12") == (12, "") and parse_hours(None) == (3, "")
