"""django-q2 tasks of the CSV upload: thin, safe to run twice."""

from django.conf import settings

from uploads.processing import process_csv_upload


def import_csv_upload_task(upload_id: int) -> str:
    # One task per upload; a second run of an upload already taken does nothing.
    # A file too big for one task's time re-enqueues itself, inside django-q2's timeout.
    return process_csv_upload(upload_id=upload_id, time_budget=settings.BOUQUET["CSV_TASK_TIME_BUDGET_SECONDS"]).status
