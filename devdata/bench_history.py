"""The benchmark's order history: weeks of orders already shipped, as a platform in
service holds on its peak morning.

Without it every order table starts the bench nearly empty, and PostgreSQL plans for
that: a backend plans the foreign-key checks (and a statement it prepares) once, on a
table of a page or two, picks a sequential scan, and keeps that plan while the table
grows by thousands of rows during the run (nothing analyses it again in a minute's
run). Measured on an empty world: each check of an order's key cost 137 µs and the
webhook's lookup of a payment by its PaymentIntent 2 ms, instead of an index probe's
few µs. A database in service has history, and statistics that say so.

Written in set-based SQL (a few seconds for 20,000 orders), one transaction, and only
once: a second run finds the history in place. Every order is SHIPPED, delivered on a
past date, with its lines, its payment (card partners' at Stripe ids of their own,
never asked of the stand-in), a dispatched shipment, and the events of its journey."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

HISTORY_PO_PREFIX = "HIST-"
JOURNEY_EVENTS = (
    ("", "CREATED"),
    ("CREATED", "INVENTORY_RESERVED"),
    ("INVENTORY_RESERVED", "PAYMENT_PENDING"),
    ("PAYMENT_PENDING", "PAID"),
    ("PAID", "CONFIRMED"),
    ("CONFIRMED", "SHIPPED"),
)

_ORDERS_SQL = """
WITH partners AS (SELECT array_agg(id ORDER BY id) AS ids FROM partners_partner WHERE code LIKE 'BP%%')
INSERT INTO orders_order (po_number, requested_delivery_date, source, status, cancel_reason, cancel_detail, hold,
                          total, currency, attempts, next_attempt_at, created_at, updated_at, partner_id,
                          placed_by_id, ship_to_id, order_by, route_id)
SELECT %(po)s || n, d.day, 'api', 'SHIPPED', '', '', '', 0, 'EUR', 0, d.placed, d.placed,
       d.placed + interval '2 days', p.id, NULL, a.id, d.placed + interval '6 hours', a.route_id
  FROM generate_series(1, %(orders)s) AS n
 CROSS JOIN partners
  JOIN partners_partner p ON p.id = partners.ids[1 + n %% cardinality(partners.ids)]
  LEFT JOIN partners_shiptoaddress a ON a.partner_id = p.id AND a.is_default
 CROSS JOIN LATERAL (SELECT %(first_day)s::date + (n %% %(days)s) AS day,
                            (%(first_day)s::date + (n %% %(days)s))::timestamptz - interval '30 hours'
                              + make_interval(secs => n %% 36000) AS placed) AS d
"""

_LINES_SQL = """
WITH products AS (SELECT id, sku, name, list_price, row_number() OVER (ORDER BY id) - 1 AS i,
                         count(*) OVER () AS n FROM inventory_product WHERE active),
     history AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM orders_order WHERE po_number LIKE %(like)s)
INSERT INTO orders_orderline (order_id, line_no, sku, product_name, quantity, unit_price, line_total, product_id)
SELECT h.id, l.no, p.sku, p.name, 1 + (h.k + l.no) %% 12, p.list_price, p.list_price * (1 + (h.k + l.no) %% 12), p.id
  FROM history h
 CROSS JOIN LATERAL generate_series(1, 1 + h.k %% 3) AS l(no)
  JOIN products p ON p.i = (h.k * 7 + l.no * 131) %% p.n
"""

_TOTALS_SQL = """
UPDATE orders_order o SET total = t.total
  FROM (SELECT order_id, sum(line_total) AS total FROM orders_orderline GROUP BY order_id) AS t
 WHERE t.order_id = o.id AND o.po_number LIKE %(like)s
"""

_PAYMENTS_SQL = """
INSERT INTO payments_payment (order_id, method, status, amount, currency, stripe_payment_intent_id,
                              stripe_status, stripe_refund_id, last_error, created_at, updated_at)
SELECT o.id, CASE WHEN p.payment_method = 'card' THEN 'card' ELSE 'account' END, 'succeeded', o.total, o.currency,
       CASE WHEN p.payment_method = 'card' THEN 'pi_history_' || o.id END,
       CASE WHEN p.payment_method = 'card' THEN 'succeeded' ELSE '' END, '', '', o.created_at, o.created_at
  FROM orders_order o JOIN partners_partner p ON p.id = o.partner_id
 WHERE o.po_number LIKE %(like)s
"""

_SHIPMENTS_SQL = """
INSERT INTO fulfillment_shipment (order_id, warehouse_id, status, tracking_number, dispatched_at, created_at,
                                  updated_at)
SELECT o.id, p.home_warehouse_id, 'dispatched', 'TRK-H' || o.id, o.updated_at, o.created_at, o.updated_at
  FROM orders_order o JOIN partners_partner p ON p.id = o.partner_id
 WHERE o.po_number LIKE %(like)s AND p.home_warehouse_id IS NOT NULL
"""

_EVENTS_SQL = """
INSERT INTO orders_orderevent (order_id, partner_id, from_status, to_status, reason, detail, actor, created_at)
SELECT o.id, o.partner_id, e.from_status, e.to_status, '', '', 'history',
       o.created_at + make_interval(mins => e.step::int * 10)
  FROM orders_order o
 CROSS JOIN unnest(%(from)s::text[], %(to)s::text[]) WITH ORDINALITY AS e(from_status, to_status, step)
 WHERE o.po_number LIKE %(like)s
"""


def history_orders() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_order WHERE po_number LIKE %s", [HISTORY_PO_PREFIX + "%"])
        return cursor.fetchone()[0]


def ensure_order_history(*, orders: int, days: int = 56) -> int:
    """Give the world `orders` shipped orders over the `days` before today, unless it
    has history already; return how many history orders it holds."""
    present = history_orders()
    if present or orders <= 0:
        return present
    first_day = timezone.localdate() - datetime.timedelta(days=days)
    like = {"like": HISTORY_PO_PREFIX + "%"}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_ORDERS_SQL, {"po": HISTORY_PO_PREFIX, "orders": orders, "first_day": first_day, "days": days})
        cursor.execute(_LINES_SQL, like)
        cursor.execute(_TOTALS_SQL, like)
        cursor.execute(_PAYMENTS_SQL, like)
        cursor.execute(_SHIPMENTS_SQL, like)
        from_statuses, to_statuses = zip(*JOURNEY_EVENTS)
        cursor.execute(_EVENTS_SQL, {**like, "from": list(from_statuses), "to": list(to_statuses)})
    return history_orders()
