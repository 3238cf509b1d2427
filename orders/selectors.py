"""Reads of orders, scoped to who is asking: a partner's user sees that partner's
orders only (another partner's order is simply not found), staff see all."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone

from orders.exceptions import OrderNotFoundError
from orders.models import Order, OrderEvent
from orders.states import MOVED_BY_STEPS

FEED_PAGE_MAX = 500


def orders_visible_to(*, partner) -> QuerySet[Order]:
    """All orders for staff (partner None), else the partner's."""
    orders = Order.objects.select_related("partner", "ship_to")
    return orders if partner is None else orders.filter(partner=partner)


def get_order(*, partner, number: str, for_detail: bool = True) -> Order:
    orders = orders_visible_to(partner=partner)
    if for_detail:
        from fulfillment.models import Shipment

        orders = orders.select_related("payment").prefetch_related(
            "lines",
            "events",
            Prefetch(
                "shipments", queryset=Shipment.objects.select_related("warehouse").prefetch_related("lines__order_line")
            ),
        )
    order = orders.filter(number=number).first()
    if order is None:
        raise OrderNotFoundError(f"Order {number} not found.")
    return order


# Events are read in (writing transaction id, event id) order, and only from
# transactions older than every transaction still running. An event id is drawn when
# the row is inserted, not when its transaction commits, so a reader going by id
# alone could move its cursor past an event whose transaction commits a moment later
# and never see it. Every transaction below the snapshot's xmin has ended, so the
# events served are final, and any transaction still to commit has a higher id than
# all of them: it lands after the cursor.
_FEED_SQL = """
SELECT e.id, e.tx_id
  FROM orders_orderevent e {partner_join}
 WHERE e.tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
   AND (e.tx_id, e.id) > (%(cursor_tx)s, %(after)s)
   {partner_filter}
 ORDER BY e.tx_id, e.id
 LIMIT %(limit)s
"""


def event_feed(*, partner, after: int, limit: int) -> list[OrderEvent]:
    """Return up to `limit` events after the event with id `after` (0: from the start),
    in feed order, each with its order."""
    from django.db import connection

    cursor_tx = -1
    if after:
        cursor_tx = OrderEvent.objects.filter(id=after).values_list("tx_id", flat=True).first()
        if cursor_tx is None:
            from orders.exceptions import OrderError

            raise OrderError(f"after={after} is not an event id this feed has served.", code="invalid_cursor")
    params = {"cursor_tx": cursor_tx, "after": after, "limit": min(max(limit, 1), FEED_PAGE_MAX)}
    partner_join = partner_filter = ""
    if partner is not None:
        partner_join = "JOIN orders_order o ON o.id = e.order_id"
        partner_filter = "AND o.partner_id = %(partner_id)s"
        params["partner_id"] = partner.id
    with connection.cursor() as db:
        db.execute(_FEED_SQL.format(partner_join=partner_join, partner_filter=partner_filter), params)
        ids = [row[0] for row in db.fetchall()]
    events = OrderEvent.objects.select_related("order").in_bulk(ids)
    return [events[i] for i in ids]


def sync_watermark():
    """The moment before which every change to an order is committed and visible: the
    earliest start of any transaction still open on this database, and at most now
    less a second. A change stamps `updated_at` with its statement's (or its
    transaction's) start, before it commits, so it can become visible with a stamp
    older than what a reader has already seen; but never older than its own
    transaction's start. An ERP that asks next for `updated_since` = this watermark
    misses nothing.

    Every open transaction counts, not only those that have written yet: intake's
    transaction begins before its first write and stamps the order with its start.
    The second covers a transaction that has started but not yet shown itself in
    pg_stat_activity."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT LEAST(statement_timestamp() - interval '1 second', min(xact_start))
              FROM pg_stat_activity
             WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()
               AND datname = current_database() AND backend_type = 'client backend'
            """
        )
        return cursor.fetchone()[0]


def stuck_orders():
    """Orders waiting at a step, not held for a person, unchanged for longer than
    STUCK_AFTER_SECONDS: what the sweeper reports and the admin home links to."""
    threshold = timezone.now() - timedelta(seconds=settings.BOUQUET["STUCK_AFTER_SECONDS"])
    return Order.objects.filter(status__in=MOVED_BY_STEPS, hold="", updated_at__lt=threshold)


def oldest_unfinished_age_seconds() -> float:
    """Age of the oldest order waiting at a step and not held: the figure to watch, since
    a dead worker stalls progress without growing the queue."""
    oldest = Order.objects.filter(status__in=MOVED_BY_STEPS, hold="").aggregate(oldest=Min("updated_at"))["oldest"]
    return (timezone.now() - oldest).total_seconds() if oldest else 0.0
