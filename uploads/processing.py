"""CSV bulk upload: a file of order lines becomes orders through the same intake as
every other door. The portal and `manage.py import_orders` both use this package:
`files` reads a file, `planning` groups its rows into orders, `processing` stores an
upload and places its orders, `reports` tells the partner what happened.

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

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, Now
from django.utils import timezone
from django_q.tasks import async_task

from orders.exceptions import DuplicateCsvUploadError, OrderError
from orders.idempotency import csv_key_prefix
from orders.intake import place_order
from orders.models import CsvUpload, IdempotencyRecord, Order
from partners.models import Partner
from uploads.files import bad_row, content_hash_of, decode_csv, parse_csv
from uploads.planning import FilePlan, PlannedOrder, plan_orders, problem_particulars
from uploads.quota import claim_upload_slot

logger = logging.getLogger("bouquet.orders")


# The status page shows progress from the row: write it this often, not per row.
PROGRESS_EVERY_ROWS = 200


IMPORT_TASK = "uploads.tasks.import_csv_upload_task"


def create_csv_upload(
    *,
    partner: Partner,
    user=None,
    filename: str,
    raw: bytes,
    mode: str = CsvUpload.Mode.ALL_OR_NOTHING,
    within_quota: bool = True,
) -> CsvUpload:
    """Store a readable file as a queued upload and return it. Raise CsvFileError for a
    file that cannot be read as order lines, DuplicateCsvUploadError when the partner
    uploaded the same bytes before (and that upload was not rejected or failed), and
    the errors of `claim_upload_slot` (uploads/quota.py) past the partner's quota,
    unless `within_quota` is False (staff at the command line, see import_orders)."""
    content_hash = content_hash_of(raw)
    text = decode_csv(raw)
    parsed = parse_csv(text)
    earlier = _earlier_upload(partner, content_hash)
    if earlier is not None:
        raise _duplicate(earlier)
    try:
        with transaction.atomic():
            if within_quota:
                claim_upload_slot(partner=partner)
            upload = CsvUpload.objects.create(
                partner=partner,
                uploaded_by=user if getattr(user, "is_authenticated", False) else None,
                filename=filename[:255],
                content_hash=content_hash,
                content=text,
                mode=mode,
                status=CsvUpload.Status.QUEUED,
                total_rows=len(parsed.rows) + len(parsed.malformed),
                # The moment its delivery dates are planned at, by this process's clock
                # as every promise is (see _import).
                created_at=timezone.now(),
            )
    except IntegrityError as exc:
        # Two uploads of one file at the same moment: the constraint lets one through.
        if "csv_upload_placed_once" not in str(exc):
            raise
        raise _duplicate(_earlier_upload(partner, content_hash)) from None
    logger.info("csv upload stored", extra={"upload": upload.id, "partner": partner.code, "rows": upload.total_rows})
    return upload


def submit_csv_upload(
    *, partner: Partner, user=None, filename: str, raw: bytes, mode: str = CsvUpload.Mode.ALL_OR_NOTHING
) -> CsvUpload:
    """Store the upload (as `create_csv_upload`) and enqueue its processing once the
    transaction commits: one task per upload, never one per order."""
    upload = create_csv_upload(partner=partner, user=user, filename=filename, raw=raw, mode=mode)
    transaction.on_commit(lambda: enqueue_csv_upload(upload.id))
    return upload


def enqueue_csv_upload(upload_id: int) -> None:
    """Queue the upload's import on the imports cluster's queue, not the journey's."""
    try:
        async_task(IMPORT_TASK, upload_id, task_name=f"csv-upload:{upload_id}", cluster=settings.Q_IMPORTS_CLUSTER)
    except Exception as exc:
        # The upload stays queued; the sweeper enqueues it again.
        logger.warning("csv upload not enqueued", extra={"upload": upload_id, "error": repr(exc)})
        return
    logger.info("csv upload enqueued", extra={"upload": upload_id})


def _earlier_upload(partner: Partner, content_hash: str) -> CsvUpload | None:
    return (
        CsvUpload.objects.filter(partner=partner, content_hash=content_hash)
        .exclude(status__in=[CsvUpload.Status.INVALID, CsvUpload.Status.FAILED])
        .order_by("id")
        .first()
    )


