"""A peak campaign's waitlist serves itself (docs/DESIGN.md section 12). When supply
for a product grows (a lot synced in through the stock API, the admin or a stock file:
inventory.signals.stock_grew) or an order holding some is cancelled
(orders.cancellation), and an allocated campaign for today or later has a line of that
product waiting, one task (journey.tasks.serve_waitlists_task) serves every waitlist
(orders.campaign_runs.serve_waitlists).

The task is coalesced as the journey's steps are (orders.wakeups): at most one is
pending, and it clears its flag when it starts, so supply that grows while it runs
wakes another. The decision is one query, made after the writer's transaction has
committed and never raised into it. A lost task only delays the work: the sweeper
serves the waitlists every minute (journey.sweeper)."""

import logging
from collections.abc import Iterable

from django.db import DatabaseError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce

from config.supplier_day import supplier_today
from inventory.signals import stock_grew
from orders.models import OrderStatus, PrebookLine
from orders.wakeups import enqueue_once

logger = logging.getLogger("bouquet.orders")

WAITLIST_TASK = "journey.tasks.serve_waitlists_task"
# The wake-up flag's name (orders.wakeups.wake_key), cleared by the task.
WAITLIST_WAKE = "waitlists"


def waitlist_waits_for(product_ids: Iterable[int]) -> bool:
    """Whether an allocated campaign for today or later has an open pre-book line of
    these products that its allocations do not cover and that forfeited nothing (as
    orders.campaign_standings counts a line's wait), in one query."""
    product_ids = list(product_ids)
    if not product_ids:
        return False
    return (
        PrebookLine.objects.filter(
            product_id__in=product_ids,
            prebook__withdrawn_at__isnull=True,
            prebook__campaign__first_committed_at__isnull=False,
            prebook__campaign__delivery_date__gte=supplier_today(),
        )
        .exclude(allocations__order__status=OrderStatus.CANCELLED)  # a forfeiting line waits no more
        .annotate(given=Coalesce(Sum("allocations__quantity"), 0))
        .filter(quantity__gt=F("given"))
        .exists()
    )


def wake_waitlists(product_ids: Iterable[int]) -> bool:
    """Enqueue the waitlist task if a line of these products waits and none is
    pending; return whether it did. Never raises: it runs after a commit."""
    try:
        if not waitlist_waits_for(product_ids):
            return False
    except DatabaseError as exc:
        logger.warning("waitlist check failed; the sweeper will serve it", extra={"error": repr(exc)})
        return False
    return enqueue_once(WAITLIST_WAKE, WAITLIST_TASK, task_name="serve waitlists")


def wake_waitlists_on_commit(product_ids: Iterable[int]) -> None:
    """Wake the waitlists for these products once the current transaction commits."""
    product_ids = sorted(set(product_ids))
    transaction.on_commit(lambda: wake_waitlists(product_ids), robust=True)


def _on_stock_grew(sender, *, product_ids, **kwargs) -> None:
    wake_waitlists(product_ids)


def connect_waitlist_triggers() -> None:
    """Listen to inventory's stock_grew (OrdersConfig.ready)."""
    stock_grew.connect(_on_stock_grew, dispatch_uid="orders_waitlist_stock_grew")
