"""The benchmark's world has weeks of shipped orders (devdata/bench_history.py), so that
PostgreSQL plans the run's statements for tables in service, not for empty ones."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db.models import Count, Sum

from devdata.bench_history import ensure_order_history
from devdata.bench_world import build_bench_world
from fulfillment.models import Shipment
from orders.models import Order, OrderEvent, OrderLine, OrderStatus
from orders.states import MOVED_BY_STEPS
from payments.models import Payment
from tests.support.routes import amsterdam

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 16)


@pytest.fixture
def history(breaker_reset):
    with time_machine.travel(amsterdam(TODAY.year, TODAY.month, TODAY.day, 9, 0), tick=False):
        build_bench_world(partners=3, skus=20, history=60)
    return Order.objects.filter(po_number__startswith="HIST-")


def test_history_is_shipped_orders_of_past_delivery_dates_each_with_its_lines_payment_shipment_and_journey(history):
    assert history.count() == 60
    assert set(history.values_list("status", flat=True)) == {OrderStatus.SHIPPED}
    assert history.filter(requested_delivery_date__gte=TODAY).count() == 0
    assert history.filter(requested_delivery_date__lt=TODAY - timedelta(days=56)).count() == 0
    assert not history.filter(number="").exists()
    for order in history.annotate(line_count=Count("lines"), summed=Sum("lines__line_total")):
        assert 1 <= order.line_count <= 3
        assert order.total == order.summed
    assert Payment.objects.filter(order__in=history, status="succeeded").count() == 60
    assert Shipment.objects.filter(order__in=history, status="dispatched").count() == 60
    journeys = OrderEvent.objects.filter(order__in=history).values("order").annotate(n=Count("id"))
    assert {row["n"] for row in journeys} == {6}


def test_history_is_added_once_and_never_waits_for_a_step(history):
    lines = OrderLine.objects.filter(order__in=history).count()

    assert ensure_order_history(orders=60) == 60
    assert OrderLine.objects.filter(order__in=history).count() == lines
    assert not Order.objects.filter(po_number__startswith="HIST-", status__in=MOVED_BY_STEPS).exists()


def test_card_partners_history_names_payment_intents_of_its_own(history):
    # Never asked of the stand-in: they only fill the table the webhook looks up.
    intents = list(
        Payment.objects.filter(order__in=history, method="card").values_list("stripe_payment_intent_id", flat=True)
    )
    assert intents
    assert all(intent.startswith("pi_history_") for intent in intents)
    assert not Payment.objects.filter(order__in=history, method="account", stripe_payment_intent_id__isnull=False)
