"""What waits where: the orders of each state and the oldest waiting at each step, read
at every Prometheus scrape (backoffice/metrics.py), so each read is bounded by what is
unfinished, never by the whole order table:

- the open orders (neither SHIPPED nor CANCELLED) are counted exactly, through the
  partial index of open orders (`order_open_by_partner`): the journey's backlog plus
  the CONFIRMED orders waiting for dispatch, a day or two of orders at most;
- the oldest order waiting at each step comes with them (the pay step waits at two
  states), and the refund step's from the partial index of refunds due;
- the finished ones (SHIPPED, CANCELLED), which only grow, are PostgreSQL's estimate
  from its statistics (as fresh as autovacuum's last ANALYZE): an exact count would
  read the whole table at every scrape."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from orders.models import OrderStatus
from orders.states import STEP_FOR_STATUS

OPEN_STATUSES = tuple(status for status in OrderStatus.values if status not in ("SHIPPED", "CANCELLED"))
FINISHED_STATUSES = ("SHIPPED", "CANCELLED")
# In journey order; each waits at the states STEP_FOR_STATUS gives it.
STEPS = tuple(dict.fromkeys(STEP_FOR_STATUS.values()))

_OPEN_ORDERS_SQL = """
SELECT status, count(*), min(updated_at) FILTER (WHERE hold = '')
  FROM orders_order
 WHERE NOT (status IN ('SHIPPED', 'CANCELLED'))
 GROUP BY status
"""

_OLDEST_REFUND_DUE_SQL = """
SELECT min(o.updated_at)
  FROM payments_payment p JOIN orders_order o ON o.id = p.order_id
 WHERE p.status = 'refund_pending' AND o.status = 'CANCELLED' AND o.hold = ''
"""

_FINISHED_ESTIMATE_SQL = """
SELECT c.reltuples, s.most_common_vals::text, s.most_common_freqs
  FROM pg_class c
  LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = 'orders_order' AND s.attname = 'status'
 WHERE c.oid = 'orders_order'::regclass
"""


@dataclass(frozen=True)
class Backlog:
    # Every open state, 0 where none is.
    open_orders: dict[str, int]
    # For each step, when its oldest order not held for a person last moved (None: none waits).
    oldest_waiting: dict[str, datetime | None]


def read_backlog() -> Backlog:
    """Return the open orders by state and the oldest order waiting at each step: two
    statements, each over unfinished orders only."""
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_ORDERS_SQL)
        rows = cursor.fetchall()
        cursor.execute(_OLDEST_REFUND_DUE_SQL)
        (oldest_refund,) = cursor.fetchone()
    open_orders = dict.fromkeys(OPEN_STATUSES, 0)
    oldest: dict[str, datetime | None] = dict.fromkeys(STEPS)
    for status, count, oldest_not_held in rows:
        open_orders[status] = count
        step = STEP_FOR_STATUS.get(status)
        if step is not None and oldest_not_held is not None:
            oldest[step] = min(filter(None, (oldest[step], oldest_not_held)))
    oldest["refund"] = oldest_refund
    return Backlog(open_orders=open_orders, oldest_waiting=oldest)


def estimate_finished_orders() -> dict[str, float]:
    """Return PostgreSQL's estimate of the SHIPPED and CANCELLED orders (0 before it has
    analysed the table): its row estimate times each state's share in its sample."""
    with connection.cursor() as cursor:
        cursor.execute(_FINISHED_ESTIMATE_SQL)
        rows, values, shares = cursor.fetchone()
    share_of = dict(zip(values.strip("{}").split(","), shares, strict=True)) if values else {}
    return {status: round(max(rows, 0) * share_of.get(status, 0.0)) for status in FINISHED_STATUSES}
