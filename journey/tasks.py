"""django-q2 tasks: thin, idempotent, safe to run twice or at once."""

import time

from django.conf import settings

from journey.runner import run_step
from journey.signs_of_life import note_workers_alive
from journey.sweeper import sweep
from orders.campaign_runs import serve_waitlists
from orders.waitlist import WAITLIST_WAKE
from orders.wakeups import clear_wake_flag


def run_step_task(step_name: str) -> int:
    # Let orders gather first, with the flag still set: orders committed meanwhile
    # wake no further task and are claimed in this one's batch. A task per order cost
    # each of them a task's round through the broker and a batch's fixed statements:
    # at 30 orders a second the journey spent more CPU than at 100 (issue 20).
    time.sleep(settings.BOUQUET["STEP_GATHER_MS"] / 1000)
    # Then clear it: orders committed from now on wake a fresh task, so none waits for
    # the sweeper.
    clear_wake_flag(step_name)
    note_workers_alive()
    return run_step(step_name)


def sweep_task() -> dict:
    note_workers_alive()
    # Four steps with a 10 s budget each stay inside django-q2's 60 s task timeout.
    return sweep(time_budget=10)


def serve_waitlists_task() -> int:
    """Serve every campaign waitlist that supply can now serve; return the runs made.
    Runs of one campaign are serialised by its row lock (orders.campaign_runs), so
    this task, the sweeper and the back office may serve at once."""
    clear_wake_flag(WAITLIST_WAKE)  # supply growing from now on wakes a fresh task
    return len(serve_waitlists())
