"""The platform's Prometheus series that processes count as they work (docs/ARCHITECTURE.md,
"Metrics and alerts"). Every gunicorn and worker process writes its own values to the
multiprocess directory (PROMETHEUS_MULTIPROC_DIR, set by config/settings.py before this
module first imports prometheus_client), and `/metrics` adds them up, so a figure is
right whichever process did the work. The series read from the database and Redis at
scrape time (orders by state, the oldest unfinished order per step, open dead letters,
the breaker, the workers' last sign of life) are not here: they are no process's to
count (backoffice/metrics.py).

Names follow Prometheus's conventions: a counter's samples end in `_total`, times are
in seconds. The hot paths call the functions at the end with label values bound once
at import (`labels()` per call costs a dictionary build and a lock), and the modules
that know a series' label values bind them at import with `bind`, so that a fresh
platform shows every series at 0."""

import fcntl
import os
from collections.abc import Iterable

from prometheus_client import Counter, Histogram, values

from config import intake_minutes
from config.intake_minutes import INTAKE_BUCKETS

# prometheus_client names each process's files by its pid, and never removes a dead
# process's (its counts must not go backwards). django-q2 recycles a worker every 500
# tasks, so at a peak thousands of files would pile up, and every scrape reads them
# all. A process here takes the lowest free slot instead (a lock on slot_N.lock that
# the kernel releases when the process dies, however it dies) and writes to that
# slot's files: a recycled worker's successor continues its predecessor's counts, and
# the folder holds as many files as processes ever ran at once.
_slot = {"pid": 0, "name": "", "fd": -1}


def process_slot() -> str:
    """Return the name of this process's slot in the multiprocess directory, taking a
    free one on the first call in a process (a forked child takes its own). Called by
    prometheus_client on every update, under its lock: cheap once the slot is held."""
    pid = os.getpid()
    if _slot["pid"] != pid:
        if _slot["fd"] >= 0:
            os.close(_slot["fd"])  # the parent's slot, inherited through fork(): not ours
        _slot["fd"], _slot["name"] = _claim_free_slot(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        _slot["pid"] = pid
    return _slot["name"]


def _claim_free_slot(directory: str) -> tuple[int, str]:
    number = 0
    while True:
        fd = os.open(os.path.join(directory, f"slot_{number}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            number += 1
            continue
        return fd, f"slot{number}"


if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # always under Django (config/settings.py sets it)
    values.ValueClass = values.MultiProcessValue(process_identifier=process_slot)

# Accepted to CONFIRMED: the targets are 2 s at 30/s and 10 s at 100/s.
JOURNEY_BUCKETS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)
# The doors orders come in by (orders.models.Order.Source, and a campaign's allocation run).
DOORS = ("api", "portal", "csv", "admin", "campaign")
# Webhook outcomes (journey.payment_events).
WEBHOOK_OUTCOMES = ("recorded", "duplicate", "refused")

ORDERS_ACCEPTED = Counter(
    "bouquet_orders_accepted",
    "Orders accepted at intake once their transaction committed (a replay or a refusal is not), by door: "
    "api, portal, csv, admin, campaign (a campaign's allocation run).",
    ["door"],
)
INTAKE_SECONDS = Histogram(
    "bouquet_intake_duration_seconds",
    "Time intake took for an accepted order, by door: from the call of orders.intake.place_order to its "
    "commit (parsing, authentication and the answer's rendering are outside it).",
    ["door"],
    buckets=INTAKE_BUCKETS,
)
TRANSITIONS = Counter(
    "bouquet_order_transitions",
    "Orders moved on, once committed, by step and outcome. A state reached is counted at the step whose "
    "queue the order left (dispatch for CONFIRMED to SHIPPED), whoever moved it; retry, dead_letter and "
    "deferred (Stripe's breaker open: no attempt spent) are a step's failures.",
    ["step", "outcome"],
)
STEP_SECONDS = Histogram(
    "bouquet_step_duration_seconds",
    "Time a journey step took over one claimed batch, by step.",
    ["step"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ACCEPTED_TO_CONFIRMED_SECONDS = Histogram(
    "bouquet_order_accepted_to_confirmed_seconds",
    "Time from an order's acceptance to its CONFIRMED transition's commit.",
    buckets=JOURNEY_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "bouquet_http_requests",
    "Requests that reached a web worker (the denominator of the shed rate).",
)
REQUESTS_SHED = Counter(
    "bouquet_requests_shed",
    "Requests answered 503 before any work because they waited in front of the web "
    "workers longer than SHED_AFTER_SECONDS (X-Request-Start).",
)
WEBHOOKS = Counter(
    "bouquet_stripe_webhooks",
    "Stripe webhook deliveries, by outcome: recorded (new), duplicate (an event id seen before), "
    "refused (a bad signature or payload, answered 400).",
    ["outcome"],
)


def bind(metric, label_sets: Iterable[tuple[str, ...]]) -> dict:
    """Return the metric's child for each tuple of label values, made now: its series
    shows at 0 until counted, and updating it costs no `labels()` call."""
    return {label_values: metric.labels(*label_values) for label_values in label_sets}


_ACCEPTED = bind(ORDERS_ACCEPTED, [(door,) for door in DOORS])
_INTAKE_SECONDS = bind(INTAKE_SECONDS, [(door,) for door in DOORS])
_WEBHOOKS = bind(WEBHOOKS, [(outcome,) for outcome in WEBHOOK_OUTCOMES])


def child(children: dict, metric, *label_values: str):
    """Return the child bound for these label values, or make it (a value no table
    foresaw must not fail an update made after a commit)."""
    return children.get(label_values) or metric.labels(*label_values)


def observe_intake(door: str, seconds: float) -> None:
    """Count an order accepted at `door` and the time intake took for it. Call once
    the order's transaction has committed (transaction.on_commit)."""
    child(_ACCEPTED, ORDERS_ACCEPTED, door).inc()
    child(_INTAKE_SECONDS, INTAKE_SECONDS, door).observe(seconds)
    # The same time for the back office's per-minute p99, which reads no Prometheus.
    intake_minutes.record(door, seconds)


def count_orders_made(door: str, count: int) -> None:
    """Count orders accepted without a client waiting on each (a campaign's allocation
    run makes them together), so with no intake time. Call once they committed."""
    child(_ACCEPTED, ORDERS_ACCEPTED, door).inc(count)


def count_webhook(outcome: str) -> None:
    child(_WEBHOOKS, WEBHOOKS, outcome).inc()


DISPUTES_OPENED = Counter(
    "bouquet_stripe_disputes_opened",
    "Card payments marked disputed from a charge.dispute.created event (payments/disputes.py), counted by "
    "the Stripe mirror's process once the mark committed; a payment disputed again is not counted twice.",
)


def count_dispute_opened() -> None:
    DISPUTES_OPENED.inc()
