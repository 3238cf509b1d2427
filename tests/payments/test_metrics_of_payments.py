"""What payments tell the metrics: Stripe webhooks by outcome, and how long the
breaker has kept opening (payments/circuit_breaker.py), which the "breaker open for
more than a minute" alert reads across its short cool-offs."""

import time

import pytest
from django_redis import get_redis_connection

from payments import circuit_breaker
from tests.payments.test_stripe_webhook import deliver, event_for
from tests.support.metrics import counted

pytestmark = pytest.mark.django_db


def test_webhooks_count_by_outcome(client):
    before = {o: counted("bouquet_stripe_webhooks_total", outcome=o) for o in ("recorded", "duplicate", "refused")}
    event = event_for("pi_unknown", "payment_intent.succeeded", "evt_metrics_1", "succeeded")

    deliver(client, event)
    deliver(client, event)
    deliver(client, event, secret="whsec_someone_else")

    after = {o: counted("bouquet_stripe_webhooks_total", outcome=o) for o in ("recorded", "duplicate", "refused")}
    assert {outcome: after[outcome] - before[outcome] for outcome in after} == {
        "recorded": 1,
        "duplicate": 1,
        "refused": 1,
    }


def open_the_breaker(settings):
    for _ in range(settings.STRIPE_BREAKER_THRESHOLD):
        circuit_breaker.record_failure()


def test_the_breaker_counts_its_open_time_from_its_first_opening_across_cool_offs(settings, breaker_reset):
    settings.STRIPE_BREAKER_THRESHOLD, settings.STRIPE_BREAKER_COOLOFF_SECONDS = 2, 30
    assert circuit_breaker.breaker_state() == circuit_breaker.BreakerState(open=False, open_seconds=0.0)
    open_the_breaker(settings)
    # As if it had first opened 70 s ago, then its cool-off ran out and Stripe still failed.
    get_redis_connection("default").set(circuit_breaker.OPENED_AT_KEY, time.time() - 70)
    get_redis_connection("default").delete(circuit_breaker.OPEN_UNTIL_KEY)
    assert circuit_breaker.breaker_state().open is False

    open_the_breaker(settings)
    state = circuit_breaker.breaker_state()

    assert state.open and 70 <= state.open_seconds < 75


def test_a_successful_call_ends_the_outage(settings, breaker_reset):
    settings.STRIPE_BREAKER_THRESHOLD = 2
    open_the_breaker(settings)
    get_redis_connection("default").set(circuit_breaker.OPENED_AT_KEY, time.time() - 70)
    get_redis_connection("default").delete(circuit_breaker.OPEN_UNTIL_KEY)

    circuit_breaker.record_success()
    open_the_breaker(settings)

    assert circuit_breaker.breaker_state().open_seconds < 5
