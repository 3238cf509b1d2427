"""GET /metrics (backoffice/metrics.py): the processes' counts and the series read at
scrape time, in Prometheus's text format, in four statements, and the processes'
counts still when a source is down."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from journey.signs_of_life import note_workers_alive
from orders.dead_letters import record_dead_letter, resolve_dead_letter
from orders.models import Order, OrderStatus
from payments import circuit_breaker
from tests.support.journey import place
from tests.support.metrics import samples, value_in

pytestmark = pytest.mark.django_db

EVERY_SERIES = {
    "bouquet_orders",
    "bouquet_orders_on_credit_hold",
    "bouquet_orders_estimate",
    "bouquet_oldest_unfinished_order_age_seconds",
    "bouquet_dead_letters_open",
    "bouquet_stripe_breaker_open",
    "bouquet_stripe_breaker_open_seconds",
    "bouquet_workers_last_seen_timestamp_seconds",
    "bouquet_metrics_source_up",
    "bouquet_orders_accepted_total",
    "bouquet_intake_duration_seconds_count",
    "bouquet_order_transitions_total",
    "bouquet_step_duration_seconds_count",
    "bouquet_order_accepted_to_confirmed_seconds_count",
    "bouquet_http_requests_total",
    "bouquet_requests_shed_total",
    "bouquet_stripe_webhooks_total",
}
REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


def scrape(client) -> str:
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"].startswith("text/plain; version=0.0.4")
    return answer.content.decode()


def test_a_fresh_platform_shows_every_series_and_each_label_at_zero(client):
    text = scrape(client)

    assert EVERY_SERIES <= {name for name, _ in samples(text)}
    assert value_in(text, "bouquet_orders", state="CREATED") == 0
    for step in ("reserve", "pay", "finalize", "refund"):
        assert value_in(text, "bouquet_oldest_unfinished_order_age_seconds", step=step) == 0
        assert value_in(text, "bouquet_order_transitions_total", step=step, outcome="dead_letter") == 0
    for door in ("api", "portal", "csv", "campaign"):
        assert value_in(text, "bouquet_orders_accepted_total", door=door) >= 0
    assert value_in(text, "bouquet_order_transitions_total", step="dispatch", outcome="SHIPPED") >= 0
    assert value_in(text, "bouquet_metrics_source_up", source="postgresql") == 1
    assert value_in(text, "bouquet_metrics_source_up", source="redis") == 1


def test_orders_waiting_at_each_state_and_the_oldest_waiting_at_each_step(
    client, account_buyer, warehouses, make_product
):
    make_product("ROSE-S", stock={warehouses["AMS"]: 100}, case_pack=10)
    orders = [place(account_buyer, {"ROSE-S": 10}) for _ in range(5)]
    now = timezone.now()
    Order.objects.filter(id=orders[0].id).update(updated_at=now - timedelta(minutes=10))
    # Held for a person (a credit decision): waiting, but not the steps' to move.
    Order.objects.filter(id=orders[1].id).update(updated_at=now - timedelta(hours=3), hold=Order.Hold.CREDIT)
    Order.objects.filter(id=orders[2].id).update(status=OrderStatus.PAID, updated_at=now - timedelta(minutes=2))
    Order.objects.filter(id=orders[3].id).update(status=OrderStatus.CONFIRMED, updated_at=now - timedelta(hours=9))

    text = scrape(client)

    assert {state: value_in(text, "bouquet_orders", state=state) for state in OrderStatus.values[:4]} == {
        "CREATED": 2,
        "INVENTORY_RESERVED": 0,
        "PAYMENT_PENDING": 0,
        "PAID": 1,
    }
    assert value_in(text, "bouquet_orders_on_credit_hold") == 1
    ages = {
        step: value_in(text, "bouquet_oldest_unfinished_order_age_seconds", step=step)
        for step in ("reserve", "pay", "finalize")
    }
    assert 600 <= ages["reserve"] < 660 and ages["pay"] == 0 and 120 <= ages["finalize"] < 180


def test_orders_past_the_journey_are_postgresqls_estimate(client, account_buyer, warehouses, make_product):
    make_product("ROSE-F", stock={warehouses["AMS"]: 500}, case_pack=10)
    orders = [place(account_buyer, {"ROSE-F": 10}) for _ in range(10)]
    Order.objects.filter(id__in=[o.id for o in orders[:5]]).update(status=OrderStatus.SHIPPED)
    Order.objects.filter(id__in=[o.id for o in orders[5:8]]).update(status=OrderStatus.CANCELLED)
    Order.objects.filter(id=orders[8].id).update(status=OrderStatus.CONFIRMED)
    assert value_in(scrape(client), "bouquet_orders_estimate", state="SHIPPED") == 0  # not analysed yet

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    text = scrape(client)

    assert {
        state: value_in(text, "bouquet_orders_estimate", state=state) for state in ("CONFIRMED", "SHIPPED", "CANCELLED")
    } == {  # fmt: skip
        "CONFIRMED": 1,
        "SHIPPED": 5,
        "CANCELLED": 3,
    }


def test_open_dead_letters_the_breaker_and_the_workers_last_sign_of_life(client, settings, breaker_reset):
    first = record_dead_letter(task="journey.pay", order_id=None, error="boom", attempts=6)
    record_dead_letter(task="journey.pay", order_id=None, error="boom", attempts=6)
    resolve_dead_letter(dead_letter_id=first.id, actor="backoffice")
    settings.STRIPE_BREAKER_THRESHOLD = 2
    before = scrape(client)
    for _ in range(2):
        circuit_breaker.record_failure()
    note_workers_alive()

    text = scrape(client)

    assert value_in(text, "bouquet_dead_letters_open") == 1
    assert value_in(before, "bouquet_stripe_breaker_open") == 0
    assert value_in(text, "bouquet_stripe_breaker_open") == 1
    assert 0 <= value_in(text, "bouquet_stripe_breaker_open_seconds") < 5
    assert value_in(before, "bouquet_workers_last_seen_timestamp_seconds") == 0
    assert abs(value_in(text, "bouquet_workers_last_seen_timestamp_seconds") - time.time()) < 5


def test_a_scrape_is_four_statements_however_many_orders(
    client, account_buyer, warehouses, make_product, django_assert_num_queries
):
    make_product("ROSE-Q", stock={warehouses["AMS"]: 500}, case_pack=10)
    for count in (0, 20):
        for _ in range(count):
            place(account_buyer, {"ROSE-Q": 10})
        # open orders by state and step, refunds due, finished estimate, dead letters
        with django_assert_num_queries(4):
            scrape(client)


def test_with_redis_down_the_processes_counts_are_still_answered(client):
    with override_settings(CACHES=REDIS_DOWN):
        text = scrape(client)

    assert value_in(text, "bouquet_metrics_source_up", source="redis") == 0
    assert value_in(text, "bouquet_metrics_source_up", source="postgresql") == 1
    assert "bouquet_stripe_breaker_open" not in {name for name, _ in samples(text)}
    assert value_in(text, "bouquet_orders_accepted_total", door="api") >= 0
