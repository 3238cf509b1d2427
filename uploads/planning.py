"""Planning a file's orders: every row checked with intake's own rules, the good rows
grouped into orders (one per PO number, ship-to and delivery date), each bad row
named by its line in the file."""

import logging
from dataclasses import dataclass
from datetime import date

from inventory.models import Product
from orders.intake import MAX_LINES, parse_whole_number, validate_header, validate_lines
from partners.models import Partner, ShipToAddress
from uploads.files import CsvRow, bad_row

logger = logging.getLogger("bouquet.orders")


# A bad row merged with others of its SKU names this many of them in the report.
MERGED_LINES_NAMED = 5



@dataclass
class PlannedOrder:
    """One order to place: its header, its (merged) lines and the file lines behind them."""

    po_number: str
    ship_to_id: int | None
    requested_delivery_date: date | None
    lines: list[dict]
    file_lines: list[int]



# --- Validating every row --------------------------------------------------------------


def plan_orders(*, partner: Partner, rows: list[CsvRow]) -> tuple[list[PlannedOrder], list[dict], list[str]]:
    """Validate every row with intake's rules and group the good ones into orders.
    Return (orders to place, one entry per problem naming its file line, notes).

    Rows sharing (po_number, ship_to, requested_delivery_date) make one order; the same
    SKU twice in one order is merged into one line (the sum must then fit the case
    pack and minimum); an order over intake's MAX_LINES is split. Two queries, however
    many rows: the products and the partner's ship-to addresses."""
    products = {p.sku: p for p in Product.objects.filter(sku__in={row.sku for row in rows if row.sku})}
    addresses = list(ShipToAddress.objects.filter(partner=partner))
    by_id = {str(a.id): a for a in addresses}
    by_label = {a.label.strip().lower(): a for a in addresses}
    problems: list[dict] = []
    headers: dict[tuple[str, str], tuple[date | None, list[dict]]] = {}
    # group key -> sku -> [(line, quantity text)]
    groups: dict[tuple, dict[str, list[tuple[int, str]]]] = {}

    for row in rows:
        row_problems: list[dict] = []
        cache_key = (row.po_number, row.requested_delivery_date)
        if cache_key not in headers:
            header_errors: list[dict] = []
            delivery = validate_header(row.po_number, row.requested_delivery_date, header_errors)
            headers[cache_key] = (delivery, header_errors)
        delivery, header_errors = headers[cache_key]
        row_problems.extend(bad_row(row.line, row.sku, e["code"], e["detail"]) for e in header_errors)
        address = None
        if row.ship_to:
            address = by_id.get(row.ship_to) or by_label.get(row.ship_to.lower())
            if address is None:
                row_problems.append(bad_row(row.line, row.sku, "invalid_ship_to",
                                         f"ship_to {row.ship_to} is not one of {partner.code}'s addresses (give its id or label)."))
        if row_problems:
            problems.extend(row_problems)
            # The line itself is still checked, so the report gives every reason at once.
            problems.extend(_check_lines([(row.line, row.quantity)], row.sku, products))
            continue
        key = (row.po_number, address.id if address else None, delivery)
        groups.setdefault(key, {}).setdefault(row.sku, []).append((row.line, row.quantity))

    planned: list[PlannedOrder] = []
    notes: list[str] = []
    for (po_number, ship_to_id, delivery), by_sku in groups.items():
        lines: list[dict] = []
        file_lines: list[list[int]] = []
        for sku, entries in by_sku.items():
            mergeable = [(line, text) for line, text in entries if (parse_whole_number(text) or 0) > 0]
            alone = [(line, text) for line, text in entries if (line, text) not in mergeable]
            for line, text in alone:
                problems.extend(_check_lines([(line, text)], sku, products))
            if not mergeable:
                continue
            line_problems = _check_lines(mergeable, sku, products)
            if line_problems:
                problems.extend(line_problems)
                continue
            lines.append({"sku": sku, "quantity": sum(int(text) for _, text in mergeable)})
            file_lines.append([line for line, _ in mergeable])
        if not lines:
            continue
        chunks = range(0, len(lines), MAX_LINES)
        if len(chunks) > 1:
            notes.append(f"{_describe(po_number, delivery)} has {len(lines)} lines; an order takes at most {MAX_LINES}, "
                         f"so it was split into {len(chunks)} orders in file order.")
        for start in chunks:
            planned.append(PlannedOrder(
                po_number=po_number, ship_to_id=ship_to_id, requested_delivery_date=delivery,
                lines=lines[start:start + MAX_LINES],
                file_lines=sorted(l for ls in file_lines[start:start + MAX_LINES] for l in ls),
            ))
    problems.sort(key=lambda p: p["line"])
    return planned, problems, notes



def _check_lines(entries: list[tuple[int, str]], sku: str, products: dict[str, Product]) -> list[dict]:
    """Check one SKU's quantity (the sum when several file lines order it in one
    order) with intake's `validate_lines`; return a problem per file line."""
    quantity = str(sum(int(text) for _, text in entries)) if len(entries) > 1 else entries[0][1]
    _, errors = validate_lines([{"sku": sku, "quantity": quantity}], products)
    if not errors:
        return []
    error = errors[0]
    # validate_lines numbers the lines it was given ("Line 1: ..."); the file's line
    # numbers replace that prefix.
    reason = error["detail"].removeprefix("Line 1: ")
    # A few of the other lines by number, then how many more: thousands of rows of one
    # SKU would otherwise make each entry list all the others (a report of gigabytes).
    first_lines = [line for line, _ in entries[:MERGED_LINES_NAMED + 1]]
    problems = []
    for line, _ in entries:
        others = [str(other) for other in first_lines if other != line][:MERGED_LINES_NAMED]
        more = len(entries) - 1 - len(others)
        named = ", ".join(others) + (f" and {more:,} more" if more else "")
        merged = f" (merged with line {named} into {quantity})" if others else ""
        problems.append(bad_row(line, sku, error["code"], f"{reason.rstrip('.')}{merged}." if merged else reason))
    return problems



def _describe(po_number: str, delivery: date | None) -> str:
    name = f"PO {po_number}" if po_number else "The rows without a PO number"
    return f"{name}{f' for {delivery.isoformat()}' if delivery else ''}"
