"""`GET /metrics`: what this machine's processes counted (config/metrics.py) and the
series no process counts, read from PostgreSQL and Redis at each scrape
(docs/ARCHITECTURE.md, "Metrics and alerts"). A scrape costs four statements, each
bounded by the journey's backlog, open dead letters or PostgreSQL's statistics
(orders/backlog.py), and two Redis reads. A source that cannot be asked leaves its series out and says so in
`bouquet_metrics_source_up`, so the processes' figures still reach Prometheus while
PostgreSQL or Redis is down."""

import logging
import time

from django.http import HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client.core import GaugeMetricFamily

from config.metrics_serving import exposition, metrics_refusal, process_registry

# The steps' failure and batch-time series are bound where they are counted, in the
# workers' runner; imported here, a web host shows them at 0 before any worker ran.
from journey import runner  # noqa: F401
from journey.signs_of_life import workers_last_seen
from orders.backlog import STEPS, estimate_orders_past_the_journey, read_backlog
from orders.dead_letters import count_open_dead_letters
from payments.circuit_breaker import breaker_state

logger = logging.getLogger("bouquet.metrics")


def _gauge(name: str, documentation: str, labels: tuple[str, ...] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=list(labels))


def database_families() -> list[GaugeMetricFamily]:
    """Orders by state, the oldest order waiting at each step, open dead letters."""
    backlog = read_backlog()
    orders = _gauge(
        "bouquet_orders", "Orders waiting at a journey step (not held), by state, counted exactly.", ("state",)
    )
    for state, count in backlog.waiting.items():
        orders.add_metric([state], count)
    held = _gauge("bouquet_orders_on_credit_hold", "Orders held for a credit decision by the back office.")
    held.add_metric([], backlog.on_credit_hold)
    estimate = _gauge(
        "bouquet_orders_estimate",
        "Orders past the journey by state (CONFIRMED, SHIPPED, CANCELLED): PostgreSQL's estimate from its "
        "statistics, 0 before it analysed the table.",
        ("state",),
    )
    for state, count in estimate_orders_past_the_journey().items():
        estimate.add_metric([state], count)
    oldest = _gauge(
        "bouquet_oldest_unfinished_order_age_seconds",
        "Seconds since the oldest order waiting at the step (not held for a person) last moved; 0 when none waits.",
        ("step",),
    )
    now = time.time()
    for step in STEPS:
        moved_at = backlog.oldest_waiting[step]
        oldest.add_metric([step], max(now - moved_at.timestamp(), 0.0) if moved_at else 0.0)
    dead_letters = _gauge("bouquet_dead_letters_open", "Dead letters open: orders parked after their last attempt.")
    dead_letters.add_metric([], count_open_dead_letters())
    return [orders, held, estimate, oldest, dead_letters]


def redis_families() -> list[GaugeMetricFamily]:
    """The Stripe breaker's state and the workers' last sign of life."""
    state = breaker_state()
    breaker = _gauge("bouquet_stripe_breaker_open", "The Stripe circuit breaker: 1 open, 0 closed.")
    breaker.add_metric([], 1 if state.open else 0)
    open_for = _gauge(
        "bouquet_stripe_breaker_open_seconds",
        "While the breaker is open: seconds since it first opened with no successful Stripe call since; else 0.",
    )
    open_for.add_metric([], state.open_seconds)
    seen = _gauge(
        "bouquet_workers_last_seen_timestamp_seconds",
        "Unix time of the journey workers' last step task or sweep (0: never seen).",
    )
    seen.add_metric([], workers_last_seen() or 0.0)
    return [breaker, open_for, seen]


class ScrapeCollector:
    """The series read at scrape time, for prometheus_client's registry."""

    def collect(self):
        up = _gauge("bouquet_metrics_source_up", "Whether /metrics could read the source this scrape.", ("source",))
        for source, read in (("postgresql", database_families), ("redis", redis_families)):
            try:
                yield from read()
            except Exception:
                logger.exception("metrics source unavailable", extra={"source": source})
                up.add_metric([source], 0)
            else:
                up.add_metric([source], 1)
        yield up


@require_GET
def metrics(request):
    if refusal := metrics_refusal(request.META):
        return HttpResponse(refusal + "\n", status=403, content_type="text/plain; charset=utf-8")
    registry = process_registry()
    registry.register(ScrapeCollector())
    body, content_type = exposition(registry)
    return HttpResponse(body, content_type=content_type)
