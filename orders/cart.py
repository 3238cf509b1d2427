"""The portal's cart: kept per user in the database, checked line by line with the same
rules as intake (`validate_lines`), and turned into an order by `place_order` with the
cart's idempotency key, so a double click or a resubmitted checkout places one order."""

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from config.callers import caller_partner
from inventory.models import Product
from orders.delivery import promise_delivery
from orders.exceptions import OrderError, OrderValidationError
from orders.intake import place_order
from orders.intake_cache import intake_reads
from orders.models import Cart, CartLine, IdempotencyRecord, Order
from orders.validation import MAX_QUANTITY, invalid_order, po_number_problems, validate_lines
from partners.exceptions import InvalidShipToError
from partners.models import Partner, ShipToAddress
from partners.pricing import prices_for
from partners.ship_tos import partner_ship_to_id

logger = logging.getLogger("bouquet.orders")


class NoPartnerError(OrderError):
    code = "no_partner"


class StaleCheckoutError(OrderError):
    """The checkout form's key is neither the cart's nor one that placed an order."""

    code = "stale_checkout"


@dataclass(frozen=True)
class PricedCartLine:
    line: CartLine
    unit_price: Decimal
    line_total: Decimal


def partner_of(user) -> Partner:
    """Return the partner the user acts for (`config.callers.caller_partner`); raise
    NoPartnerError when it acts for none."""
    partner = caller_partner(user)
    if partner is None:
        raise NoPartnerError(f"User {getattr(user, 'username', '')} does not belong to a partner.")
    return partner


def _new_key() -> str:
    return uuid.uuid4().hex


def get_or_create_cart(user) -> Cart:
    """Return the user's cart, creating an empty one (with a fresh idempotency key)
    the first time. A cart left from another partner is emptied."""
    partner = partner_of(user)
    cart = Cart.objects.filter(user=user).first()
    if cart is None:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(user=user, partner=partner, idempotency_key=_new_key())
        except IntegrityError:
            # Two first requests of the same user raced; the other made it.
            cart = Cart.objects.get(user=user)
    if cart.partner_id != partner.id:
        with transaction.atomic():
            cart = _lock_cart(user)
            cart.lines.all().delete()
            cart.partner, cart.ship_to, cart.idempotency_key = partner, None, _new_key()
            cart.save(update_fields=["partner", "ship_to", "idempotency_key", "updated_at"])
    return cart


def _lock_cart(user) -> Cart:
    """Lock the user's cart row: every change of the cart and its lines goes through it,
    so two tabs (or a double click) take turns."""
    return Cart.objects.select_for_update().select_related("partner").get(user=user)


def cart_line_count(user) -> int:
    return CartLine.objects.filter(cart__user=user).count()


def priced_cart_lines(cart: Cart) -> list[PricedCartLine]:
    """The cart's lines with the partner's unit price for each quantity (what intake
    would charge now): two queries however many lines."""
    lines = list(cart.lines.select_related("product"))
    if not lines:
        return []
    prices = prices_for(
        partner_id=cart.partner_id,
        quantities={line.product_id: line.quantity for line in lines},
        list_prices={line.product_id: line.product.list_price for line in lines},
    )
    return [
        PricedCartLine(
            line=line, unit_price=prices[line.product_id], line_total=prices[line.product_id] * line.quantity
        )
        for line in lines
    ]


def _products_by_sku(lines: Sequence[Mapping]) -> dict[str, Product]:
    # PostgreSQL text cannot hold NUL: such a SKU names no product.
    skus = {sku for line in lines if (sku := str(line.get("sku") or "").strip()) and "\x00" not in sku}
    return {p.sku: p for p in Product.objects.filter(sku__in=skus)} if skus else {}


def _add_good_lines(cart: Cart, good: list[tuple[Product, int]], line_no_of: Mapping[str, int]) -> list[dict]:
    """Add quantities to the (locked) cart, merging with lines already there; return an
    error per line whose sum would pass MAX_QUANTITY (that line is left as it was)."""
    existing = dict(cart.lines.filter(product__in=[p for p, _ in good]).values_list("product_id", "quantity"))
    new_lines, errors = [], []
    for product, quantity in good:
        if product.id not in existing:
            new_lines.append(CartLine(cart=cart, product=product, quantity=quantity))
            existing[product.id] = quantity
        elif existing[product.id] + quantity > MAX_QUANTITY:
            # Checked under the cart's lock: repeated adds would otherwise pass intake's cap
            # until the column overflows.
            line_no = line_no_of[product.sku]
            errors.append(
                {
                    "line": line_no,
                    "sku": product.sku,
                    "code": "invalid_quantity",
                    "detail": f"Line {line_no}: your cart has {existing[product.id]} of {product.sku}; adding "
                    f"{quantity} would pass the most one line takes, {MAX_QUANTITY}.",
                }
            )
        else:
            CartLine.objects.filter(cart=cart, product=product).update(quantity=F("quantity") + quantity)
            existing[product.id] += quantity
    CartLine.objects.bulk_create(new_lines)
    cart.save(update_fields=["updated_at"])
    return errors


