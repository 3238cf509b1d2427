"""The sweeper: what guarantees progress. The queue is only a hint (django-q2's Redis
broker loses a task whose worker dies), so every minute (a django-q2 schedule, see
orders/migrations/0002) the sweeper runs every step over whatever is due, reports
orders that have not moved for too long, cancels credit holds nobody decided on in
time, purges old idempotency records, re-queues CSV uploads whose task was lost, and
serves peak campaigns' waitlists whose wake-up was lost (orders.waitlist). `manage.py
sweep` runs the same.

Its thresholds, all in settings.BOUQUET (config/settings.py), read from the
environment:
- STUCK_AFTER_SECONDS: an order waiting at a step, not held, unchanged this long is
  "stuck" (orders.selectors.stuck_orders; the admin home links to them), and an
  upload queued or without a heartbeat this long is queued again;
- HELD_ORDER_RELEASE_AFTER_HOURS: an order on credit hold this long is cancelled
  (`hold_expired`), giving back its stock and credit (orders.credit_holds), all due
  in one transaction;
- IDEMPOTENCY_KEY_TTL_HOURS: keys older than this are purged (at least 24 h, docs/DESIGN.md
  invariant 4), except those a failed CSV file still needs;
- the steps' own: STEP_LEASE_SECONDS (a claimed order's lease), STEP_MAX_ATTEMPTS
  and STEP_BACKOFF_BASE_SECONDS / STEP_BACKOFF_MAX_SECONDS (journey.runner);
- each sweep gives every step a time budget of its own (journey.tasks.sweep_task)."""

import logging

from journey.runner import run_all_steps
from orders.campaign_runs import serve_waitlists
from orders.credit_holds import expire_credit_holds
from orders.idempotency import purge_idempotency_records
from orders.selectors import oldest_unfinished_age_seconds, stuck_orders
from uploads.processing import requeue_waiting_uploads

logger = logging.getLogger("bouquet.journey")


def sweep(*, time_budget: float | None = None) -> dict:
    stuck = stuck_orders().count()
    if stuck:
        logger.warning("sweeper found stuck orders", extra={"stuck": stuck})
    expired = expire_credit_holds()
    handled = run_all_steps(time_budget=time_budget)
    purged = purge_idempotency_records()
    report = {
        "stuck": stuck,
        "expired_credit_holds": expired,
        "handled": handled,
        "purged_idempotency_records": purged,
        "requeued_uploads": requeue_waiting_uploads(),
        # After the steps: a waitlist run's orders are reserved in its transaction and
        # woken for payment on commit.
        "waitlist_runs": len(serve_waitlists(actor="sweeper")),
        "oldest_unfinished_age_s": round(oldest_unfinished_age_seconds(), 1),
    }
    logger.info("sweep done", extra=report)
    return report
