"""CSV bulk upload: a file of order lines becomes orders through the same intake as
every other door. The portal and `manage.py import_orders` both use this module.

Two stages. `create_csv_upload` reads the file at once (encoding, size, header) and
stores it as a queued `CsvUpload`, or refuses it with nothing stored. Then
`process_csv_upload` (in a django-q2 task for the portal, inline for the command)
validates every row with intake's own rules, groups the rows into orders and places
each through `place_order` with an idempotency key derived from the file's hash, so a
re-run of the same upload, or a second upload of a file that failed half-way, never
places an order twice.

The report (`CsvUpload.report`) is a list of entries: a bad row has a `line` (as in
the file, the header is line 1), `code` and `detail`; a placed order has `order`; a
remark on how rows were grouped has `note`."""

import csv
import hashlib
import io
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Greatest, Now, Substr
from django.utils import timezone
from django_q.tasks import async_task

from config.spreadsheets import escape_formula, megabytes, not_utf8_reason
from inventory.models import Product
from orders.exceptions import CsvFileError, DuplicateCsvUploadError, OrderError
from orders.models import CsvUpload, IdempotencyRecord, Order
from orders.services.intake import MAX_LINES, parse_whole_number, validate_header, place_order, validate_lines
from partners.models import Partner, ShipToAddress

logger = logging.getLogger("bouquet.orders")

REQUIRED_COLUMNS = ("sku", "quantity")
OPTIONAL_COLUMNS = ("po_number", "ship_to", "requested_delivery_date")
# The status page shows progress from the row: write it this often, not per row.
PROGRESS_EVERY_ROWS = 200
# A bad row merged with others of its SKU names this many of them in the report.
MERGED_LINES_NAMED = 5
IMPORT_TASK = "orders.tasks.import_csv_upload_task"
NOT_UTF8 = "the file is not UTF-8 (looks like Windows-1252/Latin-1?): save it as CSV UTF-8"


@dataclass(frozen=True)
class CsvRow:
    line: int
    sku: str
    quantity: str
    po_number: str = ""
    ship_to: str = ""
    requested_delivery_date: str = ""


@dataclass
class ParsedCsv:
    rows: list[CsvRow]
    # Rows the reader could not even split into the header's columns.
    malformed: list[dict] = field(default_factory=list)


@dataclass
class PlannedOrder:
    """One order to place: its header, its (merged) lines and the file lines behind them."""

    po_number: str
    ship_to_id: int | None
    requested_delivery_date: date | None
    lines: list[dict]
    file_lines: list[int]


# --- Reading the file ------------------------------------------------------------------


def read_csv_file(file) -> bytes:
    """Return the bytes of an uploaded or opened file, reading no more than the size
    limit: a file over it is refused (CsvFileError) without being read into memory."""
    limit = settings.BOUQUET["CSV_UPLOAD_MAX_BYTES"]
    size = getattr(file, "size", None)
    if size is None:
        try:
            size = os.fstat(file.fileno()).st_size
        except (AttributeError, OSError, io.UnsupportedOperation):
            size = None
    if size is not None and size > limit:
        raise _too_large(size, limit)
    raw = file.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(size, limit)
    return raw


def _too_large(size: int | None, limit: int) -> CsvFileError:
    said = megabytes(size) if size is not None else f"over {megabytes(limit)}"
    return CsvFileError(f"The file is {said}; the limit is {megabytes(limit)}.", code="file_too_large")


