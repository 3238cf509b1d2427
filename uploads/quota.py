"""How many uploads a partner may start: one at a time, and UPLOAD_QUOTA_PER_HOUR an
hour. Each upload takes a task on the imports cluster and up to CSV_UPLOAD_MAX_ROWS
rows of intake; the quota keeps one partner from queueing the cluster full."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from orders.models import CsvUpload
from partners.models import Partner
from uploads.exceptions import UploadInFlightError, UploadQuotaExceededError

IN_FLIGHT = (CsvUpload.Status.QUEUED, CsvUpload.Status.PROCESSING)


def claim_upload_slot(*, partner: Partner) -> None:
    """Raise UploadInFlightError while one of the partner's uploads is queued or being
    processed, UploadQuotaExceededError when it has started UPLOAD_QUOTA_PER_HOUR
    uploads in the last hour (whatever became of them).

    Call inside the transaction that stores the new upload, and store it in that
    transaction: the partner's advisory lock, held until the transaction ends, makes
    two uploads of one partner take turns, and the second one's queries (each a fresh
    snapshot under READ COMMITTED) see the first one's upload once it has committed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"csv-upload-slot:{partner.id}"])
    in_flight = (
        CsvUpload.objects.filter(partner=partner, status__in=IN_FLIGHT).order_by("id").only("id", "filename").first()
    )
    if in_flight is not None:
        raise UploadInFlightError(
            f"Upload #{in_flight.id} ({in_flight.filename}) is still being processed; "
            "upload the next file once it has finished.",
            upload_id=in_flight.id,
        )
    quota = settings.BOUQUET["UPLOAD_QUOTA_PER_HOUR"]
    hour_ago = timezone.now() - timedelta(hours=1)
    started = list(
        CsvUpload.objects.filter(partner=partner, created_at__gte=hour_ago)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:quota]
    )
    if len(started) >= quota:
        free_at = timezone.localtime(started[-1] + timedelta(hours=1)).strftime("%H:%M")
        raise UploadQuotaExceededError(
            f"{partner.code} has started {quota} uploads in the last hour, the most an hour takes; "
            f"the next one can start at {free_at}.",
            quota=quota,
        )