def _duplicate(earlier: CsvUpload | None) -> DuplicateCsvUploadError:
    if earlier is None:
        return DuplicateCsvUploadError("This file is being uploaded already; it is placed once.")
    when = timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M")
    return DuplicateCsvUploadError(
        f"This file was already uploaded as upload #{earlier.id} ({earlier.filename}, {when}, "
        f"{earlier.get_status_display()}); the same file is not placed twice.",
        upload_id=earlier.id,
    )


# --- Processing an upload --------------------------------------------------------------


def process_csv_upload(
    *, upload_id: int, progress: Callable[[int], None] | None = None, time_budget: float | None = None
) -> CsvUpload:
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
            status=CsvUpload.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
    upload.refresh_from_db()
    return upload


def _claim(upload_id: int) -> bool:
    try:
        return bool(
            CsvUpload.objects.filter(
                id=upload_id, status__in=[CsvUpload.Status.QUEUED, CsvUpload.Status.FAILED]
            ).update(status=CsvUpload.Status.PROCESSING, error="", finished_at=None, heartbeat_at=Now())
        )
    except IntegrityError:
        # A failed upload whose file was uploaded again since: that upload places it.
        upload = CsvUpload.objects.get(id=upload_id)
        raise _duplicate(_earlier_upload(upload.partner, upload.content_hash)) from None


def _import(upload: CsvUpload, progress: Callable[[int], None], time_budget: float | None) -> None:
    started = time.monotonic()
    parsed = parse_csv(upload.content)
    all_or_nothing = upload.mode == CsvUpload.Mode.ALL_OR_NOTHING
    plan = plan_orders(
        partner=upload.partner,
        rows=parsed.rows,
        malformed=parsed.malformed,
        # Every slice plans the file as of its upload, so an order-by time passing
        # between slices cannot change the plan its idempotency keys are numbered by.
        # Intake judges each order again, at the moment it places it.
        now=upload.created_at,
        stop_after_problems=settings.BOUQUET["CSV_REPORT_MAX_PROBLEMS"] if all_or_nothing else None,
    )
    problems = plan.problems
    if problems and (all_or_nothing or not plan.orders):
        _finish(upload, CsvUpload.Status.INVALID, report=[], problems=problems, orders_created=0, plan=plan)
        progress(upload.total_rows)
        logger.info("csv upload rejected", extra={"upload": upload.id, "problems": len(problems)})
        return

    report: list[dict] = [{"note": note} for note in plan.notes]
    handled = len({p["line"] for p in problems})
    progress(handled)
    flushed = 0
    orders: list[str] = []
    key_prefix = csv_key_prefix(upload.content_hash)
    # Orders this file placed before (an earlier slice, a failed run): one query, and
    # no intake call for each of them.
    placed_before = dict(
        IdempotencyRecord.objects.filter(partner=upload.partner, key__startswith=key_prefix).values_list(
            "key", "order__number"
        )
    )
    placed_now = 0
    for index, planned in enumerate(plan.orders):
        # At least one new order per run, so a tiny budget still makes progress.
        if time_budget is not None and placed_now and time.monotonic() - started > time_budget:
            _continue_later(upload, handled=handled)
            return
        key = f"{key_prefix}{index}"
        if key in placed_before:
            orders.append(placed_before[key])
            report.append(_order_entry(placed_before[key], planned, replayed=True))
            handled += len(planned.file_lines)
            progress(len(planned.file_lines))
            continue
        entry = _place_planned_order(upload, planned, key, problems)
        if entry is not None:
            placed_now += 1
            orders.append(entry["order"])
            report.append(entry)
        handled += len(planned.file_lines)
        progress(len(planned.file_lines))
        if handled - flushed >= PROGRESS_EVERY_ROWS:
            _save_progress(upload, handled=handled, orders_created=len(orders))
            flushed = handled
    problems.sort(key=lambda p: p["line"])
    _finish(upload, CsvUpload.Status.DONE, report=report, problems=problems, orders_created=len(orders), plan=plan)
    logger.info("csv upload done", extra={"upload": upload.id, "orders": len(orders), "problems": len(problems)})


