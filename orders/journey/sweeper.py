"""The sweeper: what guarantees progress. The queue is only a hint (django-q2's Redis
broker loses a task whose worker dies), so every minute the sweeper runs every step
over whatever is due, reports orders that have not moved for too long, and purges
old idempotency records. `manage.py sweep` runs the same."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from orders.journey.steps import run_all_steps
from orders.models import CsvUpload, IdempotencyRecord, Order, OrderStatus
from orders.services.csv_import import enqueue_csv_upload, keys_kept_for_failed_files

# The states a step moves an order out of. CONFIRMED waits for the warehouse's
# dispatch, not for us, so it is never "stuck".
MOVED_BY_STEPS = (OrderStatus.CREATED, OrderStatus.INVENTORY_RESERVED, OrderStatus.PAYMENT_PENDING, OrderStatus.PAID)

logger = logging.getLogger("bouquet.journey")


def stuck_orders():
    """Orders waiting at a step, not held for a person, unchanged for too long."""
    threshold = timezone.now() - timedelta(seconds=settings.BOUQUET["STUCK_AFTER_SECONDS"])
    return Order.objects.filter(status__in=MOVED_BY_STEPS, hold="", updated_at__lt=threshold)


def oldest_unfinished_age_seconds() -> float:
    """Age of the oldest order waiting at a step and not held: the figure to watch, since
    a dead worker stalls progress without growing the queue."""
    oldest = Order.objects.filter(status__in=MOVED_BY_STEPS, hold="").aggregate(oldest=Min("updated_at"))["oldest"]
    return (timezone.now() - oldest).total_seconds() if oldest else 0.0


def purge_idempotency_records() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.BOUQUET["IDEMPOTENCY_KEY_TTL_HOURS"])
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).exclude(keys_kept_for_failed_files()).delete()
    return deleted


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
    waiting = list(CsvUpload.objects.filter(status=CsvUpload.Status.QUEUED, created_at__lt=threshold).values_list("id", flat=True))
    for upload_id in sorted(set(waiting) | set(reclaimed)):
        enqueue_csv_upload(upload_id)
    return len(set(waiting) | set(reclaimed))


def sweep(*, time_budget: float | None = None) -> dict:
    stuck = stuck_orders().count()
    if stuck:
        logger.warning("sweeper found stuck orders", extra={"stuck": stuck})
    handled = run_all_steps(time_budget=time_budget)
    purged = purge_idempotency_records()
    report = {"stuck": stuck, "handled": handled, "purged_idempotency_records": purged,
              "requeued_uploads": requeue_waiting_uploads(),
              "oldest_unfinished_age_s": round(oldest_unfinished_age_seconds(), 1)}
    logger.info("sweep done", extra=report)
    return report
