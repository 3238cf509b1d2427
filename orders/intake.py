"""Order intake: the one function every door (API, portal, CSV, admin) calls to place
an order. It validates, prices from the partner's price list, and writes the order,
its lines, its first event and the idempotency record in one statement that also
claims the key (orders.intake_write), then wakes the reserve step once that commits.
It answers at once; the journey does the rest. What it reads about products, prices
and ship-tos comes from the process's intake cache (orders.intake_cache), so an order
costs that one statement. The write also sums the partner's open orders against its
open-order limit (orders.limits)."""

import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from config.errors import DomainError, summarise_errors
from config.limits import CENT
from config.metrics import observe_intake
from config.moments import utc_text
from inventory.models import Product
from orders.campaigns import prebook_only_problems
from orders.delivery import PromisedDelivery, promise_delivery
from orders.exceptions import IdempotencyKeyInFlightError, OrderTooLargeError
from orders.idempotency import (
    check_replay_visible,
    claim_idempotency_key,
    clean_idempotency_key,
    fingerprint_request,
    replay_from_claim,
)
from orders.intake_answer import in_current_shape, order_snapshot
from orders.intake_cache import CatalogueProduct, IntakeReads, intake_reads
from orders.intake_write import PricedLine, WrittenOrder, write_order
from orders.limits import open_orders_limit_error, order_value_problems
from orders.models import Order, OrderStatus
from orders.validation import MAX_LINES, amount_problems, invalid_order, validate_header, validate_lines
from orders.wakeups import ClaimPromise, wake_on_commit_unless_promised
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
    versions_seen: Mapping[str, bytes] | None = None,
    reserve_promise: ClaimPromise | None = None,
) -> IntakeResult:
    """Accept an order in state CREATED and return it, or the first answer again when
    the idempotency key was seen with the same request. Raise OrderValidationError
    listing every field and line at fault (OrderRefusedError when the order is
    well-formed and a rule refuses it); nothing is written then. `versions_seen` are
    cache versions the request read already (config/api/first_look.py), and
    `reserve_promise` the reserve step's promised claim it read there: an order
    committed while it holds wakes no step (orders.wakeups).

    Outside a transaction the order costs one statement (orders.intake_write); inside
    a caller's transaction (the portal's cart) it runs in a savepoint, so a refusal
    leaves the caller's transaction usable."""
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
    order = _Intake(
        partner=partner,
        user=user,
        key=idempotency_key or None,
        fingerprint=request_fingerprint,
        source=source,
        started=started,
        versions_seen=versions_seen or {},
        reserve_promise=reserve_promise,
    )
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            return order.place(
                lines=lines, po_number=po_number, requested_delivery_date=requested_delivery_date, ship_to=ship_to
            )
    except IntegrityError as exc:
        if idempotency_key and "idempotency_unique_partner_key" in str(exc):
            raise IdempotencyKeyInFlightError(
                f"A request with Idempotency-Key {idempotency_key!r} is still being processed; retry shortly."
            ) from None
        raise


