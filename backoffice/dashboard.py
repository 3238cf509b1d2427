"""The back office's home page figures: "are we OK?" at a glance. Reads only."""

import logging
from datetime import datetime, time
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from orders.credit_holds import HELD_STATUSES
from orders.dead_letters import count_open_dead_letters
from orders.models import Order, OrderStatus
from orders.selectors import oldest_unfinished_age_seconds, stuck_orders, waiting_count_by_status
from orders.states import MOVED_BY_STEPS, STEP_FOR_STATUS
from payments.models import ReconciliationRun

logger = logging.getLogger("bouquet.admin")


def _orders_url(**params) -> str:
    return reverse("admin:orders_order_changelist") + ("?" + urlencode(params) if params else "")


# What an order waiting at each step waits for, in the table and the peak view's legend.
WAITING_FOR = {"reserve": "to be reserved", "pay": "to be paid", "finalize": "to be finalized"}


def _statuses_param(statuses) -> str:
    # The changelist takes `status__in` as comma-separated values.
    return ",".join(statuses)


def waiting_at_each_step() -> list[dict]:
    """Orders waiting at each step, not held (what the `waiting` filter lists), with
    the link to exactly those orders; a step's states in the journey's order."""
    counts = waiting_count_by_status()
    steps: dict[str, list[str]] = {}
    for status in MOVED_BY_STEPS:
        steps.setdefault(STEP_FOR_STATUS[status], []).append(status)
    return [
        {
            "step": step,
            "label": WAITING_FOR.get(step, f"at {step}"),
            "count": sum(counts.get(status, 0) for status in statuses),
            "url": _orders_url(attention="waiting", status__in=_statuses_param(statuses)),
        }
        for step, statuses in steps.items()
    ]


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
        "credit_holds_url": _orders_url(hold__exact=Order.Hold.CREDIT, status__in=_statuses_param(HELD_STATUSES)),
        "dead_letters": count_open_dead_letters(),
        "dead_letters_url": reverse("admin:orders_deadletter_changelist") + "?status__exact=open",
        "queue_depth": queue_depth(),
        # The queue holds tasks, not orders: its link lists the orders the tasks are for.
        "waiting_url": _orders_url(attention="waiting"),
        "waiting_by_step": waiting_at_each_step(),
        "oldest_unfinished_seconds": round(age),
        "oldest_unfinished_url": _orders_url(attention="waiting", o="6"),
        "stripe": stripe_health(),
    }


_STRIPE_FIGURES_SQL = """
SELECT (SELECT count(*) FROM payments_payment WHERE disputed_at IS NOT NULL),
       EXISTS (SELECT 1 FROM payments_mirrorswitch WHERE id = 1 AND paused),
       (SELECT count(*) FROM payments_stripeevent WHERE mirrored_at IS NULL),
       (SELECT count(*) FROM payments_stripeevent WHERE mirrored_at IS NOT NULL AND mirror_error <> '')
"""


def stripe_health() -> dict:
    """The last reconciliation with Stripe and its differences, disputed payments, and
    the Stripe mirror (paused, events waiting, events it could not read). Two
    statements; each count reads a partial index (payments/models.py)."""
    run = ReconciliationRun.objects.annotate(findings_count=Count("findings")).order_by("-started_at").first()
    with connection.cursor() as cursor:
        cursor.execute(_STRIPE_FIGURES_SQL)
        disputed, paused, waiting, failed = cursor.fetchone()
    events = reverse("admin:payments_stripeevent_changelist")
    return {
        "reconciliation": run,
        "reconciliation_findings": run.findings_count if run else 0,
        "reconciliation_alert": bool(run and (run.findings_count or run.error)),
        "reconciliation_url": (
            reverse("admin:payments_reconciliationrun_change", args=[run.id])
            if run
            else reverse("admin:payments_reconciliationrun_changelist")
        ),
        "disputed": disputed,
        "disputed_url": reverse("admin:payments_payment_changelist") + "?disputed=yes",
        "mirror_paused": paused,
        "mirror_switch_url": reverse("admin:payments_mirrorswitch_changelist"),
        "mirror_waiting": waiting,
        "mirror_waiting_url": events + "?mirror=waiting",
        "mirror_failed": failed,
        "mirror_failed_url": events + "?mirror=failed",
    }
