"""A pre-book from a CSV file on a campaign's page (docs/DESIGN.md section 12). The file
is read as order files are (uploads.files: its size, encoding and header), with the
columns sku and quantity (in units, a whole number of cases, as in order files) and
optionally ship_to (an address's label or id; a file is one pre-book, so for one
address), at most PREBOOK_FILE_MAX_ROWS rows. It is all or nothing: one bad row and
nothing is pre-booked, and every bad row is named by its line in the file.

A pre-book file is small, so it is placed at once, not queued. Its content hash is the
pre-book's idempotency key: the same file uploaded twice is recognised, and
orders.prebooks answers the first pre-book again."""

from datetime import datetime

from django.utils import timezone

from config.errors import summarise_errors
from orders.exceptions import InvalidPrebookError, PrebookCapExceededError
from orders.models import Campaign
from orders.prebooks import PrebookResult, place_prebook, prebook_line_problems, window_closed_error
from partners.exceptions import InvalidShipToError
from partners.models import Partner, ShipToAddress
from partners.ship_tos import partner_ship_to_id
from uploads.files import CsvRow, bad_row, content_hash_of, decode_csv, parse_csv

PREBOOK_FILE_MAX_ROWS = 500

PREBOOK_FILE_OPTIONAL_COLUMNS = ("ship_to",)


def prebook_file_key(raw: bytes) -> str:
    """The idempotency key of a pre-book made from this file: its content hash."""
    return f"csv:{content_hash_of(raw)}"


def place_prebook_file(
    *, campaign: Campaign, partner: Partner, user, raw: bytes, now: datetime | None = None
) -> PrebookResult:
    """Pre-book the file's rows for the partner as one pre-book (source "csv"), or
    answer the pre-book the same file made before (`replayed`). Raise CsvFileError
    when the file cannot be read (size, encoding, empty, columns, more rows than
    PREBOOK_FILE_MAX_ROWS); PrebookWindowClosedError; InvalidPrebookError or
    PrebookCapExceededError naming every bad row by its line in the file. Nothing is
    written then."""
    now = now or timezone.now()
    key = prebook_file_key(raw)
    parsed = parse_csv(
        decode_csv(raw, kind="pre-book"),
        optional_columns=PREBOOK_FILE_OPTIONAL_COLUMNS,
        max_rows=PREBOOK_FILE_MAX_ROWS,
        kind="pre-book",
    )
    rows, problems = _distinct_rows(parsed.rows)
    ship_to, ship_to_problems = _file_ship_to(partner, parsed.rows)
    lines = [{"sku": row.sku, "quantity": row.quantity} for row in rows]
    _, line_errors = prebook_line_problems(campaign, lines)
    problems += parsed.malformed + ship_to_problems + [_at_file_line(error, rows) for error in line_errors]
    if problems:
        # Closed is what the buyer must hear first: fixing the rows would not help.
        closed = window_closed_error(campaign, now)
        if closed is not None:
            raise closed
        problems.sort(key=lambda problem: problem.get("line", 0))
        raise InvalidPrebookError(summarise_errors(problems, subject="this file"), errors=problems)
    try:
        return place_prebook(
            campaign=campaign,
            partner=partner,
            lines=lines,
            ship_to=ship_to,
            user=user,
            idempotency_key=key,
            fingerprint=content_hash_of(raw),
            source="csv",
            now=now,
        )
    except (InvalidPrebookError, PrebookCapExceededError) as error:
        # The rows checked out above; the service's refusal numbers them as the
        # pre-book's lines, and the buyer knows them by their lines in the file.
        errors = [_at_file_line(item, rows) for item in error.errors or []]
        raise type(error)(summarise_errors(errors, subject="this file") if errors else error.message, errors=errors)


def _distinct_rows(rows: list[CsvRow]) -> tuple[list[CsvRow], list[dict]]:
    """The rows with a SKU not seen on an earlier row, and a problem for each repeat:
    a pre-book has one line per product."""
    first_line: dict[str, int] = {}
    kept, problems = [], []
    for row in rows:
        if row.sku and row.sku in first_line:
            problems.append(
                bad_row(
                    row.line, row.sku, "duplicate_sku", f"{row.sku} is already on line {first_line[row.sku]}; "
                    "put it on one line."
                )
            )  # fmt: skip
            continue
        first_line.setdefault(row.sku, row.line)
        kept.append(row)
    return kept, problems


def _file_ship_to(partner: Partner, rows: list[CsvRow]) -> tuple[int | None, list[dict]]:
    """The address the file's rows name (None: none names one, so the partner's
    default), and a problem per row naming no address of the partner's or another
    address than the first row that names one."""
    addresses = list(ShipToAddress.objects.filter(partner=partner).values_list("id", "label"))
    ids_by_label = {label.lower(): address_id for address_id, label in addresses}
    chosen: tuple[int, CsvRow] | None = None
    problems = []
    for row in rows:
        if not row.ship_to:
            continue
        try:
            address_id = partner_ship_to_id(
                ship_to=row.ship_to,
                partner_code=partner.code,
                ship_to_ids={address_id for address_id, _ in addresses},
                ids_by_label=ids_by_label,
            )
        except InvalidShipToError as error:
            problems.append(bad_row(row.line, row.sku, error.code, error.message))
            continue
        if chosen is None:
            chosen = (address_id, row)
        elif address_id != chosen[0]:
            problems.append(
                bad_row(
                    row.line,
                    row.sku,
                    "ship_to_differs",
                    f"ship_to {row.ship_to} is not the address of line {chosen[1].line} ({chosen[1].ship_to}): "
                    "a file is one pre-book for one address; upload a file per address.",
                )
            )
    return (chosen[0] if chosen else None), problems


def _at_file_line(error: dict, rows: list[CsvRow]) -> dict:
    """The service's error for line N of the pre-book, named by that row's line in
    the file instead."""
    line_no = error.get("line")
    if not isinstance(line_no, int) or not 1 <= line_no <= len(rows):
        return error
    file_line = rows[line_no - 1].line
    detail = str(error.get("detail", "")).removeprefix(f"Line {line_no}: ")
    return {**error, "line": file_line, "detail": f"Line {file_line}: {detail}"}
