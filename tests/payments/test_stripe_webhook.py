"""Stripe's webhook: signatures enforced, each event id handled once, and events that
arrive twice, late or out of order change nothing."""

import hashlib
import hmac
import json
import threading
import time

import pytest
from django.conf import settings
from django.db import connections

from journey.steps import pay
from orders.models import OrderStatus
from payments.models import Payment, StripeEvent
from payments.stand_in import register_webhook
from tests.support.journey import drive_journey, place, run_step_alone
from tests.support.stripe import payment_intent_left_by_a_dead_worker, payment_intents_for_order

WEBHOOK_URL = "/payments/stripe/webhook/"


def signed(payload: dict, secret: str | None = None, *, age_seconds: int = 0) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = int(time.time()) - age_seconds
    digest = hmac.new(
        (secret or settings.STRIPE_WEBHOOK_SECRET).encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return body, f"t={timestamp},v1={digest}"


def event_for(intent_id: str, event_type: str, event_id: str, status: str) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "api_version": "2017-08-15",
        "created": int(time.time()),
        "data": {"object": {"id": intent_id, "object": "payment_intent", "status": status}},
    }


def deliver(client, payload: dict, secret: str | None = None, *, age_seconds: int = 0):
    body, signature = signed(payload, secret, age_seconds=age_seconds)
    return client.post(WEBHOOK_URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


@pytest.fixture
def paid_card_order(card_buyer, warehouses, make_product):
    make_product("ROSE-WH", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-WH": 10})
    run_step_alone("reserve")
    run_step_alone("pay")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


@pytest.mark.django_db
def test_a_bad_signature_is_refused_and_nothing_is_recorded(client, paid_card_order):
    intent_id = Payment.objects.get(order=paid_card_order).stripe_payment_intent_id

    answer = deliver(
        client, event_for(intent_id, "payment_intent.succeeded", "evt_forged", "succeeded"), secret="whsec_wrong"
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_signature"
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_a_signature_made_ten_minutes_ago_is_refused_and_nothing_is_recorded(client, paid_card_order):
    intent_id = Payment.objects.get(order=paid_card_order).stripe_payment_intent_id

    answer = deliver(
        client, event_for(intent_id, "payment_intent.succeeded", "evt_old", "succeeded"), age_seconds=10 * 60
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_signature"
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_a_replayed_event_is_handled_once(client, paid_card_order):
    intent_id = Payment.objects.get(order=paid_card_order).stripe_payment_intent_id
    event = event_for(intent_id, "payment_intent.succeeded", "evt_replayed", "succeeded")

    first, second = deliver(client, event), deliver(client, event)
    drive_journey()

    assert (first.json()["status"], second.json()["status"]) == ("recorded", "duplicate")
    assert StripeEvent.objects.filter(id="evt_replayed").count() == 1
    paid_card_order.refresh_from_db()
    assert paid_card_order.status == OrderStatus.CONFIRMED
    assert paid_card_order.events.filter(to_status=OrderStatus.PAID).count() == 1


@pytest.mark.django_db
def test_a_late_failure_event_after_success_changes_nothing(client, paid_card_order):
    intent_id = Payment.objects.get(order=paid_card_order).stripe_payment_intent_id

    deliver(client, event_for(intent_id, "payment_intent.payment_failed", "evt_late_fail", "requires_payment_method"))
    deliver(client, event_for(intent_id, "payment_intent.succeeded", "evt_success", "succeeded"))
    drive_journey()

    paid_card_order.refresh_from_db()
    assert paid_card_order.status == OrderStatus.CONFIRMED
    assert Payment.objects.get(order=paid_card_order).status == Payment.Status.SUCCEEDED
    assert len(payment_intents_for_order(paid_card_order)) == 1


@pytest.mark.django_db
def test_a_webhook_for_an_order_that_moved_on_costs_one_statement_and_wakes_nothing(
    client, paid_card_order, django_assert_num_queries
):
    from django_q.brokers import get_broker

    intent_id = Payment.objects.get(order=paid_card_order).stripe_payment_intent_id
    queued = get_broker().queue_size()

    # record the event and make the order waiting on the PaymentIntent due (none waits)
    with django_assert_num_queries(1):
        answer = deliver(client, event_for(intent_id, "payment_intent.succeeded", "evt_usual", "succeeded"))

    assert answer.json()["status"] == "recorded"
    assert get_broker().queue_size() == queued


@pytest.mark.django_db
def test_the_webhook_finishes_a_payment_whose_worker_died_after_confirming(
    client, card_buyer, warehouses, make_product
):
    make_product("ROSE-DIED", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-DIED": 10})
    run_step_alone("reserve")
    intent_id = payment_intent_left_by_a_dead_worker(order, card_buyer, confirmed=True)

    deliver(client, event_for(intent_id, "payment_intent.succeeded", "evt_after_crash", "succeeded"))
    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert len(payment_intents_for_order(order)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_webhook_racing_the_confirm_call_gives_one_paid_and_one_charge(client, card_buyer, warehouses, make_product):
    make_product("ROSE-RACE", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-RACE": 10})
    run_step_alone("reserve")
    pay.start_payment(order.id)

    def webhook_side():
        try:
            for _ in range(200):
                intent_id = (
                    Payment.objects.filter(order=order).values_list("stripe_payment_intent_id", flat=True).first()
                )
                if intent_id:
                    deliver(client, event_for(intent_id, "payment_intent.succeeded", "evt_race", "succeeded"))
                    try:
                        pay.pay_one(order.id)
                    except pay.PaymentBusyError:
                        pass
                    return
                time.sleep(0.005)
        finally:
            connections.close_all()

    racer = threading.Thread(target=webhook_side)
    racer.start()
    pay.pay_one(order.id)
    racer.join()
    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.events.filter(to_status=OrderStatus.PAID).count() == 1
    [intent] = payment_intents_for_order(order)
    assert intent["status"] == "succeeded"


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_stand_in_delivers_signed_events_that_the_endpoint_accepts(
    live_server, card_buyer, warehouses, make_product
):
    register_webhook(url=f"{live_server.url}{WEBHOOK_URL}")
    make_product("ROSE-LIVE", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-LIVE": 10})
    run_step_alone("reserve")
    run_step_alone("pay")
    intent_id = Payment.objects.get(order=order).stripe_payment_intent_id

    deadline = time.monotonic() + 30  # delivered about 1 s later; CI machines are slower
    while time.monotonic() < deadline and not StripeEvent.objects.filter(payment_intent_id=intent_id).exists():
        time.sleep(0.2)

    event = StripeEvent.objects.get(payment_intent_id=intent_id)
    assert event.type == "payment_intent.succeeded"
