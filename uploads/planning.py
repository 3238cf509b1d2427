"""Planning a file's orders: every row checked with intake's own rules, the good rows
grouped into orders (one per PO number, ship-to and delivery date), each bad row
named by its line in the file."""

import logging
from dataclasses import dataclass
from datetime import date

from inventory.models import Product
from orders.validation import MAX_LINES, parse_whole_number, validate_header, validate_lines
from partners.exceptions import InvalidShipToError
from partners.models import Partner, ShipToAddress
from partners.ship_tos import partner_ship_to_id
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
    ship_tos = _PartnerShipTos(
        partner_code=partner.code,
        ids={a.id for a in addresses},
        ids_by_label={a.label.strip().lower(): a.id for a in addresses},
    )
    groups, problems = _group_rows(rows, products, ship_tos)
    planned: list[PlannedOrder] = []
    notes: list[str] = []
    for (po_number, ship_to_id, delivery), by_sku in groups.items():
        lines, file_lines = _merge_lines(by_sku, products, problems)
        orders = [
            PlannedOrder(
                po_number=po_number,
                ship_to_id=ship_to_id,
                requested_delivery_date=delivery,
                lines=lines[start : start + MAX_LINES],
                file_lines=sorted(line for ls in file_lines[start : start + MAX_LINES] for line in ls),
            )
            for start in range(0, len(lines), MAX_LINES)
        ]
        if len(orders) > 1:
            notes.append(
                f"{_describe(po_number, delivery)} has {len(lines)} lines; an order takes at most "
                f"{MAX_LINES}, so it was split into {len(orders)} orders in file order."
            )
        planned.extend(orders)
    problems.sort(key=lambda p: p["line"])
    return planned, problems, notes


@dataclass(frozen=True)
class _PartnerShipTos:
    """The uploading partner's addresses, as `partner_ship_to_id` takes them."""

    partner_code: str
    ids: set[int]
    ids_by_label: dict[str, int]


def _group_rows(
    rows: list[CsvRow], products: dict[str, Product], ship_tos: _PartnerShipTos
) -> tuple[dict[tuple, dict[str, list[tuple[int, str]]]], list[dict]]:
    """Return the rows with a good header grouped by order key (po_number, ship-to id,
    delivery date), then by SKU, as [(file line, quantity text)]; and a problem per
    bad header. A row with a bad header has its line checked too, so the report gives
    every reason at once."""
    problems: list[dict] = []
    headers: dict[tuple[str, str], tuple[date | None, list[dict]]] = {}
    groups: dict[tuple, dict[str, list[tuple[int, str]]]] = {}
    for row in rows:
        delivery, row_problems = _check_header(row, headers)
        ship_to_id = None
        try:
            ship_to_id = partner_ship_to_id(
                ship_to=row.ship_to,
                partner_code=ship_tos.partner_code,
                ship_to_ids=ship_tos.ids,
                ids_by_label=ship_tos.ids_by_label,
            )
        except InvalidShipToError as error:
            row_problems.append(bad_row(row.line, row.sku, error.code, error.message))
        if row_problems:
            problems.extend(row_problems)
            problems.extend(_check_lines([(row.line, row.quantity)], row.sku, products))
            continue
        key = (row.po_number, ship_to_id, delivery)
        groups.setdefault(key, {}).setdefault(row.sku, []).append((row.line, row.quantity))
    return groups, problems


def _check_header(
    row: CsvRow, checked: dict[tuple[str, str], tuple[date | None, list[dict]]]
) -> tuple[date | None, list[dict]]:
    """Return the row's delivery date and a problem per fault of its PO number or date
    (intake's `validate_header`), checking each distinct header once per file."""
    key = (row.po_number, row.requested_delivery_date)
    if key not in checked:
        errors: list[dict] = []
        checked[key] = (validate_header(row.po_number, row.requested_delivery_date, errors), errors)
    delivery, errors = checked[key]
    return delivery, [bad_row(row.line, row.sku, e["code"], e["detail"]) for e in errors]


def _merge_lines(
    by_sku: dict[str, list[tuple[int, str]]], products: dict[str, Product], problems: list[dict]
) -> tuple[list[dict], list[list[int]]]:
    """Return one order's lines, each SKU's rows merged into one line, with the file
    lines behind each; add a problem per bad row to `problems`."""
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
    return lines, file_lines


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
    first_lines = [line for line, _ in entries[: MERGED_LINES_NAMED + 1]]
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
