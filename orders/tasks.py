"""django-q2 tasks: thin, idempotent, safe to run twice or at once."""

from django.conf import settings

from orders.journey.steps import run_step
from orders.journey.sweeper import sweep
from orders.journey.wakeups import clear_wake_flag
from orders.services.csv_import import process_csv_upload


def run_step_task(step_name: str) -> int:
    # Clear the flag first: orders committed from now on wake a fresh task, so none
    # waits for the sweeper.
    clear_wake_flag(step_name)
    return run_step(step_name)


def sweep_task() -> dict:
    # Four steps with a 10 s budget each stay inside django-q2's 60 s task timeout.
    return sweep(time_budget=10)


def import_csv_upload_task(upload_id: int) -> str:
    # One task per upload; a second run of an upload already taken does nothing.
    # A file too big for one task's time re-enqueues itself, inside django-q2's timeout.
    return process_csv_upload(upload_id=upload_id, time_budget=settings.BOUQUET["CSV_TASK_TIME_BUDGET_SECONDS"]).status