def add_lines_to_cart(*, user, lines: Sequence[Mapping]) -> tuple[int, list[dict]]:
    """Check each {sku, quantity} line with intake's rules and add the good ones to the
    cart; return how many were added and an error per bad line (numbered from 1 in
    the order given)."""
    get_or_create_cart(user)
    lines = list(lines)
    good, errors = validate_lines(lines, _products_by_sku(lines))
    if good:
        line_no_of: dict[str, int] = {}
        for line_no, line in enumerate(lines, start=1):
            if isinstance(line, Mapping):
                line_no_of.setdefault(str(line.get("sku") or "").strip(), line_no)
        with transaction.atomic():
            too_many = _add_good_lines(_lock_cart(user), good, line_no_of)
        errors = sorted(errors + too_many, key=lambda error: error["line"])
        return len(good) - len(too_many), errors
    return 0, errors


def add_to_cart(*, user, sku: str, quantity) -> CartLine:
    """Add one product to the cart (to the quantity already there); raise
    OrderValidationError naming the SKU when the quantity breaks a rule."""
    added, errors = add_lines_to_cart(user=user, lines=[{"sku": sku, "quantity": quantity}])
    if errors:
        raise OrderValidationError(errors[0]["detail"], code=errors[0]["code"], errors=errors)
    return CartLine.objects.select_related("product").get(cart__user=user, product__sku=str(sku).strip())


def set_cart_quantity(*, user, product_id: int, quantity) -> None:
    """Set a cart line's quantity (0 removes it); raise OrderValidationError naming the
    SKU when the new quantity breaks a rule."""
    with transaction.atomic():
        cart = _lock_cart(user)
        line = cart.lines.select_related("product").filter(product_id=product_id).first()
        if line is None:
            raise OrderValidationError(f"Product {product_id} is not in your cart.", code="not_in_cart")
        if str(quantity).strip() == "0":
            line.delete()
            return
        product = line.product
        good, errors = validate_lines([{"sku": product.sku, "quantity": quantity}], {product.sku: product})
        if errors:
            position = list(cart.lines.values_list("product_id", flat=True)).index(product_id) + 1
            errors = [{**e, "line": position} for e in errors]
            raise OrderValidationError(errors[0]["detail"], code=errors[0]["code"], errors=errors)
        CartLine.objects.filter(pk=line.pk).update(quantity=good[0][1])
        cart.save(update_fields=["updated_at"])


def remove_from_cart(*, user, product_id: int) -> None:
    """Take a product out of the cart; removing what is not there is a no-op."""
    with transaction.atomic():
        cart = _lock_cart(user)
        cart.lines.filter(product_id=product_id).delete()
        cart.save(update_fields=["updated_at"])


def _set_checkout_details(cart: Cart, *, ship_to, po_number: str, requested_delivery_date: date | None) -> None:
    """Write the checkout details onto the locked cart, or raise naming the field."""
    po_number = (po_number or "").strip()
    errors = []
    address_id = None
    if ship_to not in (None, ""):
        own = set(ShipToAddress.objects.filter(partner_id=cart.partner_id).values_list("id", flat=True))
        try:
            address_id = partner_ship_to_id(ship_to=ship_to, partner_code=cart.partner.code, ship_to_ids=own)
        except InvalidShipToError as error:
            errors.extend(error.errors)
    errors.extend(po_number_problems(po_number=po_number))
    if errors:
        raise OrderValidationError(errors[0]["detail"], errors=errors)
    cart.ship_to_id, cart.po_number, cart.requested_delivery_date = address_id, po_number, requested_delivery_date
    cart.save(update_fields=["ship_to", "po_number", "requested_delivery_date", "updated_at"])


def update_checkout_details(
    *, user, ship_to: ShipToAddress | int | None, po_number: str = "", requested_delivery_date: date | None = None
) -> Cart:
    """Keep the ship-to, PO number and requested delivery date with the cart. Raise
    OrderValidationError naming the field for another partner's address or a PO
    number that is too long. (Intake checks the date when the order is placed.)"""
    get_or_create_cart(user)
    with transaction.atomic():
        cart = _lock_cart(user)
        _set_checkout_details(
            cart, ship_to=ship_to, po_number=po_number, requested_delivery_date=requested_delivery_date
        )
    return cart