def _priced_lines(good: Sequence[tuple[Product | CatalogueProduct, int]], reads: IntakeReads) -> list[PricedLine]:
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
            PricedLine(
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


def _checked_total(order_lines: Sequence[PricedLine], partner: Partner) -> Decimal:
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


@dataclass(frozen=True, slots=True)
class _Checked:
    """An order that passed every rule, priced, ready to write."""

    address_id: int | None
    address: dict | None
    delivery: PromisedDelivery
    lines: list[PricedLine]
    total: Decimal


@dataclass(frozen=True, slots=True)
class _Intake:
    """One order's way through intake: checked against the rules, then written (or
    found to be a replay) by one statement."""

    partner: Partner
    user: object
    key: str | None
    fingerprint: str | None
    source: str
    started: float
    versions_seen: Mapping[str, bytes]
    reserve_promise: ClaimPromise | None

    def place(self, *, lines, po_number: str, requested_delivery_date, ship_to) -> IntakeResult:
        try:
            checked = self._check(lines, po_number, requested_delivery_date, ship_to)
        except DomainError:
            # The key is claimed by the write, which a refused order never reaches; but
            # a replay answers what the key first got, whatever the rules say today.
            replay = self._replay_in_transaction() if self.key else None
            if replay is not None:
                return replay
            raise
        return self._write(checked, po_number)

    def _check(self, lines, po_number: str, requested_delivery_date, ship_to) -> _Checked:
        partner = self.partner
        errors: list[dict] = []
        if not partner.active:
            errors.append(
                {"field": "partner", "code": "partner_inactive", "detail": f"Partner {partner.code} is not active."}
            )
        if not isinstance(lines, Sequence) or isinstance(lines, (str, bytes)) or not lines:
            errors.append({"field": "lines", "code": "lines_required", "detail": "An order needs at least one line."})
            lines = []
        elif len(lines) > MAX_LINES:
            detail = f"An order takes at most {MAX_LINES} lines; got {len(lines)}."
            errors.append({"field": "lines", "code": "too_many_lines", "detail": detail})
            lines = []
        reads = intake_reads(partner_id=partner.id, versions_seen=self.versions_seen)
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
        return _Checked(address_id=address_id, address=address, delivery=delivery, lines=order_lines, total=total)

    def _write(self, checked: _Checked, po_number: str) -> IntakeResult:
        partner, user, delivery = self.partner, self.user, checked.delivery
        if not getattr(user, "is_authenticated", False):
            user = None
        order = Order(
            partner=partner,
            placed_by=user,
            ship_to_id=checked.address_id,
            po_number=po_number,
            requested_delivery_date=delivery.option.date,
            route_id=delivery.route.id,
            order_by=delivery.option.order_by,
            source=self.source,
            status=OrderStatus.CREATED,
            total=checked.total,
        )
        # The database numbers and stamps the order; the statement adds both to the stored answer.
        order.number = order.created_at = None
        snapshot = order_snapshot(order, checked.lines, checked.address, delivery)
        written = write_order(
            partner=partner,
            user_id=user.pk if user is not None else None,
            address_id=checked.address_id,
            po_number=po_number,
            delivery_date=order.requested_delivery_date,
            route_id=order.route_id,
            order_by=order.order_by,
            source=self.source,
            currency=order.currency,
            lines=checked.lines,
            total=checked.total,
            key=self.key,
            fingerprint=self.fingerprint,
            response=snapshot,
            actor=getattr(user, "username", "") or self.source,
        )
        if self.key is not None:
            replay = self._replay_from(written)
            if replay is not None:
                return replay
        if written.order_id is None:
            raise open_orders_limit_error(
                partner=partner, open_value=written.open_value.quantize(CENT), total=order.total
            )
        self._accept(order, written, snapshot)
        return IntakeResult(order=order, snapshot=snapshot, replayed=False)

    def _accept(self, order: Order, written: WrittenOrder, snapshot: dict) -> None:
        """Fill in what the database gave the order, and once it commits wake the
        reserve step, log it and count it."""
        order.id, order.number, order.created_at = written.order_id, written.number, written.created_at
        order.updated_at, order.next_attempt_at = written.updated_at, written.next_attempt_at
        order._state.adding = False
        order._state.db = "default"
        snapshot["number"], snapshot["created_at"] = order.number, utc_text(order.created_at)
        wake_on_commit_unless_promised("reserve", self.reserve_promise)
        accepted = {
            "order": order.number,
            "partner": self.partner.code,
            "lines": len(snapshot["lines"]),
            "total": snapshot["total"],
            "source": self.source,
        }
        transaction.on_commit(lambda: _on_accepted(accepted, self.source, self.started), robust=True)

    def _replay_from(self, written: WrittenOrder) -> IntakeResult | None:
        replay = replay_from_claim(
            locked=written.key_locked,
            stored_fingerprint=written.stored_fingerprint,
            order_id=written.stored_order_id,
            response=written.stored_response,
            key=self.key,
            fingerprint=self.fingerprint,
        )
        return self._replayed(*replay) if replay is not None else None

    def _replay_in_transaction(self) -> IntakeResult | None:
        with transaction.atomic():
            replay = claim_idempotency_key(self.partner, self.key, self.fingerprint)
        return self._replayed(*replay) if replay is not None else None

    def _replayed(self, order_id: int, snapshot: dict) -> IntakeResult:
        order = Order.objects.get(id=order_id)
        check_replay_visible(user=self.user, order=order, key=self.key)
        logger.info("idempotent replay", extra={"order": snapshot.get("number"), "partner": self.partner.code})
        return IntakeResult(order=order, snapshot=in_current_shape(snapshot, order), replayed=True)


def _on_accepted(accepted: dict, door: str, started: float) -> None:
    # Accepted only once committed: a caller's transaction around intake (the portal's
    # cart) may still roll it back, and a replay or a refusal never gets this far.
    logger.info("order accepted", extra=accepted)
    observe_intake(door, time.perf_counter() - started)