def _place_planned_order(upload: CsvUpload, plan: PlannedOrder, key: str, problems: list[dict]) -> dict | None:
    """Place one planned order through intake with its idempotency key and return the
    report's entry for it; when intake refuses it, add a problem per file line behind
    it to `problems` and return None."""
    try:
        result = place_order(
            partner=upload.partner,
            user=upload.uploaded_by,
            lines=plan.lines,
            po_number=plan.po_number,
            requested_delivery_date=plan.requested_delivery_date,
            ship_to=plan.ship_to_id,
            idempotency_key=key,
            source=Order.Source.CSV,
        )
    except OrderError as error:
        # The catalogue changed since validation (a SKU withdrawn, say): these
        # rows are reported, the rest of the file goes on.
        problems.extend(
            {**bad_row(line, "", error.code, f"not placed: {error.message}"), **problem_particulars(error.extra)}
            for line in plan.file_lines
        )
        return None
    return _order_entry(result.order.number, plan, replayed=result.replayed)


def _order_entry(number: str, plan: PlannedOrder, *, replayed: bool) -> dict:
    return {
        "order": number,
        "po_number": plan.po_number,
        "rows": len(plan.file_lines),
        "first_line": plan.file_lines[0],
        "replayed": replayed,
    }


def _save_progress(upload: CsvUpload, *, handled: int, orders_created: int) -> None:
    # Greatest: a continued upload replays its first orders without moving the bar back.
    CsvUpload.objects.filter(id=upload.id).update(
        processed_rows=Greatest(F("processed_rows"), handled),
        orders_created=Greatest(F("orders_created"), orders_created),
        heartbeat_at=Now(),
    )


def _continue_later(upload: CsvUpload, *, handled: int) -> None:
    CsvUpload.objects.filter(id=upload.id).update(
        status=CsvUpload.Status.QUEUED, processed_rows=Greatest(F("processed_rows"), handled)
    )
    logger.info("csv upload continues in a new task", extra={"upload": upload.id, "rows": handled})
    enqueue_csv_upload(upload.id)


def _finish(
    upload: CsvUpload, status: str, *, report: list[dict], problems: list[dict], orders_created: int, plan: FilePlan
) -> None:
    """Store the outcome: the first CSV_REPORT_MAX_PROBLEMS problems (in file order)
    and the counts of them all. Rows after the line where checking stopped early are
    counted neither ok nor refused."""
    refused = len({p["line"] for p in problems})
    checked = upload.total_rows if plan.rows_checked is None else plan.rows_checked
    CsvUpload.objects.filter(id=upload.id).update(
        status=status,
        report=report,
        problems=problems[: settings.BOUQUET["CSV_REPORT_MAX_PROBLEMS"]],
        problem_count=len(problems),
        rows_refused=refused,
        rows_ok=max(checked - refused, 0),
        stopped_at_line=plan.stopped_at_line,
        orders_created=orders_created,
        processed_rows=upload.total_rows,
        finished_at=timezone.now(),
    )


def requeue_waiting_uploads() -> int:
    """Enqueue again the CSV uploads whose task was lost: still queued after the stuck
    threshold (the task went with a worker or the broker), or left `processing` with no
    heartbeat for that long (its worker was killed mid-file; a live run beats at every
    progress flush, and a task gives its upload back within its time budget). A second
    task for an upload is harmless: only one claims it, and orders it placed before are
    recognised by their idempotency keys."""
    threshold = timezone.now() - timedelta(seconds=settings.BOUQUET["STUCK_AFTER_SECONDS"])
    abandoned = CsvUpload.objects.filter(
        Q(heartbeat_at__lt=threshold) | Q(heartbeat_at__isnull=True, created_at__lt=threshold),
        status=CsvUpload.Status.PROCESSING,
    )
    with transaction.atomic():
        reclaimed = list(abandoned.select_for_update(skip_locked=True).values_list("id", flat=True))
        CsvUpload.objects.filter(id__in=reclaimed).update(status=CsvUpload.Status.QUEUED)
    if reclaimed:
        logger.warning("csv uploads abandoned mid-file queued again", extra={"uploads": reclaimed})
    waiting = list(
        CsvUpload.objects.filter(status=CsvUpload.Status.QUEUED, created_at__lt=threshold).values_list("id", flat=True)
    )
    for upload_id in sorted(set(waiting) | set(reclaimed)):
        enqueue_csv_upload(upload_id)
    return len(set(waiting) | set(reclaimed))
