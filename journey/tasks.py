"""django-q2 tasks: thin, idempotent, safe to run twice or at once."""

import time

from django.conf import settings

from journey.runner import run_step
from journey.signs_of_life import note_workers_alive
from journey.sweeper import sweep
from orders.campaign_runs import serve_waitlists
from orders.waitlist import WAITLIST_WAKE
from orders.wakeups import clear_wake_flag, hold_wake_flag

# After its flag is cleared, a task handles what slipped in for at most this long and
# then wakes a fresh task for whatever is left.
FINAL_CLAIM_BUDGET_SECONDS = 1.0


def run_step_task(step_name: str) -> int:
    """Take the step's orders while they keep coming, in batches. The wake flag stays
    set meanwhile, so orders committed now wake no further task: they are claimed after
    a pause of STEP_GATHER_MS, together. A task per order cost each of them a task's
    round through the broker and a batch's fixed statements: at 30 orders a second the
    journey spent more CPU than at 100 (issue 20). The first pause, and the one after
    each claim that found orders, is promised (the flag's `next-claim` key,
    orders.wakeups) and kept (journey.runner.run_step), so an order committed during one
    needs no wake-up at all."""
    gather = settings.BOUQUET["STEP_GATHER_MS"] / 1000
    hold_wake_flag(step_name, next_claim_in_s=gather)
    time.sleep(gather)
    note_workers_alive()
    handled = run_step(step_name, pace_s=gather)
    # Then clear it, and claim once more: an order committed after the last claim and
    # before the flag went woke no task. From now on, orders wake a fresh task, so none
    # waits for the sweeper.
    clear_wake_flag(step_name)
    return handled + run_step(step_name, time_budget=FINAL_CLAIM_BUDGET_SECONDS)


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