def choose_delivery(*, user, ship_to: ShipToAddress | int | None, requested_delivery_date: date | None) -> Cart:
    """Keep where and when the cart is to be delivered (quick order picks them before
    checkout). Raise as intake would, naming the field: OrderValidationError for
    another partner's address, DeliveryDateUnavailableError for a date the address's
    route cannot deliver on (the promise's problem: date, reason, next available)."""
    cart = get_or_create_cart(user)
    address_id = getattr(ship_to, "id", ship_to)
    reads = intake_reads(partner_id=cart.partner_id)
    # Another partner's address is refused below, naming the field, as checkout does.
    if requested_delivery_date is not None and (address_id is None or address_id in reads.ship_to_ids()):
        _, problem = promise_delivery(
            reads=reads,
            partner=cart.partner,
            address_id=address_id,  # None: the default address, as intake takes it
            requested=requested_delivery_date,
            now=timezone.now(),
        )
        if problem is not None:
            raise invalid_order([problem])
    with transaction.atomic():
        cart = _lock_cart(user)
        _set_checkout_details(
            cart, ship_to=ship_to, po_number=cart.po_number, requested_delivery_date=requested_delivery_date
        )
    return cart


def place_cart_order(*, user, idempotency_key: str, details: Mapping | None = None) -> Order:
    """Place the cart as an order and return it; the cart is emptied and gets a new key
    in the same transaction. `idempotency_key` is the key the checkout form carried:
    when it is no longer the cart's, the order it placed is returned (a double click
    or a resubmitted form), and a key that placed nothing is refused as stale.
    `details` (ship_to, po_number, requested_delivery_date), when given, are saved
    with the cart first, as `update_checkout_details` does. Raise
    OrderValidationError from intake naming each line (by its position in the cart)
    and field at fault; the cart is kept unchanged then."""
    get_or_create_cart(user)
    idempotency_key = (idempotency_key or "").strip()
    with transaction.atomic():
        # The lock makes a second submit wait for the first and then see the new key.
        cart = _lock_cart(user)
        if idempotency_key != cart.idempotency_key:
            record = (
                IdempotencyRecord.objects.select_related("order")
                .filter(partner_id=cart.partner_id, key=idempotency_key, order__isnull=False)
                .first()
                if idempotency_key
                else None
            )
            if record is not None:
                logger.info(
                    "portal checkout replayed", extra={"order": record.order.number, "partner": cart.partner.code}
                )
                return record.order
            raise StaleCheckoutError("This checkout form is out of date: review your cart and place the order again.")
        if details is not None:
            _set_checkout_details(
                cart,
                ship_to=details.get("ship_to"),
                po_number=details.get("po_number", ""),
                requested_delivery_date=details.get("requested_delivery_date"),
            )
        lines = [{"sku": line.product.sku, "quantity": line.quantity} for line in cart.lines.select_related("product")]
        result = place_order(
            partner=cart.partner,
            user=user,
            lines=lines,
            po_number=cart.po_number,
            requested_delivery_date=cart.requested_delivery_date,
            ship_to=cart.ship_to_id,
            idempotency_key=cart.idempotency_key,
            source=Order.Source.PORTAL,
        )
        cart.lines.all().delete()
        cart.po_number, cart.requested_delivery_date, cart.idempotency_key = "", None, _new_key()
        cart.save(update_fields=["po_number", "requested_delivery_date", "idempotency_key", "updated_at"])
    return result.order


def reorder_into_cart(*, user, order: Order) -> list[str]:
    """Copy the order's lines into the cart (adding to what is there) and return what
    to tell the buyer: how many lines were added and why any were not (no longer
    sold, no longer in the catalogue, or off today's case pack or minimum)."""
    order_lines = list(order.lines.all())
    added, errors = add_lines_to_cart(
        user=user, lines=[{"sku": line.sku, "quantity": line.quantity} for line in order_lines]
    )
    messages = [f"{added} of {len(order_lines)} lines of {order.number} added to your cart."]
    for error in errors:
        line = order_lines[error["line"] - 1]
        reason = {"unknown_sku": "is no longer in the catalogue", "inactive_sku": "is no longer available"}.get(
            error["code"]
        )
        messages.append(f"{line.sku} ({line.product_name}) {reason}." if reason else error["detail"])
    return messages
