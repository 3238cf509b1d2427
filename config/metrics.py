"""The platform's Prometheus series that processes count as they work (docs/ARCHITECTURE.md,
"Operating at peak"). Every gunicorn and worker process writes its own values to the
multiprocess directory (PROMETHEUS_MULTIPROC_DIR, set by config/settings.py before this
module first imports prometheus_client), and `/metrics` adds them up, so a figure is
right whichever process did the work. The series read from the database and Redis at
scrape time (orders by state, the oldest unfinished order per step, open dead letters,
the breaker, the workers' last sign of life) are not here: they are no process's to
count.

Names follow Prometheus's conventions: a counter's samples end in `_total`, times are
in seconds."""

from prometheus_client import Counter, Histogram

# Intake answers in tens of milliseconds; the alert looks at 150 ms (DESIGN section 9),
# and the shedding bound is a second, so both edges fall on a bucket's edge.
INTAKE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Accepted to CONFIRMED: the targets are 2 s at 30/s and 10 s at 100/s.
JOURNEY_BUCKETS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)

ORDERS_ACCEPTED = Counter(
    "bouquet_orders_accepted",
    "Orders accepted (committed) at intake, by door: api, portal, csv, campaign.",
    ["door"],
)
INTAKE_SECONDS = Histogram(
    "bouquet_intake_duration_seconds",
    "Time to answer an order placement, by door, from the view's start to its answer.",
    ["door"],
    buckets=INTAKE_BUCKETS,
)
TRANSITIONS = Counter(
    "bouquet_order_transitions",
    "Orders handled by a journey step, by step and outcome (the state reached, retry or dead_letter).",
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
    "Time from an order's acceptance to its CONFIRMED transition.",
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
    "Stripe webhook deliveries, by outcome: handled, duplicate, ignored, bad_signature, bad_payload.",
    ["outcome"],
)
