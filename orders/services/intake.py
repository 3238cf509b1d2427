"""Order intake: the one function every door (API, portal, CSV, admin) calls to place
an order. It validates, prices from the partner's price list, and writes the order,
its lines, its first event and the idempotency record in one transaction, then wakes
the reserve step once the transaction commits. It answers at once; the journey does
the rest."""

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from inventory.models import Product
from orders.exceptions import IdempotencyKeyInFlightError, IdempotencyKeyReusedError, OrderValidationError
from orders.journey.wakeups import wake_on_commit
from orders.models import IdempotencyRecord, Order, OrderEvent, OrderLine, OrderStatus
from partners.models import Partner, ShipToAddress
from partners.services import prices_for

logger = logging.getLogger("bouquet.orders")

MAX_LINES = 500
MAX_QUANTITY = 1_000_000
MAX_PO_LENGTH = 64
MAX_KEY_LENGTH = 255
CENT = Decimal("0.01")


@dataclass(frozen=True)
class IntakeResult:
    order: Order
    # The first answer, as stored with the idempotency key.
    snapshot: dict
    replayed: bool


def fingerprint_request(payload: object) -> str:
    """A stable digest of a request body, to tell a replay from a reused key."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str, separators=(",", ":")).encode()).hexdigest()


def order_snapshot(order: Order, lines: Sequence[OrderLine]) -> dict:
    """The order as intake answers it (and as a replay answers it again)."""
    return {
        "number": order.number,
        "status": str(order.status),
        "partner": order.partner.code,
        "po_number": order.po_number,
        "requested_delivery_date": order.requested_delivery_date.isoformat() if order.requested_delivery_date else None,
        "ship_to": order.ship_to_id,
        "currency": order.currency,
        "total": str(order.total),
        "lines": [
            {"line_no": l.line_no, "sku": l.sku, "name": l.product_name, "quantity": l.quantity,
             "unit_price": str(l.unit_price), "line_total": str(l.line_total)}
            for l in lines
        ],
        "created_at": order.created_at.isoformat() if hasattr(order.created_at, "isoformat") else None,
    }


def _parse_quantity(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("+").isdigit():
        return int(raw.strip())
    return None


def validate_lines(lines: Sequence[Mapping], products_by_sku: Mapping[str, Product]) -> tuple[list[tuple[Product, int]], list[dict]]:
    """Check each requested line against the catalogue; return the good lines as
    (product, quantity) and an error per bad line, naming the line and the SKU."""
    good: list[tuple[Product, int]] = []
    errors: list[dict] = []
    first_line_of: dict[str, int] = {}

    def fail(line_no: int, sku: str, code: str, message: str) -> None:
        errors.append({"line": line_no, "sku": sku, "code": code, "detail": message})

    for line_no, line in enumerate(lines, start=1):
        if not isinstance(line, Mapping):
            fail(line_no, "", "invalid_line", f"Line {line_no}: expected an object with sku and quantity.")
            continue
        sku = str(line.get("sku") or "").strip()
        if not sku:
            fail(line_no, "", "sku_required", f"Line {line_no}: sku is required.")
            continue
        if sku in first_line_of:
            fail(line_no, sku, "duplicate_sku", f"Line {line_no}: {sku} is already on line {first_line_of[sku]}; put it on one line.")
            continue
        first_line_of[sku] = line_no
        product = products_by_sku.get(sku)
        if product is None:
            fail(line_no, sku, "unknown_sku", f"Line {line_no}: {sku} is not in the catalogue.")
            continue
        if not product.active:
            fail(line_no, sku, "inactive_sku", f"Line {line_no}: {sku} is no longer sold.")
            continue
        quantity = _parse_quantity(line.get("quantity"))
        if quantity is None or quantity <= 0 or quantity > MAX_QUANTITY:
            fail(line_no, sku, "invalid_quantity", f"Line {line_no}: quantity for {sku} must be a whole number from 1 to {MAX_QUANTITY}.")
            continue
        if quantity % product.case_pack:
            fail(line_no, sku, "not_case_pack_multiple",
                 f"Line {line_no}: {sku} comes in cases of {product.case_pack}; {quantity} is not a multiple of {product.case_pack}.")
            continue
        if quantity < product.min_order_qty:
            fail(line_no, sku, "below_minimum", f"Line {line_no}: the minimum order for {sku} is {product.min_order_qty}; got {quantity}.")
            continue
        good.append((product, quantity))
    return good, errors


def _resolve_ship_to(partner: Partner, ship_to, errors: list[dict]) -> ShipToAddress | None:
    if ship_to in (None, ""):
        return ShipToAddress.objects.filter(partner=partner).order_by("-is_default", "id").first()
    ship_to_id = ship_to.id if isinstance(ship_to, ShipToAddress) else _parse_quantity(ship_to)
    address = ShipToAddress.objects.filter(id=ship_to_id, partner=partner).first() if ship_to_id else None
    if address is None:
        errors.append({"field": "ship_to", "code": "invalid_ship_to", "detail": f"ship_to {ship_to} is not one of {partner.code}'s addresses."})
    return address


def _validate_header(po_number: str, requested_delivery_date, errors: list[dict]) -> date | None:
    if len(po_number) > MAX_PO_LENGTH:
        errors.append({"field": "po_number", "code": "too_long", "detail": f"po_number is longer than {MAX_PO_LENGTH} characters."})
    if requested_delivery_date in (None, ""):
        return None
    if isinstance(requested_delivery_date, str):
        try:
            requested_delivery_date = date.fromisoformat(requested_delivery_date)
        except ValueError:
            errors.append({"field": "requested_delivery_date", "code": "invalid_date",
                           "detail": f"requested_delivery_date {requested_delivery_date!r} is not a date (YYYY-MM-DD)."})
            return None
    if requested_delivery_date < timezone.localdate():
        errors.append({"field": "requested_delivery_date", "code": "date_in_past",
                       "detail": f"requested_delivery_date {requested_delivery_date.isoformat()} is in the past."})
    return requested_delivery_date


def _claim_idempotency_key(partner: Partner, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Inside the intake transaction: return the stored record for a replay, None if
    the key is new. Raise if the key is in flight or was used for another body."""
    with connection.cursor() as cursor:
        # Held until this transaction ends: a concurrent request with the same key
        # cannot get it and is told the first is in flight.
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [f"idempotency:{partner.id}:{key}"])
        if not cursor.fetchone()[0]:
            raise IdempotencyKeyInFlightError(f"A request with Idempotency-Key {key!r} is still being processed; retry shortly.")
    record = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
    if record is not None and record.fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(f"Idempotency-Key {key!r} was already used with a different request body.")
    return record


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
    listing every field and line at fault; nothing is written then."""
    po_number = (po_number or "").strip()
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
            raise OrderValidationError(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.", code="invalid_idempotency_key")
        if request_fingerprint is None:
            request_fingerprint = fingerprint_request(
                {"lines": list(lines), "po_number": po_number, "requested_delivery_date": requested_delivery_date,
                 "ship_to": getattr(ship_to, "id", ship_to)}
            )

    try:
        return _place_order_atomically(
            partner=partner, user=user, lines=lines, po_number=po_number, requested_delivery_date=requested_delivery_date,
            ship_to=ship_to, idempotency_key=idempotency_key, request_fingerprint=request_fingerprint, source=source,
        )
    except IntegrityError as exc:
        if idempotency_key and "idempotency_unique_partner_key" in str(exc):
            raise IdempotencyKeyInFlightError(
                f"A request with Idempotency-Key {idempotency_key!r} is still being processed; retry shortly."
            ) from None
        raise


@transaction.atomic
def _place_order_atomically(*, partner, user, lines, po_number, requested_delivery_date, ship_to, idempotency_key,
                            request_fingerprint, source) -> IntakeResult:
    if idempotency_key:
        record = _claim_idempotency_key(partner, idempotency_key, request_fingerprint)
        if record is not None:
            logger.info("idempotent replay", extra={"order": record.response.get("number"), "partner": partner.code})
            return IntakeResult(order=record.order, snapshot=record.response, replayed=True)

    errors: list[dict] = []
    if not partner.active:
        errors.append({"field": "partner", "code": "partner_inactive", "detail": f"Partner {partner.code} is not active."})
    if not isinstance(lines, Sequence) or isinstance(lines, (str, bytes)) or not lines:
        errors.append({"field": "lines", "code": "lines_required", "detail": "An order needs at least one line."})
        lines = []
    elif len(lines) > MAX_LINES:
        errors.append({"field": "lines", "code": "too_many_lines", "detail": f"An order takes at most {MAX_LINES} lines; got {len(lines)}."})
        lines = []
    delivery_date = _validate_header(po_number, requested_delivery_date, errors)
    address = _resolve_ship_to(partner, ship_to, errors)
    skus = {str(l.get("sku") or "").strip() for l in lines if isinstance(l, Mapping)}
    products_by_sku = {p.sku: p for p in Product.objects.filter(sku__in=skus)} if skus else {}
    good, line_errors = validate_lines(lines, products_by_sku)
    errors.extend(line_errors)
    if errors:
        raise OrderValidationError(_summarise(errors), errors=errors)

    unit_prices = prices_for(
        partner_id=partner.id,
        quantities={product.id: quantity for product, quantity in good},
        list_prices={product.id: product.list_price for product, _ in good},
    )
    order_lines = []
    for line_no, (product, quantity) in enumerate(good, start=1):
        unit_price = unit_prices[product.id]
        order_lines.append(OrderLine(
            line_no=line_no, product=product, sku=product.sku, product_name=product.name, quantity=quantity,
            unit_price=unit_price, line_total=(unit_price * quantity).quantize(CENT, ROUND_HALF_UP),
        ))
    order = Order.objects.create(
        partner=partner, placed_by=user if getattr(user, "is_authenticated", False) else None,
        ship_to=address, po_number=po_number, requested_delivery_date=delivery_date, source=source,
        status=OrderStatus.CREATED, total=sum((l.line_total for l in order_lines), Decimal("0.00")),
    )
    for line in order_lines:
        line.order = order
    OrderLine.objects.bulk_create(order_lines)
    OrderEvent.objects.create(order=order, from_status="", to_status=OrderStatus.CREATED,
                              actor=getattr(user, "username", "") or source)
    snapshot = order_snapshot(order, order_lines)
    if idempotency_key:
        # The advisory lock above keeps a second writer of this key out, so no
        # savepoint is spent guarding this insert; the unique constraint still
        # backs it, and `place_order` answers its violation as a key in flight.
        IdempotencyRecord.objects.create(partner=partner, key=idempotency_key, fingerprint=request_fingerprint,
                                         order=order, response=snapshot)
    wake_on_commit("reserve")
    accepted = {"order": order.number, "partner": partner.code, "lines": len(order_lines), "total": str(order.total), "source": source}
    transaction.on_commit(lambda: logger.info("order accepted", extra=accepted))
    return IntakeResult(order=order, snapshot=snapshot, replayed=False)


def _summarise(errors: list[dict]) -> str:
    if len(errors) == 1:
        return errors[0]["detail"]
    return f"{len(errors)} problems with this order; see errors. First: {errors[0]['detail']}"
