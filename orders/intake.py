"""Order intake: the one function every door (API, portal, CSV, admin) calls to place
an order. It validates, prices from the partner's price list, and writes the order,
its lines, its first event and the idempotency record in one transaction, then wakes
the reserve step once the transaction commits. It answers at once; the journey does
the rest. What it reads about products, prices and ship-tos comes from the process's
intake cache (orders.intake_cache), so the transaction is the key claim and
the one write. The write also sums the partner's open orders against its open-order
limit (orders.limits)."""

import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from config.errors import summarise_errors
from config.limits import CENT
from config.metrics import observe_intake
from inventory.models import Product
from orders.campaigns import prebook_only_problems
from orders.delivery import PromisedDelivery, promise_delivery
from orders.exceptions import IdempotencyKeyInFlightError, OrderTooLargeError
from orders.idempotency import (
    check_replay_visible,
    claim_idempotency_key,
    clean_idempotency_key,
    fingerprint_request,
)
from orders.intake_answer import in_current_shape, order_snapshot
from orders.intake_cache import CatalogueProduct, IntakeReads, intake_reads
from orders.limits import open_orders_limit_error, order_value_problems
from orders.models import Order, OrderLine, OrderStatus
from orders.validation import MAX_LINES, amount_problems, invalid_order, validate_header, validate_lines
from orders.wakeups import wake_on_commit
from partners.exceptions import InvalidShipToError
from partners.models import Partner, ShipToAddress
from partners.ship_tos import partner_ship_to_id

logger = logging.getLogger("bouquet.orders")


@dataclass(frozen=True)
class IntakeResult:
    order: Order
    # The first answer, as stored with the idempotency key.
    snapshot: dict
    replayed: bool


def _resolve_ship_to(partner: Partner, ship_to, reads: IntakeReads, errors: list[dict]) -> int | None:
    """Return the id of the address to ship to: the one asked for if it is the
    partner's, else the partner's default (None if it has no address)."""
    addresses = reads.ship_to_ids()  # the default first
    try:
        chosen = partner_ship_to_id(ship_to=ship_to, partner_code=partner.code, ship_to_ids=addresses)
    except InvalidShipToError as error:
        errors.extend(error.errors)
        return None
    return reads.default_ship_to_id() if chosen is None else chosen


def _check_header(
    partner: Partner, po_number: str, requested_delivery_date, ship_to, reads: IntakeReads, errors: list[dict]
) -> tuple[int | None, PromisedDelivery | None]:
    """Return the address to ship to and the delivery the order is promised, adding a
    problem for each part of the header at fault (the date is judged only once it
    reads as a date for an address of the partner's)."""
    problems_before = len(errors)
    requested_date = validate_header(po_number, requested_delivery_date, errors)
    address_id = _resolve_ship_to(partner, ship_to, reads, errors)
    if any(error.get("field") in ("requested_delivery_date", "ship_to") for error in errors[problems_before:]):
        return address_id, None
    delivery, problem = promise_delivery(
        reads=reads, partner=partner, address_id=address_id, requested=requested_date, now=timezone.now()
    )
    if problem is not None:
        errors.append(problem)
    return address_id, delivery


# The order, its lines, its first event and the idempotency record in one statement:
# intake is the hot path, and every round trip and ORM compilation counts.
# The partner's open orders are summed in the same statement (an index-only scan of
# `order_open_by_partner`), and the order is written only if it keeps them within the
# partner's open-order limit; the statement answers the sum either way. Without a
# limit the sum is never computed (PostgreSQL evaluates only the CASE branch taken).
_WRITE_ORDER_SQL = """
WITH open_orders AS (
    SELECT CASE WHEN %(max_open)s::numeric IS NULL THEN NULL
                ELSE (SELECT COALESCE(sum(total), 0) FROM orders_order
                       WHERE partner_id = %(partner)s AND status NOT IN ('SHIPPED', 'CANCELLED'))
           END AS value
), new_order AS (
    INSERT INTO orders_order (partner_id, placed_by_id, ship_to_id, po_number, requested_delivery_date, route_id,
                              order_by, source, status, cancel_reason, cancel_detail, hold, total, currency, attempts)
    SELECT %(partner)s, %(user)s, %(ship_to)s, %(po_number)s, %(delivery_date)s, %(route)s, %(order_by)s, %(source)s,
           'CREATED', '', '', '', %(total)s, %(currency)s, 0
      FROM open_orders WHERE open_orders.value IS NULL OR open_orders.value + %(total)s <= %(max_open)s
    RETURNING id, number, created_at, updated_at, next_attempt_at
), new_lines AS (
    INSERT INTO orders_orderline (order_id, line_no, product_id, sku, product_name, quantity, unit_price, line_total)
    SELECT o.id, l.line_no, l.product_id, l.sku, l.product_name, l.quantity, l.unit_price, l.line_total
      FROM new_order o,
           unnest(%(line_nos)s::int[], %(product_ids)s::bigint[], %(skus)s::text[], %(names)s::text[],
                  %(quantities)s::int[], %(unit_prices)s::numeric[], %(line_totals)s::numeric[])
           AS l(line_no, product_id, sku, product_name, quantity, unit_price, line_total)
), new_event AS (
    INSERT INTO orders_orderevent (order_id, partner_id, from_status, to_status, reason, detail, actor)
    SELECT id, %(partner)s, '', 'CREATED', '', '', %(actor)s FROM new_order
), new_key AS (
    INSERT INTO orders_idempotencyrecord (partner_id, key, fingerprint, order_id, response)
    SELECT %(partner)s, %(key)s, %(fingerprint)s, id,
           %(response)s::jsonb || jsonb_build_object(
               'number', number,
               'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      FROM new_order WHERE %(key)s IS NOT NULL
)
SELECT o.id, o.number, o.created_at, o.updated_at, o.next_attempt_at, open_orders.value
  FROM open_orders LEFT JOIN new_order o ON true
"""


