"""Planning a file's orders: every row checked with intake's own rules, the good rows
grouped into orders (one per PO number, ship-to and delivery date), each bad row
named by its line in the file."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from inventory.models import Product
from orders.campaigns import prebook_only_problems
from orders.delivery import promise_delivery
from orders.intake_cache import IntakeReads, intake_reads
from orders.validation import MAX_LINES, parse_whole_number, validate_header, validate_lines
from partners.exceptions import InvalidShipToError
from partners.models import Partner
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


@dataclass
class FilePlan:
    """What a file's rows become: the orders to place, one entry per problem naming its
    file line (in file order), notes on how rows were grouped, and the line where
    checking stopped early (None when every row was checked)."""

    orders: list[PlannedOrder]
    problems: list[dict]
    notes: list[str]
    stopped_at_line: int | None = None
    # When checking stopped early: the rows it checked, malformed ones included.
    rows_checked: int | None = None


def plan_orders(
    *,
    partner: Partner,
    rows: list[CsvRow],
    malformed: list[dict] = (),
    stop_after_problems: int | None = None,
    now: datetime | None = None,
) -> FilePlan:
    """Validate every row with intake's rules and group the good ones into orders.
    `malformed` are the problems of rows the reader could not split (parse_csv's);
    `now` the moment the delivery dates are judged at (default: now).

    Rows sharing (po_number, ship_to, requested_delivery_date) make one order; the same
    SKU twice in one order is merged into one line (the sum must then fit the case
    pack and minimum); an order over intake's MAX_LINES is split. With
    `stop_after_problems`, the rows are walked in file order and checking stops at the
    row where that many problems no other row can clear are found (a bad header,
    ship-to, SKU, delivery date or quantity); the plan then has no orders. Each
    distinct (ship-to, date) is judged once by the delivery promise, as intake will
    judge it. At most three queries, however many rows: the products, and what intake's
    cache does not hold of the partner's addresses and the calendar."""
    products = {p.sku: p for p in Product.objects.filter(sku__in={row.sku for row in rows if row.sku})}
    reads = intake_reads(partner_id=partner.id)
    labels = reads.ship_to_labels()
    headers = _RowHeaders(
        partner=partner,
        reads=reads,
        ids=set(labels.values()),
        ids_by_label=labels,
        now=now or timezone.now(),
    )
    grouped = _group_rows(rows, products, headers, sorted(malformed, key=lambda p: p["line"]), stop_after_problems)
    problems = grouped.problems
    if grouped.stopped_at_line is not None:
        return FilePlan(
            orders=[],
            problems=problems,
            notes=[],
            stopped_at_line=grouped.stopped_at_line,
            rows_checked=grouped.rows_checked,
        )
    planned: list[PlannedOrder] = []
    notes: list[str] = []
    for (po_number, ship_to_id, delivery), by_sku in grouped.groups.items():
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
    return FilePlan(orders=planned, problems=problems, notes=notes)


@dataclass
class _RowHeaders:
    """Judges a row's header (PO number, ship-to, delivery date) as intake will, each
    distinct value once per file: the partner's addresses as `partner_ship_to_id`
    takes them, and the delivery promise for each (ship-to, date)."""

    partner: Partner
    reads: IntakeReads
    ids: set[int]
    ids_by_label: dict[str, int]
    now: datetime
    checked: dict[tuple[str, str], tuple[date | None, list[dict]]] = field(default_factory=dict)
    # (ship-to, date asked) -> (the date promised, or the problem)
    promised: dict[tuple[int | None, date | None], tuple[date | None, dict | None]] = field(default_factory=dict)

    def check(self, row: CsvRow) -> tuple[int | None, date | None, list[dict]]:
        """Return the row's ship-to id and delivery date, and a problem per fault of
        its PO number, date or ship-to, or of the date for that ship-to."""
        key = (row.po_number, row.requested_delivery_date)
        if key not in self.checked:
            errors: list[dict] = []
            self.checked[key] = (validate_header(row.po_number, row.requested_delivery_date, errors), errors)
        delivery, errors = self.checked[key]
        problems = [bad_row(row.line, row.sku, e["code"], e["detail"]) for e in errors]
        try:
            ship_to_id = partner_ship_to_id(
                ship_to=row.ship_to,
                partner_code=self.partner.code,
                ship_to_ids=self.ids,
                ids_by_label=self.ids_by_label,
            )
        except InvalidShipToError as error:
            return None, delivery, [*problems, bad_row(row.line, row.sku, error.code, error.message)]
        if not problems:
            problem = self._promise_problem(ship_to_id, delivery)
            if problem is not None:
                problems.append(
                    {**bad_row(row.line, row.sku, problem["code"], problem["detail"]), **problem_particulars(problem)}
                )
        return ship_to_id, delivery, problems

    def _promise_problem(self, ship_to_id: int | None, delivery: date | None) -> dict | None:
        return self._promise(ship_to_id, delivery)[1]

    def _promise(self, ship_to_id: int | None, delivery: date | None) -> tuple[date | None, dict | None]:
        if (ship_to_id, delivery) not in self.promised:
            # No ship-to named (None): the partner's default address, as intake does.
            promised, problem = promise_delivery(
                reads=self.reads, partner=self.partner, address_id=ship_to_id, requested=delivery, now=self.now
            )
            self.promised[(ship_to_id, delivery)] = (promised.option.date if promised else None, problem)
        return self.promised[(ship_to_id, delivery)]

    def prebook_only(self, row: CsvRow, ship_to_id: int | None, delivery: date | None, product) -> dict | None:
        """The problem of a row (its header good) asking for a campaign's product on the
        campaign's date before its first committed run, worded as intake refuses it and
        pointing to the pre-book page; None for any other row. Found here, not when the
        order is placed, so that an all-or-nothing file places nothing."""
        day = self._promise(ship_to_id, delivery)[0]
        if product is None or day is None:
            return None
        refusal = prebook_only_problems(self.reads.campaign_blocks(), [(product, None)], day)
        if refusal is None:
            return None
        reason = refusal.errors[0]["detail"].removeprefix("Line 1: ")
        return {**bad_row(row.line, row.sku, refusal.code, reason), **refusal.extra}


def problem_particulars(problem: dict) -> dict:
    """What a delivery-date problem says beyond its code and detail: the field, the
    date, the reason and the next available date."""
    return {name: problem[name] for name in ("field", "date", "reason", "next_available") if name in problem}


@dataclass
class _GroupedRows:
    groups: dict[tuple, dict[str, list[tuple[int, str]]]]
    problems: list[dict]
    stopped_at_line: int | None = None
    rows_checked: int | None = None


def _group_rows(
    rows: list[CsvRow],
    products: dict[str, Product],
    headers: _RowHeaders,
    malformed: list[dict],
    stop_after: int | None,
) -> _GroupedRows:
    """Return the rows with a good header grouped by order key (po_number, ship-to id,
    delivery date), then by SKU, as [(file line, quantity text)]; and a problem per
    bad header, and per malformed row. A row with a bad header has its line checked
    too, so the report gives every reason at once. With `stop_after`, stop at the row
    where that many certain problems are found (see plan_orders)."""
    grouped = _GroupedRows(groups={}, problems=[])
    # Problems of rows whose header is good but whose line is bad alone: the merge
    # finds them again when the walk goes to the end, so they are kept apart.
    bad_alone: list[dict] = []
    pending_malformed = iter(malformed)
    walked_malformed = 0
    next_malformed = next(pending_malformed, None)
    for walked, row in enumerate(rows, start=1):
        while next_malformed is not None and next_malformed["line"] < row.line:
            grouped.problems.append(next_malformed)
            next_malformed = next(pending_malformed, None)
            walked_malformed += 1
        ship_to_id, delivery, row_problems = headers.check(row)
        if row_problems:
            grouped.problems.extend(row_problems)
            grouped.problems.extend(_check_lines([(row.line, row.quantity)], row.sku, products))
        elif blocked := headers.prebook_only(row, ship_to_id, delivery, products.get(row.sku)):
            grouped.problems.append(blocked)
        else:
            key = (row.po_number, ship_to_id, delivery)
            grouped.groups.setdefault(key, {}).setdefault(row.sku, []).append((row.line, row.quantity))
            if stop_after is not None and _bad_alone(row, products):
                bad_alone.extend(_check_lines([(row.line, row.quantity)], row.sku, products))
        if stop_after is not None and len(grouped.problems) + len(bad_alone) >= stop_after:
            grouped.problems = sorted(grouped.problems + bad_alone, key=lambda p: p["line"])
            grouped.stopped_at_line = row.line
            grouped.rows_checked = walked + walked_malformed
            return grouped
    grouped.problems.extend(filter(None, [next_malformed, *pending_malformed]))
    return grouped


def _bad_alone(row: CsvRow, products: dict[str, Product]) -> bool:
    """Whether the row's line is wrong whatever other rows it is merged with: no SKU,
    one not sold, or a quantity that is not a positive whole number."""
    product = products.get(row.sku)
    return product is None or not product.active or (parse_whole_number(row.quantity) or 0) <= 0


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