def decode_csv(raw: bytes) -> str:
    """Return the file's text: UTF-8 with or without a byte-order mark, any line endings
    (normalised to \\n). Raise CsvFileError for a file too large, empty or not UTF-8
    (UTF-16, NUL bytes, Windows-1252)."""
    limit = settings.BOUQUET["CSV_UPLOAD_MAX_BYTES"]
    if len(raw) > limit:
        raise _too_large(len(raw), limit)
    reason = not_utf8_reason(raw)
    if reason:
        raise CsvFileError(f"{reason}: save it as CSV UTF-8.", code="not_utf8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CsvFileError(f"Line {line}: {NOT_UTF8}.", code="not_utf8") from None
    if not text.strip():
        raise CsvFileError("The file is empty: it needs a header (sku,quantity) and at least one order line.", code="empty_file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_csv(text: str) -> ParsedCsv:
    """Split decoded text into rows keyed by the header. Raise CsvFileError when the
    header lacks a required column, names an unknown one, or no order line follows."""
    header_line, _, _ = text.partition("\n")
    # The delimiter is the header's: a spreadsheet set to a comma-decimal locale
    # writes semicolons.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    try:
        records = list(_records(csv.reader(io.StringIO(text), delimiter=delimiter)))
    except csv.Error as exc:
        raise CsvFileError(f"The file is not a readable CSV: {exc}.", code="unreadable_csv") from None
    if not records:
        raise CsvFileError("The file is empty: it needs a header (sku,quantity) and at least one order line.", code="empty_file")
    header_no, header = records[0]
    columns = [name.strip().lower() for name in header]
    _check_columns(columns)
    parsed = ParsedCsv(rows=[])
    for line, values in records[1:]:
        if len(values) != len(columns):
            parsed.malformed.append(_bad(line, "", "wrong_column_count",
                                         f"has {len(values)} values; the header has {len(columns)} columns ({', '.join(columns)})."))
            continue
        cells = {name: value.strip() for name, value in zip(columns, values)}
        parsed.rows.append(CsvRow(line=line, **cells))
    if not parsed.rows and not parsed.malformed:
        raise CsvFileError("The file has a header but no order lines.", code="no_rows")
    return parsed


def _records(reader):
    """Yield (line number where the record starts, values), skipping blank lines."""
    line = 1
    for values in reader:
        if any(value.strip() for value in values):
            yield line, values
        line = reader.line_num + 1


def _check_columns(columns: list[str]) -> None:
    expected = f"Expected columns: {', '.join(REQUIRED_COLUMNS)}, and optionally {', '.join(OPTIONAL_COLUMNS)}."
    unknown = [name or "(blank)" for name in columns if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"the header (line 1) lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in the header (line 1)")
    if repeated:
        problems.append(f"column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} appear{'' if len(repeated) > 1 else 's'} twice in the header (line 1)")
    if problems:
        message = "; ".join(problems)
        raise CsvFileError(f"{message[0].upper()}{message[1:]}. {expected}", code="wrong_columns",
                           errors=[{"field": "file", "code": "wrong_columns", "detail": p} for p in problems])


def _bad(line: int, sku: str, code: str, detail: str) -> dict:
    return {"line": line, "sku": sku, "code": code, "detail": f"Line {line}: {detail}"}


# --- Storing an upload -----------------------------------------------------------------


def content_hash_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


# An order a file placed carries the key `csv:<content hash>:<its index in the file>`,
# so any later run of the same bytes (a slice, a retry, a fresh upload of a file that
# failed) recognises it.
KEY_PREFIX = "csv:"


def _key_prefix(content_hash: str) -> str:
    return f"{KEY_PREFIX}{content_hash}:"


def keys_kept_for_failed_files() -> Q:
    """The idempotency records that purging by age must spare: those of a file whose
    upload failed part-way and that no upload of the same bytes has finished since.
    A re-upload, however late, needs them to skip the orders the failed run placed."""
    def uploads_of_the_file(status):
        return CsvUpload.objects.filter(
            partner_id=OuterRef("partner_id"), status=status,
            content_hash=Substr(OuterRef("key"), len(KEY_PREFIX) + 1, CsvUpload._meta.get_field("content_hash").max_length))
    return (Q(key__startswith=KEY_PREFIX) & Exists(uploads_of_the_file(CsvUpload.Status.FAILED))
            & ~Exists(uploads_of_the_file(CsvUpload.Status.DONE)))


def create_csv_upload(*, partner: Partner, user=None, filename: str, raw: bytes,
                      mode: str = CsvUpload.Mode.ALL_OR_NOTHING) -> CsvUpload:
    """Store a readable file as a queued upload and return it. Raise CsvFileError for a
    file that cannot be read as order lines, DuplicateCsvUploadError when the partner
    uploaded the same bytes before (and that upload was not rejected or failed)."""
    content_hash = content_hash_of(raw)
    text = decode_csv(raw)
    parsed = parse_csv(text)
    earlier = _earlier_upload(partner, content_hash)
    if earlier is not None:
        raise _duplicate(earlier)
    try:
        with transaction.atomic():
            upload = CsvUpload.objects.create(
                partner=partner, uploaded_by=user if getattr(user, "is_authenticated", False) else None,
                filename=filename[:255], content_hash=content_hash, content=text, mode=mode,
                status=CsvUpload.Status.QUEUED, total_rows=len(parsed.rows) + len(parsed.malformed),
            )
    except IntegrityError as exc:
        # Two uploads of one file at the same moment: the constraint lets one through.
        if "csv_upload_placed_once" not in str(exc):
            raise
        raise _duplicate(_earlier_upload(partner, content_hash)) from None
    logger.info("csv upload stored", extra={"upload": upload.id, "partner": partner.code, "rows": upload.total_rows})
    return upload


def submit_csv_upload(*, partner: Partner, user=None, filename: str, raw: bytes,
                      mode: str = CsvUpload.Mode.ALL_OR_NOTHING) -> CsvUpload:
    """Store the upload (as `create_csv_upload`) and enqueue its processing once the
    transaction commits: one task per upload, never one per order."""
    upload = create_csv_upload(partner=partner, user=user, filename=filename, raw=raw, mode=mode)
    transaction.on_commit(lambda: enqueue_csv_upload(upload.id))
    return upload


def enqueue_csv_upload(upload_id: int) -> None:
    try:
        async_task(IMPORT_TASK, upload_id, task_name=f"csv-upload:{upload_id}")
    except Exception as exc:
        # The upload stays queued; the sweeper enqueues it again.
        logger.warning("csv upload not enqueued", extra={"upload": upload_id, "error": repr(exc)})
        return
    logger.info("csv upload enqueued", extra={"upload": upload_id})


def _earlier_upload(partner: Partner, content_hash: str) -> CsvUpload | None:
    return (CsvUpload.objects.filter(partner=partner, content_hash=content_hash)
            .exclude(status__in=[CsvUpload.Status.INVALID, CsvUpload.Status.FAILED]).order_by("id").first())


def _duplicate(earlier: CsvUpload | None) -> DuplicateCsvUploadError:
    if earlier is None:
        return DuplicateCsvUploadError("This file is being uploaded already; it is placed once.")
    when = timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M")
    return DuplicateCsvUploadError(
        f"This file was already uploaded as upload #{earlier.id} ({earlier.filename}, {when}, "
        f"{earlier.get_status_display()}); the same file is not placed twice.",
        upload_id=earlier.id,
    )


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
        row_problems.extend(_bad(row.line, row.sku, e["code"], e["detail"]) for e in header_errors)
        address = None
        if row.ship_to:
            address = by_id.get(row.ship_to) or by_label.get(row.ship_to.lower())
            if address is None:
                row_problems.append(_bad(row.line, row.sku, "invalid_ship_to",
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
        problems.append(_bad(line, sku, error["code"], f"{reason.rstrip('.')}{merged}." if merged else reason))
    return problems


def _describe(po_number: str, delivery: date | None) -> str:
    name = f"PO {po_number}" if po_number else "The rows without a PO number"
    return f"{name}{f' for {delivery.isoformat()}' if delivery else ''}"


# --- Processing an upload --------------------------------------------------------------


def process_csv_upload(*, upload_id: int, progress: Callable[[int], None] | None = None,
                       time_budget: float | None = None) -> CsvUpload:
    """Validate and place a queued (or failed) upload; return it. Safe to run twice: a
    second run of an upload being processed or done does nothing, and a re-run of a
    failed one skips the orders already placed (found by their idempotency keys).
    `progress(rows)` is told of rows handled as they go (the command's progress bar).
    With a `time_budget` (seconds), an upload not finished by then is queued again and
    its task re-enqueued, so one task stays inside django-q2's timeout."""
    claimed = _claim(upload_id)
    upload = CsvUpload.objects.select_related("partner", "uploaded_by").get(id=upload_id)
    if not claimed:
        logger.info("csv upload skipped: not queued", extra={"upload": upload_id, "status": upload.status})
        return upload
    try:
        _import(upload, progress or (lambda rows: None), time_budget)
    except Exception as exc:
        # Orders placed so far stay (each in its own transaction); a re-run skips them.
        logger.exception("csv upload failed", extra={"upload": upload.id})
        CsvUpload.objects.filter(id=upload.id).update(
            status=CsvUpload.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now())
    upload.refresh_from_db()
    return upload


def _claim(upload_id: int) -> bool:
    try:
        return bool(CsvUpload.objects.filter(id=upload_id, status__in=[CsvUpload.Status.QUEUED, CsvUpload.Status.FAILED])
                    .update(status=CsvUpload.Status.PROCESSING, error="", finished_at=None, heartbeat_at=Now()))
    except IntegrityError:
        # A failed upload whose file was uploaded again since: that upload places it.
        upload = CsvUpload.objects.get(id=upload_id)
        raise _duplicate(_earlier_upload(upload.partner, upload.content_hash)) from None


def _import(upload: CsvUpload, progress: Callable[[int], None], time_budget: float | None) -> None:
    started = time.monotonic()
    parsed = parse_csv(upload.content)
    planned, problems, notes = plan_orders(partner=upload.partner, rows=parsed.rows)
    problems = sorted(parsed.malformed + problems, key=lambda p: p["line"])
    if problems and (upload.mode == CsvUpload.Mode.ALL_OR_NOTHING or not planned):
        _finish(upload, CsvUpload.Status.INVALID, report=problems, orders_created=0)
        progress(upload.total_rows)
        logger.info("csv upload rejected", extra={"upload": upload.id, "bad_rows": len({p["line"] for p in problems})})
        return

    report: list[dict] = [{"note": note} for note in notes]
    handled = len({p["line"] for p in problems})
    progress(handled)
    flushed = 0
    orders: list[str] = []
    key_prefix = _key_prefix(upload.content_hash)
    # Orders this file placed before (an earlier slice, a failed run): one query, and
    # no intake call for each of them.
    placed_before = dict(IdempotencyRecord.objects.filter(partner=upload.partner, key__startswith=key_prefix)
                         .values_list("key", "order__number"))
    placed_now = 0
    for index, plan in enumerate(planned):
        # At least one new order per run, so a tiny budget still makes progress.
        if time_budget is not None and placed_now and time.monotonic() - started > time_budget:
            _continue_later(upload, handled=handled)
            return
        key = f"{key_prefix}{index}"
        if key in placed_before:
            orders.append(placed_before[key])
            report.append({"order": placed_before[key], "po_number": plan.po_number, "rows": len(plan.file_lines),
                           "first_line": plan.file_lines[0], "replayed": True})
            handled += len(plan.file_lines)
            progress(len(plan.file_lines))
            continue
        try:
            result = place_order(
                partner=upload.partner, user=upload.uploaded_by, lines=plan.lines, po_number=plan.po_number,
                requested_delivery_date=plan.requested_delivery_date, ship_to=plan.ship_to_id,
                idempotency_key=key, source=Order.Source.CSV,
            )
        except OrderError as error:
            # The catalogue changed since validation (a SKU withdrawn, say): these
            # rows are reported, the rest of the file goes on.
            problems.extend(_bad(line, "", error.code, f"not placed: {error.message}") for line in plan.file_lines)
        else:
            placed_now += 1
            orders.append(result.order.number)
            report.append({"order": result.order.number, "po_number": plan.po_number, "rows": len(plan.file_lines),
                           "first_line": plan.file_lines[0], "replayed": result.replayed})
        handled += len(plan.file_lines)
        progress(len(plan.file_lines))
        if handled - flushed >= PROGRESS_EVERY_ROWS:
            # Greatest: a continued upload replays its first orders without moving the bar back.
            CsvUpload.objects.filter(id=upload.id).update(processed_rows=Greatest(F("processed_rows"), handled),
                                                          orders_created=Greatest(F("orders_created"), len(orders)),
                                                          heartbeat_at=Now())
            flushed = handled
    report.extend(sorted(problems, key=lambda p: p["line"]))
    _finish(upload, CsvUpload.Status.DONE, report=report, orders_created=len(orders))
    logger.info("csv upload done", extra={"upload": upload.id, "orders": len(orders), "bad_rows": len(problems)})


def _continue_later(upload: CsvUpload, *, handled: int) -> None:
    CsvUpload.objects.filter(id=upload.id).update(status=CsvUpload.Status.QUEUED,
                                                  processed_rows=Greatest(F("processed_rows"), handled))
    logger.info("csv upload continues in a new task", extra={"upload": upload.id, "rows": handled})
    enqueue_csv_upload(upload.id)


def _finish(upload: CsvUpload, status: str, *, report: list[dict], orders_created: int) -> None:
    CsvUpload.objects.filter(id=upload.id).update(
        status=status, report=report, orders_created=orders_created, processed_rows=upload.total_rows,
        finished_at=timezone.now(),
    )


# --- Reading an upload back -------------------------------------------------------------


def bad_rows(upload: CsvUpload) -> list[dict]:
    """The report's entries for bad rows, in file order."""
    return [entry for entry in upload.report or [] if "line" in entry]


def placed_orders(upload: CsvUpload) -> list[dict]:
    return [entry for entry in upload.report or [] if "order" in entry]


def report_notes(upload: CsvUpload) -> list[str]:
    return [entry["note"] for entry in upload.report or [] if "note" in entry]


def build_sample_csv(*, partner: Partner, rows: int = 5) -> str:
    """A small valid CSV for this partner from real active products, to show the format."""
    products = list(Product.objects.filter(active=True).order_by("sku")[:rows])
    address = ShipToAddress.objects.filter(partner=partner).order_by("-is_default", "id").first()
    delivery = (timezone.localdate() + timedelta(days=3)).isoformat()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    for index, product in enumerate(products):
        quantity = max(product.case_pack, -(-product.min_order_qty // product.case_pack) * product.case_pack)
        row = (product.sku, quantity, f"PO-SAMPLE-{1 + index // 3}", address.label if address else "", delivery)
        # A label is whatever text was typed in: a spreadsheet must not run it as a formula.
        writer.writerow([escape_formula(cell) for cell in row])
    return out.getvalue()