def _write_order(
    *, partner, user, address_id, address, po_number, delivery, source, order_lines, total, key, fingerprint
) -> Order:
    order = Order(
        partner=partner,
        placed_by=user,
        ship_to_id=address_id,
        po_number=po_number,
        requested_delivery_date=delivery.option.date,
        route_id=delivery.route.id,
        order_by=delivery.option.order_by,
        source=source,
        status=OrderStatus.CREATED,
        total=total,
    )
    # The database numbers and stamps the order; the statement adds both to the answer.
    order.number = order.created_at = None
    response = order_snapshot(order, order_lines, address, delivery)
    with connection.cursor() as cursor:
        cursor.execute(
            _WRITE_ORDER_SQL,
            {
                "partner": partner.id,
                "user": user.pk if user is not None else None,
                "ship_to": address_id,
                "po_number": po_number,
                "delivery_date": order.requested_delivery_date,
                "route": order.route_id,
                "order_by": order.order_by,
                "source": source,
                "total": total,
                "max_open": partner.max_open_order_value,
                "currency": order.currency,
                "line_nos": [line.line_no for line in order_lines],
                "product_ids": [line.product_id for line in order_lines],
                "skus": [line.sku for line in order_lines],
                "names": [line.product_name for line in order_lines],
                "quantities": [line.quantity for line in order_lines],
                "unit_prices": [line.unit_price for line in order_lines],
                "line_totals": [line.line_total for line in order_lines],
                "actor": getattr(user, "username", "") or source,
                "key": key,
                "fingerprint": fingerprint,
                "response": json.dumps(response),
            },
        )
        order.id, order.number, order.created_at, order.updated_at, order.next_attempt_at, open_value = (
            cursor.fetchone()
        )
    if order.id is None:
        raise open_orders_limit_error(partner=partner, open_value=open_value.quantize(CENT), total=total)
    order._state.adding = False
    order._state.db = "default"
    for line in order_lines:
        line.order = order
    return order


def place_order(
    *,
    partner: Partner,
    user=None,
    lines: Sequence[Mapping],
    po_number: str = "",
    requested_delivery_date: date | str | None = None,
    ship_to: ShipToAddress | int | None = None,
    idempotency_key: str | None = None,
    request_fingerprint: str | None = None,
    source: str = Order.Source.API,
) -> IntakeResult:
    """Accept an order in state CREATED and return it, or the first answer again when
    the idempotency key was seen with the same request. Raise OrderValidationError
    listing every field and line at fault (OrderRefusedError when the order is
    well-formed and a rule refuses it); nothing is written then."""
    started = time.perf_counter()
    po_number = (po_number or "").strip()
    if idempotency_key is not None:
        idempotency_key = clean_idempotency_key(idempotency_key)
        if request_fingerprint is None:
            request_fingerprint = fingerprint_request(
                {
                    "lines": list(lines),
                    "po_number": po_number,
                    "requested_delivery_date": requested_delivery_date,
                    "ship_to": getattr(ship_to, "id", ship_to),
                }
            )

    try:
        return _place_order_atomically(
            partner=partner,
            user=user,
            lines=lines,
            po_number=po_number,
            requested_delivery_date=requested_delivery_date,
            ship_to=ship_to,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
            source=source,
            started=started,
        )
    except IntegrityError as exc:
        if idempotency_key and "idempotency_unique_partner_key" in str(exc):
            raise IdempotencyKeyInFlightError(
                f"A request with Idempotency-Key {idempotency_key!r} is still being processed; retry shortly."
            ) from None
        raise


