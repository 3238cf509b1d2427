"""django-q2 tasks: thin, idempotent, safe to run twice or at once."""

from journey.runner import run_step
from journey.sweeper import sweep
from orders.wakeups import clear_wake_flag


def run_step_task(step_name: str) -> int:
    # Clear the flag first: orders committed from now on wake a fresh task, so none
    # waits for the sweeper.
    clear_wake_flag(step_name)
    return run_step(step_name)


def sweep_task() -> dict:
    # Four steps with a 10 s budget each stay inside django-q2's 60 s task timeout.
    return sweep(time_budget=10)
