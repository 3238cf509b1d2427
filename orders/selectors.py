"""Reads of orders, scoped to who is asking: a partner's user sees that partner's
orders only (another partner's order is simply not found), a buyer only the orders
they placed (`placed_by`, from partners.roles `orders_limited_to`), staff see all."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Min, Prefetch, QuerySet
from django.utils import timezone

from orders.exceptions import OrderNotFoundError
from orders.models import Order, OrderEvent
from orders.states import MOVED_BY_STEPS
from partners.models import Membership

FEED_PAGE_MAX = 500
# Event ids are bigints: a cursor past the largest is refused as out of bounds (400).
MAX_EVENT_ID = 2**63 - 1


def orders_visible_to(*, partner, placed_by=None) -> QuerySet[Order]:
    """All orders for staff (partner None), else the partner's; of those, only the
    ones `placed_by` placed when a buyer's limit is given."""
    # The route and its warehouse: an order's `route` and `order_by` cost no query a row.
    orders = Order.objects.select_related("partner", "ship_to", "route__warehouse")
    if partner is not None:
        orders = orders.filter(partner=partner)
    if placed_by is not None:
        orders = orders.filter(placed_by=placed_by)
    return orders


def get_order(*, partner, number: str, placed_by=None, for_detail: bool = True) -> Order:
    """Return the order numbered `number` as orders_visible_to scopes it; raise
    OrderNotFoundError for one outside the scope, as for one that does not exist."""
    orders = orders_visible_to(partner=partner, placed_by=placed_by)
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
    if for_detail and partner is not None:
        for staff in as_partner_sees_them(order.events.all(), partner_id=partner.id):
            order.cancel_detail = _unnamed(order.cancel_detail, staff)
    return order


BACK_OFFICE = "Bouquet back office"
# Actors that are no person: the journey's workers, and the partner's doors an order came
# through ("admin" is left out: it is the back office's door, and a common staff username).
_MACHINE_ACTORS = frozenset({"", "system", Order.Source.API, Order.Source.PORTAL, Order.Source.CSV})


def as_partner_sees_them(events: Iterable[OrderEvent], *, partner_id: int) -> set[str]:
    """Show each event's actor as a partner may see it, on these instances in memory
    (they are never saved): the partner's own users and the machine by name, anyone
    else, the back office's staff, as BACK_OFFICE, also in a detail naming them. The one
    rule for every door that shows a partner its events (the API and the portal).
    Return the names hidden, for the order's own copy of the cancel detail."""
    events = list(events)
    people = {event.actor for event in events} - _MACHINE_ACTORS
    if not people:
        return set()
    own = set(
        Membership.objects.filter(partner_id=partner_id, user__username__in=people).values_list(
            "user__username", flat=True
        )
    )
    for event in events:
        if event.actor in people and event.actor not in own:
            event.detail = _unnamed(event.detail, event.actor)
            event.actor = BACK_OFFICE
    return people - own


def _unnamed(detail: str, staff: str) -> str:
    # cancel_order's detail when no reason is given: "cancelled by <actor>".
    return detail.removesuffix(staff) + BACK_OFFICE if detail.endswith(f"by {staff}") else detail


# Events are read in (writing transaction id, event id) order, and only from
# transactions older than every transaction still running. An event id is drawn when
# the row is inserted, not when its transaction commits, so a reader going by id
# alone could move its cursor past an event whose transaction commits a moment later
# and never see it. Every transaction below the snapshot's xmin has ended, so the
# events served are final, and any transaction still to commit has a higher id than
# all of them: it lands after the cursor.
_FEED_SQL = """
SELECT e.id, e.tx_id
  FROM orders_orderevent e
  {buyer_join}
 WHERE e.tx_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
   AND (e.tx_id, e.id) > (%(cursor_tx)s, %(after)s)
   {partner_filter}
 ORDER BY e.tx_id, e.id
 LIMIT %(limit)s
"""


def event_feed(*, partner, after: int, limit: int, placed_by=None) -> list[OrderEvent]:
    """Return up to `limit` events after the event with id `after` (0: from the start),
    in feed order, each with its order; with `placed_by` (a buyer), only the events of
    the orders they placed."""
    from django.db import connection

    # A partner's cursor is looked up among its own events: another partner's event id
    # is as unknown as one never written, so the answer tells nothing about it.
    feed = OrderEvent.objects.all() if partner is None else OrderEvent.objects.filter(partner_id=partner.id)
    if placed_by is not None:
        feed = feed.filter(order__placed_by=placed_by)
    cursor_tx = -1
    if after:
        cursor_tx = feed.filter(id=after).values_list("tx_id", flat=True).first()
        if cursor_tx is None:
            from orders.exceptions import InvalidCursorError

            raise InvalidCursorError(f"after={after} is not an event id this feed has served.")
    params = {"cursor_tx": cursor_tx, "after": after, "limit": min(max(limit, 1), FEED_PAGE_MAX)}
    partner_filter = ""
    if partner is not None:
        # The event's own copy of its order's partner, so that PostgreSQL walks this
        # partner's index (partner, tx_id, id) from the cursor, not everyone's events.
        partner_filter = "AND e.partner_id = %(partner_id)s"
        params["partner_id"] = partner.id
    buyer_join = ""
    if placed_by is not None:
        # Still the partner's index from the cursor; each event found costs a look at
        # its order, which only a buyer's feed pays.
        buyer_join = "JOIN orders_order o ON o.id = e.order_id AND o.placed_by_id = %(placed_by_id)s"
        params["placed_by_id"] = placed_by.pk
    with connection.cursor() as db:
        db.execute(_FEED_SQL.format(partner_filter=partner_filter, buyer_join=buyer_join), params)
        ids = [row[0] for row in db.fetchall()]
    events = OrderEvent.objects.select_related("order").in_bulk(ids)
    events = [events[i] for i in ids]
    if partner is not None:
        as_partner_sees_them(events, partner_id=partner.id)
    return events


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


def waiting_count_by_status(*, held_too: bool = False) -> dict[str, int]:
    """Orders waiting at a step, counted by state: not held (the journey's partial
    index `order_waiting_at_step`), what "are we OK?" shows; or `held_too`, every order
    in a state a step moves out of, what the peak view's backlog rolls back from."""
    from django.db.models import Count

    waiting = Order.objects.filter(status__in=MOVED_BY_STEPS)
    return dict(
        (waiting if held_too else waiting.filter(hold=""))
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
        .order_by()
    )