def _priced_lines(good: Sequence[tuple[Product | CatalogueProduct, int]], reads: IntakeReads) -> list[OrderLine]:
    """Return the order's lines, numbered from 1, at the partner's unit price for each
    quantity; each line's total is rounded to the cent."""
    unit_prices = reads.unit_prices(
        quantities={product.id: quantity for product, quantity in good},
        list_prices={product.id: product.list_price for product, _ in good},
    )
    order_lines = []
    for line_no, (product, quantity) in enumerate(good, start=1):
        unit_price = unit_prices[product.id]
        order_lines.append(
            OrderLine(
                line_no=line_no,
                product_id=product.id,
                sku=product.sku,
                product_name=product.name,
                quantity=quantity,
                unit_price=unit_price,
                line_total=(unit_price * quantity).quantize(CENT, ROUND_HALF_UP),
            )
        )
    return order_lines


def _checked_total(order_lines: Sequence[OrderLine], partner: Partner) -> Decimal:
    """Return the order's total; raise OrderTooLargeError naming each line, or the total,
    past what its column holds, or the total past the partner's maximum order value
    (from the priced lines: no query)."""
    total = sum((line.line_total for line in order_lines), Decimal("0.00"))
    too_large = amount_problems(order_lines, total) or order_value_problems(
        total=total, partner_code=partner.code, max_order_value=partner.max_order_value
    )
    if too_large:
        raise OrderTooLargeError(summarise_errors(too_large, subject="this order"), errors=too_large)
    return total


def _replay(partner: Partner, user, key: str, fingerprint: str) -> IntakeResult | None:
    """Inside the intake transaction: claim the key, and return the first answer again
    if it placed an order the user may see (None if the key is new)."""
    replay = claim_idempotency_key(partner, key, fingerprint)
    if replay is None:
        return None
    order_id, snapshot = replay
    order = Order.objects.get(id=order_id)
    check_replay_visible(user=user, order=order, key=key)
    logger.info("idempotent replay", extra={"order": snapshot.get("number"), "partner": partner.code})
    return IntakeResult(order=order, snapshot=in_current_shape(snapshot, order), replayed=True)


@transaction.atomic
def _place_order_atomically(
    *,
    partner,
    user,
    lines,
    po_number,
    requested_delivery_date,
    ship_to,
    idempotency_key,
    request_fingerprint,
    source,
    started,
) -> IntakeResult:
    replay = _replay(partner, user, idempotency_key, request_fingerprint) if idempotency_key else None
    if replay is not None:
        return replay

    errors: list[dict] = []
    if not partner.active:
        errors.append(
            {"field": "partner", "code": "partner_inactive", "detail": f"Partner {partner.code} is not active."}
        )
    if not isinstance(lines, Sequence) or isinstance(lines, (str, bytes)) or not lines:
        errors.append({"field": "lines", "code": "lines_required", "detail": "An order needs at least one line."})
        lines = []
    elif len(lines) > MAX_LINES:
        errors.append(
            {
                "field": "lines",
                "code": "too_many_lines",
                "detail": f"An order takes at most {MAX_LINES} lines; got {len(lines)}.",
            }
        )
        lines = []
    reads = intake_reads(partner_id=partner.id)
    address_id, delivery = _check_header(partner, po_number, requested_delivery_date, ship_to, reads, errors)
    skus = {str(line.get("sku") or "").strip() for line in lines if isinstance(line, Mapping)}
    skus.discard("")
    good, line_errors = validate_lines(lines, reads.products_by_sku(skus) if skus else {})
    errors.extend(line_errors)
    if errors:
        raise invalid_order(errors)
    prebook_only = prebook_only_problems(reads.campaign_blocks(), good, delivery.option.date)
    if prebook_only is not None:
        raise prebook_only

    order_lines = _priced_lines(good, reads)
    total = _checked_total(order_lines, partner)
    address = reads.ship_to_address(address_id) if address_id is not None else None
    order = _write_order(
        partner=partner,
        user=user if getattr(user, "is_authenticated", False) else None,
        address_id=address_id,
        address=address,
        po_number=po_number,
        delivery=delivery,
        source=source,
        order_lines=order_lines,
        total=total,
        key=idempotency_key or None,
        fingerprint=request_fingerprint,
    )
    snapshot = order_snapshot(order, order_lines, address, delivery)
    wake_on_commit("reserve")
    accepted = {
        "order": order.number,
        "partner": partner.code,
        "lines": len(order_lines),
        "total": str(order.total),
        "source": source,
    }
    transaction.on_commit(lambda: _on_accepted(accepted, source, started), robust=True)
    return IntakeResult(order=order, snapshot=snapshot, replayed=False)


def _on_accepted(accepted: dict, door: str, started: float) -> None:
    # Accepted only once committed: a caller's transaction around intake (the portal's
    # cart) may still roll it back, and a replay or a refusal never gets this far.
    logger.info("order accepted", extra=accepted)
    observe_intake(door, time.perf_counter() - started)
