"""Intake's one statement: it claims the Idempotency-Key and writes the order, its
lines, its first event and the key's record, or finds the answer the key was first
given. Intake is the hot path, and every round trip and ORM compilation counts: an
order placed outside any transaction costs this statement alone (no BEGIN, no
separate claim, no COMMIT), and a statement is a transaction of its own, so the
advisory lock on the key is held from the claim to the write as it would be in one.

What it decides, in the order the caller must read it (`WrittenOrder`):
- the key's lock not taken: a request with the key is in flight; nothing written;
- a record for the key: a replay (or the key reused with another body); nothing
  written. (If the first request commits between this statement's snapshot and its
  lock, the record is not seen and the unique constraint stops the second insert: still
  one order, and orders.intake answers "in flight".);
- no order row: the order would take the partner past its open-order limit (the sum of
  its open orders, an index-only scan of `order_open_by_partner`, is answered; without
  a limit it is never computed, as PostgreSQL evaluates only the CASE branch taken);
- else the order as written."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection

from orders.idempotency import key_lock_name
from partners.models import Partner

_WRITE_ORDER_SQL = """
WITH claim AS (
    SELECT CASE WHEN %(key)s::text IS NULL THEN true
                ELSE pg_try_advisory_xact_lock(hashtextextended(%(lock)s, 0)) END AS locked,
           r.fingerprint, r.order_id, r.response
      FROM (SELECT 1) AS one
      LEFT JOIN orders_idempotencyrecord r ON r.partner_id = %(partner)s AND r.key = %(key)s
), open_orders AS (
    SELECT CASE WHEN %(max_open)s::numeric IS NULL THEN NULL
                ELSE (SELECT COALESCE(sum(total), 0) FROM orders_order
                       WHERE partner_id = %(partner)s AND status NOT IN ('SHIPPED', 'CANCELLED'))
           END AS value
), new_order AS (
    INSERT INTO orders_order (partner_id, placed_by_id, ship_to_id, po_number, requested_delivery_date, route_id,
                              order_by, source, status, cancel_reason, cancel_detail, hold, total, currency, attempts)
    SELECT %(partner)s, %(user)s, %(ship_to)s, %(po_number)s, %(delivery_date)s, %(route)s, %(order_by)s, %(source)s,
           'CREATED', '', '', '', %(total)s, %(currency)s, 0
      FROM claim, open_orders
     WHERE claim.locked AND claim.fingerprint IS NULL
       AND (open_orders.value IS NULL OR open_orders.value + %(total)s <= %(max_open)s)
    RETURNING id, number, created_at, updated_at, next_attempt_at
), new_lines AS (
    INSERT INTO orders_orderline (order_id, line_no, product_id, sku, product_name, quantity, unit_price, line_total)
    SELECT o.id, l.line_no, l.product_id, l.sku, l.product_name, l.quantity, l.unit_price, l.line_total
      FROM new_order o,
           json_to_recordset(%(lines)s::json) AS l(line_no int, product_id bigint, sku text, product_name text,
                                                   quantity int, unit_price numeric, line_total numeric)
), new_event AS (
    INSERT INTO orders_orderevent (order_id, partner_id, from_status, to_status, reason, detail, actor)
    SELECT id, %(partner)s, '', 'CREATED', '', '', %(actor)s FROM new_order
), new_key AS (
    INSERT INTO orders_idempotencyrecord (partner_id, key, fingerprint, order_id, response)
    SELECT %(partner)s, %(key)s, %(fingerprint)s, id,
           %(response)s::jsonb || jsonb_build_object(
               'number', number,
               'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      FROM new_order WHERE %(key)s::text IS NOT NULL
)
SELECT claim.locked, claim.fingerprint, claim.order_id, claim.response,
       o.id, o.number, o.created_at, o.updated_at, o.next_attempt_at, open_orders.value
  FROM claim CROSS JOIN open_orders LEFT JOIN new_order o ON true
"""


@dataclass(frozen=True, slots=True)
class PricedLine:
    """An order line as intake prices it, before it is written."""

    line_no: int
    product_id: int
    sku: str
    product_name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True, slots=True)
class WrittenOrder:
    """What the statement found and did (the module's docstring says in which order
    to read it)."""

    key_locked: bool
    stored_fingerprint: str | None
    stored_order_id: int | None
    stored_response: object
    order_id: int | None
    number: str | None
    created_at: datetime | None
    updated_at: datetime | None
    next_attempt_at: datetime | None
    open_value: Decimal | None


def write_order(
    *,
    partner: Partner,
    user_id: int | None,
    address_id: int | None,
    po_number: str,
    delivery_date,
    route_id: int,
    order_by: datetime,
    source: str,
    currency: str,
    lines: Sequence[PricedLine],
    total: Decimal,
    key: str | None,
    fingerprint: str | None,
    response: dict,
    actor: str,
) -> WrittenOrder:
    """Run intake's statement (see the module's docstring) and return what it found
    and did. `response` is the answer stored with the key, without the order's number
    and moment, which the statement adds."""
    lines_json = json.dumps(
        [
            {
                "line_no": line.line_no,
                "product_id": line.product_id,
                "sku": line.sku,
                "product_name": line.product_name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in lines
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _WRITE_ORDER_SQL,
            {
                "partner": partner.id,
                "lock": key_lock_name(partner, key) if key is not None else None,
                "user": user_id,
                "ship_to": address_id,
                "po_number": po_number,
                "delivery_date": delivery_date,
                "route": route_id,
                "order_by": order_by,
                "source": source,
                "total": total,
                "max_open": partner.max_open_order_value,
                "currency": currency,
                "lines": lines_json,
                "actor": actor,
                "key": key,
                "fingerprint": fingerprint,
                "response": json.dumps(response),
            },
        )
        return WrittenOrder(*cursor.fetchone())
