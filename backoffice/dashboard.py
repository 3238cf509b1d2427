"""The back office's home page figures: "are we OK?" at a glance. Reads only."""

import logging
from datetime import datetime, time
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from orders.credit_holds import HELD_STATUSES
from orders.models import DeadLetter, Order, OrderStatus
from orders.selectors import oldest_unfinished_age_seconds, stuck_orders

logger = logging.getLogger("bouquet.admin")


def _orders_url(**params) -> str:
    return reverse("admin:orders_order_changelist") + ("?" + urlencode(params) if params else "")


def queue_depth() -> int | None:
    """Tasks waiting in django-q2's broker, or None when the broker cannot be asked
    (Redis down must not take the back office's home page with it)."""
    try:
        from django_q.brokers import get_broker

        return int(get_broker().queue_size())
    except Exception:  # any broker failure: show "unknown", never a 500
        logger.warning("queue depth unavailable", exc_info=True)
        return None


def back_office_health() -> dict:
    """Return the figures of the admin home, each with a link to the filtered list."""
    today = timezone.localdate()
    day = {"created_at__year": today.year, "created_at__month": today.month, "created_at__day": today.day}
    start = timezone.make_aware(datetime.combine(today, time.min))
    counts = dict(
        Order.objects.filter(created_at__gte=start)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    by_state = [
        {"status": status, "count": counts.get(status, 0), "url": _orders_url(status__exact=status, **day)}
        for status in OrderStatus.values
    ]
    age = oldest_unfinished_age_seconds()
    return {
        "today": today,
        "orders_today": sum(counts.values()),
        "orders_today_url": _orders_url(**day),
        "by_state": by_state,
        "stuck": stuck_orders().count(),
        "stuck_url": _orders_url(attention="stuck"),
        "credit_holds": Order.objects.filter(hold=Order.Hold.CREDIT, status__in=HELD_STATUSES).count(),
        "credit_holds_url": _orders_url(hold__exact=Order.Hold.CREDIT),
        "dead_letters": DeadLetter.objects.filter(status=DeadLetter.Status.OPEN).count(),
        "dead_letters_url": reverse("admin:orders_deadletter_changelist") + "?status__exact=open",
        "queue_depth": queue_depth(),
        "oldest_unfinished_seconds": round(age),
        "oldest_unfinished_url": _orders_url(attention="waiting", o="6"),
    }
