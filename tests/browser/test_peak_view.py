"""The admin home's peak view in real Chromium: after a spike of orders written at
known minutes of the last hour, the three charts are drawn with their lines, beside
"are we OK?", under the Content-Security-Policy with no violation. The screenshot
(test-artifacts/screenshots/admin-peak-view.png) is there to be looked at."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from config import intake_minutes
from orders.factories import OrderFactory
from orders.models import OrderEvent, OrderStatus
from partners.factories import UserFactory
from tests.support.browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]

JOURNEY = (
    ("", OrderStatus.CREATED),
    (OrderStatus.CREATED, OrderStatus.INVENTORY_RESERVED),
    (OrderStatus.INVENTORY_RESERVED, OrderStatus.PAYMENT_PENDING),
    (OrderStatus.PAYMENT_PENDING, OrderStatus.PAID),
    (OrderStatus.PAID, OrderStatus.CONFIRMED),
)


def a_spike_in_the_last_hour() -> None:
    """Ten minutes ago, fifty orders in a minute, each a minute further along its
    journey per minute, against a few a minute before and after; intake slower then."""
    now = timezone.now().replace(second=0, microsecond=0)
    for minutes_ago in range(40, 0, -1):
        placed = now - timedelta(minutes=minutes_ago)
        per_minute = 50 if minutes_ago in (10, 11) else 3
        for n in range(per_minute):
            steps = min(len(JOURNEY), 1 + (minutes_ago - 1) // 2)
            order = OrderFactory(status=JOURNEY[steps - 1][1])
            OrderEvent.objects.bulk_create(
                OrderEvent(
                    order=order,
                    partner_id=order.partner_id,
                    from_status=from_status,
                    to_status=to_status,
                    created_at=placed + timedelta(minutes=step, seconds=n % 60),
                )
                for step, (from_status, to_status) in enumerate(JOURNEY[:steps])
            )
        with time_machine.travel(placed + timedelta(seconds=30), tick=False):
            for n in range(per_minute):
                intake_minutes.record("api", 0.03 + (0.2 if per_minute > 3 and n % 10 == 0 else 0.0))
            intake_minutes.flush()


def test_the_peak_view_draws_its_charts_under_the_policy(page, screenshot):
    UserFactory(username="clerk", is_staff=True, is_superuser=True)
    a_spike_in_the_last_hour()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    log_in(page, "clerk", "bouquet-test", login_path="/admin/login/")
    page.goto("/admin/?peak_hours=1")
    page.wait_for_selector("#peak-orders svg")

    for chart, series in (
        ("peak-orders", ("accepted", "confirmed")),
        ("peak-backlog", ("reserve", "pay", "finalize")),
        ("peak-intake", ("p99",)),
    ):
        for name in series:
            box = page.locator(f"#{chart} path.series-{name}").bounding_box()
            assert box and box["width"] > 100, (chart, name)  # a line across the window, not a dot
    health, peak = page.locator("#health").bounding_box(), page.locator("#peak").bounding_box()
    screenshot("admin-peak-view")
    assert peak["x"] > health["x"] + health["width"] - 1  # beside the table, not under it
    assert violations == []
