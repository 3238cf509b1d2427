"""The body of POST /api/v1/orders/, read by hand because intake is the hot path.
It holds every rule that serializers.PlaceOrderInput declares in the schema, with
400, and no other: a body the schema admits reaches intake, whose refusals (an
unknown SKU, a case pack, a date in the past) are 422. tests/api/test_orders_contract.py
checks the two agree."""

import re
from datetime import date

from config.errors import summarise_errors
from orders.exceptions import OrderValidationError
from orders.validation import MAX_LINES, MAX_PO_LENGTH, MAX_QUANTITY

ORDER_FIELDS = ("partner", "po_number", "requested_delivery_date", "ship_to", "lines")
LINE_FIELDS = ("sku", "quantity")
# JSON Schema's "date" (RFC 3339 full-date) and nothing else: Python's fromisoformat
# alone also reads "20270213" and "2027-W07-6".
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_order_body(body) -> dict:
    """Return the body when its shape is what the schema declares; else raise
    OrderValidationError naming each field and line at fault."""
    if not isinstance(body, dict):
        raise OrderValidationError("The body must be a JSON object.", code="invalid_body")
    errors = [
        {"field": name, "code": "unknown_field", "detail": f"Unknown field {name!r}."}
        for name in sorted(set(body) - set(ORDER_FIELDS))
    ]
    errors += _header_problems(body)
    errors += _lines_problems(body.get("lines"), "lines" in body)
    if errors:
        raise OrderValidationError(summarise_errors(errors, subject="this order"), errors=errors)
    return body


def _is_whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _header_problems(body: dict) -> list[dict]:
    problems = []

    def fail(field: str, code: str, detail: str) -> None:
        problems.append({"field": field, "code": code, "detail": detail})

    if "partner" in body:
        if not isinstance(body["partner"], str):
            fail("partner", "invalid_type", "partner must be a string (a partner's code).")
        elif not body["partner"].strip():
            fail("partner", "blank", "partner must not be blank.")
    if "po_number" in body:
        if not isinstance(body["po_number"], str):
            fail("po_number", "invalid_type", "po_number must be a string (leave it out for none).")
        elif len(body["po_number"]) > MAX_PO_LENGTH:
            fail("po_number", "too_long", f"po_number is longer than {MAX_PO_LENGTH} characters.")
    delivery = body.get("requested_delivery_date")
    if delivery is not None and not (isinstance(delivery, str) and _is_full_date(delivery)):
        fail(
            "requested_delivery_date",
            "invalid_date",
            f"requested_delivery_date {delivery!r} is not a date (YYYY-MM-DD).",
        )
    ship_to = body.get("ship_to")
    if ship_to is not None and not _is_whole_number(ship_to):
        fail("ship_to", "invalid_type", "ship_to must be an address id (a JSON integer).")
    return problems


def _is_full_date(text: str) -> bool:
    if not _FULL_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _lines_problems(lines, given: bool) -> list[dict]:
    if not isinstance(lines, list) or not lines:
        detail = "lines must be a list of {sku, quantity}." if given and lines != [] else ""
        return [{"field": "lines", "code": "lines_required", "detail": detail or "An order needs at least one line."}]
    if len(lines) > MAX_LINES:
        detail = f"An order takes at most {MAX_LINES} lines; got {len(lines)}."
        return [{"field": "lines", "code": "too_many_lines", "detail": detail}]
    problems = []
    for number, line in enumerate(lines, start=1):
        problems += _line_problems(number, line)
    return problems


def _line_problems(number: int, line) -> list[dict]:
    """The problems with one line's shape, each naming the line (from 1) and its SKU."""
    if not isinstance(line, dict):
        return [
            {
                "line": number,
                "sku": "",
                "code": "invalid_line",
                "detail": f"Line {number}: expected an object with sku and quantity.",
            }
        ]
    sku = line.get("sku")
    named = sku if isinstance(sku, str) else ""
    problems = []

    def fail(code: str, detail: str) -> None:
        problems.append({"line": number, "sku": named, "code": code, "detail": f"Line {number}: {detail}"})

    unknown = sorted(set(line) - set(LINE_FIELDS))
    if unknown:
        fail("unknown_field", f"unknown field(s) {', '.join(unknown)}.")
    if sku is None or (isinstance(sku, str) and not sku.strip()):
        fail("sku_required", "sku is required.")
    elif not isinstance(sku, str):
        fail("invalid_type", "sku must be a string.")
    quantity = line.get("quantity")
    if not _is_whole_number(quantity) or not 1 <= quantity <= MAX_QUANTITY:
        fail(
            "invalid_quantity",
            f"quantity for {named or 'this line'} must be a whole number (a JSON integer) from 1 to {MAX_QUANTITY}.",
        )
    return problems
