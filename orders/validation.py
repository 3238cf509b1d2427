"""What makes an order valid, whichever door it comes through: its lines (known,
active SKUs, once each, in whole cases, at least the minimum) and its header (PO
number, delivery date). Intake, the cart's checkout and CSV planning all check here;
each error names the line and SKU, or the field, at fault."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from config.errors import summarise_errors
from inventory.models import Product
from orders.exceptions import DeliveryDateUnavailableError, OrderRefusedError, OrderValidationError
from orders.intake_cache import CatalogueProduct
from orders.models import Order, OrderLine

MAX_LINES = 500
MAX_QUANTITY = 1_000_000
MAX_PO_LENGTH = 64


# Longer than any quantity in range, short enough that int() never refuses it.
MAX_QUANTITY_DIGITS = 20


def parse_whole_number(raw) -> int | None:
    """Return a whole number given as an int or as ASCII digits (at most
    MAX_QUANTITY_DIGITS of them), else None (a bool is not one)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if not isinstance(raw, str):
        return None
    digits = raw.strip().removeprefix("+")
    # str.isdigit() takes "²" and other scripts' digits, which int() refuses or reads.
    if digits.isascii() and digits.isdecimal() and len(digits) <= MAX_QUANTITY_DIGITS:
        return int(digits)
    return None


def validate_lines(
    lines: Sequence[Mapping],
    products_by_sku: Mapping[str, Product | CatalogueProduct],
) -> tuple[list[tuple[Product | CatalogueProduct, int]], list[dict]]:
    """Check each requested line against the catalogue; return the good lines as
    (product, quantity) and an error per bad line, naming the line and the SKU."""
    good: list[tuple[Product | CatalogueProduct, int]] = []
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
            fail(
                line_no,
                sku,
                "duplicate_sku",
                f"Line {line_no}: {sku} is already on line {first_line_of[sku]}; put it on one line.",
            )
            continue
        first_line_of[sku] = line_no
        product = products_by_sku.get(sku)
        if product is None:
            fail(line_no, sku, "unknown_sku", f"Line {line_no}: {sku} is not in the catalogue.")
            continue
        if not product.active:
            fail(line_no, sku, "inactive_sku", f"Line {line_no}: {sku} is no longer sold.")
            continue
        quantity = parse_whole_number(line.get("quantity"))
        problem = _quantity_problem(line_no, sku, product, quantity)
        if problem is not None:
            fail(line_no, sku, *problem)
            continue
        good.append((product, quantity))
    return good, errors


def _quantity_problem(line_no: int, sku: str, product, quantity: int | None) -> tuple[str, str] | None:
    """Return (code, message) for the first thing wrong with a line's quantity, or None:
    a whole number in range, a whole number of cases, at least the minimum."""
    if quantity is None or quantity <= 0 or quantity > MAX_QUANTITY:
        return (
            "invalid_quantity",
            f"Line {line_no}: quantity for {sku} must be a whole number from 1 to {MAX_QUANTITY}.",
        )
    if quantity % product.case_pack:
        return (
            "not_case_pack_multiple",
            f"Line {line_no}: {sku} comes in cases of {product.case_pack}; {quantity} is not a multiple "
            f"of {product.case_pack}.",
        )
    if quantity < product.min_order_qty:
        return (
            "below_minimum",
            f"Line {line_no}: the minimum order for {sku} is {product.min_order_qty}; got {quantity}.",
        )
    return None


# Problems with the order's shape, which the API's schema already refuses (and its
# parser answers 400 before intake runs); they reach intake only from the portal and
# CSV doors, as text typed or read from a file. Every other problem is a rule refusing
# a well-formed order.
SHAPE_PROBLEMS = frozenset(
    {"lines_required", "too_many_lines", "invalid_line", "sku_required", "invalid_quantity", "invalid_date", "too_long"}
)


def invalid_order(errors: list[dict]) -> OrderValidationError:
    """Return the error for an order's problems: OrderValidationError when any is one
    of shape, else OrderRefusedError (422 at the API: a rule refuses it), or
    DeliveryDateUnavailableError when the date is the only problem, with the date's
    particulars at the top so that every door reads them alike."""
    if len(errors) == 1 and errors[0]["code"] == DeliveryDateUnavailableError.code:
        [problem] = errors
        particulars = {name: problem[name] for name in ("field", "date", "reason", "next_available")}
        return DeliveryDateUnavailableError(problem["detail"], errors=errors, **particulars)
    kind = OrderValidationError if any(e["code"] in SHAPE_PROBLEMS for e in errors) else OrderRefusedError
    return kind(summarise_errors(errors, subject="this order"), errors=errors)


def _largest(field) -> Decimal:
    """The largest amount a money column holds (numeric(max_digits, decimal_places))."""
    return Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(1).scaleb(-field.decimal_places)


MAX_LINE_TOTAL = _largest(OrderLine._meta.get_field("line_total"))
MAX_ORDER_TOTAL = _largest(Order._meta.get_field("total"))


def amount_problems(lines: Sequence[OrderLine], total: Decimal) -> list[dict]:
    """Return a problem per priced line, and for the order's total, past what its column
    holds (`order_too_large`); computed from the priced lines, so it costs no query."""
    problems = [
        {
            "line": line.line_no,
            "sku": line.sku,
            "code": "order_too_large",
            "detail": f"Line {line.line_no}: {line.sku} comes to {line.line_total}, more than one line may "
            f"total ({MAX_LINE_TOTAL}).",
        }
        for line in lines
        if line.line_total > MAX_LINE_TOTAL
    ]
    if not problems and total > MAX_ORDER_TOTAL:
        problems.append(
            {
                "field": "total",
                "code": "order_too_large",
                "detail": f"The order comes to {total}, more than one order may total ({MAX_ORDER_TOTAL}).",
            }
        )
    return problems


def po_number_problems(*, po_number: str) -> list[dict]:
    """Return the problems with a (stripped) PO number: none, or one when it is longer
    than an order keeps. Intake and the cart's checkout both ask here."""
    if len(po_number) > MAX_PO_LENGTH:
        return [
            {
                "field": "po_number",
                "code": "too_long",
                "detail": f"po_number is longer than {MAX_PO_LENGTH} characters.",
            }
        ]
    return []


def validate_header(po_number: str, requested_delivery_date, errors: list[dict]) -> date | None:
    """Return the requested delivery date read as a date (None when none is asked
    for), adding a problem for a PO number too long or a date that is no date. Whether
    the date can be delivered is the promise's to say (orders.delivery)."""
    errors.extend(po_number_problems(po_number=po_number))
    if requested_delivery_date in (None, ""):
        return None
    if isinstance(requested_delivery_date, str):
        try:
            requested_delivery_date = date.fromisoformat(requested_delivery_date)
        except ValueError:
            errors.append(
                {
                    "field": "requested_delivery_date",
                    "code": "invalid_date",
                    "detail": f"requested_delivery_date {requested_delivery_date!r} is not a date (YYYY-MM-DD).",
                }
            )
            return None
    return requested_delivery_date
