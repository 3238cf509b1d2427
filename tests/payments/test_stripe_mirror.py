"""The Stripe mirror: dj-stripe's rows written from the events our webhook stored, off
the webhook's path (no Stripe call there, one statement), paused at peak without the
journey noticing, and an event it cannot read recorded as failed without blocking."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_redis import get_redis_connection
from djstripe.models import Charge, Customer, PaymentIntent, PaymentMethod

from config import intake_minutes
from orders.models import OrderStatus
from payments.mirror import EventArrivals, mirror_paused, mirror_waiting_events, orders_taken_lately, prepare_mirror
from payments.models import Payment, StripeEvent
from tests.payments.test_stripe_webhook import deliver
from tests.support.admin import change_url
from tests.support.journey import drive_journey, place
from tests.support.stripe import stand_in_events_about, stand_in_requests_served

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed_card_order(card_buyer, warehouses, make_product):
    make_product("ROSE-MIRROR", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-MIRROR": 10})
    drive_journey()
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    return order


def events_of(order) -> list[dict]:
    """What the stand-in sent about this order's customer and PaymentIntent."""
    intent_id = Payment.objects.get(order=order).stripe_payment_intent_id
    events = stand_in_events_about({order.partner.stripe_customer_id, intent_id})
    assert {e["type"] for e in events} >= {"customer.created", "payment_intent.succeeded"}
    return events


def test_the_mirror_rows_appear_after_the_webhook_with_no_stripe_call_on_its_path(
    client, admin_client, confirmed_card_order, django_assert_num_queries
):
    order = confirmed_card_order
    events = events_of(order)
    before = stand_in_requests_served()

    for event in events:
        # record the event and, for a PaymentIntent's, make the order waiting on it due (none waits)
        with django_assert_num_queries(1):
            assert deliver(client, event).json()["status"] == "recorded"

    assert stand_in_requests_served() == before  # the webhook asked Stripe nothing
    assert not Customer.objects.exists() and not PaymentIntent.objects.exists()

    prepare_mirror()
    batch = mirror_waiting_events()

    assert (batch.mirrored, batch.failed) == (len(events), 0)
    payment = Payment.objects.get(order=order)
    intent = PaymentIntent.objects.get(id=payment.stripe_payment_intent_id)
    assert intent.customer_id == order.partner.stripe_customer_id
    assert intent.payment_method_id == order.partner.stripe_payment_method_id
    assert Customer.objects.filter(id=order.partner.stripe_customer_id).exists()
    assert PaymentMethod.objects.filter(id=order.partner.stripe_payment_method_id).exists()
    [charge] = Charge.objects.filter(payment_intent=intent)
    assert charge.amount == payment.amount
    # The one call the mirror made: the card, which no event carries whole.
    after = stand_in_requests_served()
    assert after["total"] - before["total"] == 1, str(after["by_kind"])
    assert after["by_kind"]["GET payment_methods"] - before["by_kind"].get("GET payment_methods", 0) == 1
    assert not StripeEvent.objects.filter(mirrored_at__isnull=True).exists()

    customer = Customer.objects.get(id=order.partner.stripe_customer_id)
    partner_page = admin_client.get(change_url(order.partner)).content.decode()
    assert f'<a href="{change_url(customer)}">{customer.id}</a>' in partner_page
    order_page = admin_client.get(change_url(order)).content.decode()
    assert f'<a href="{change_url(intent)}">{intent.id}</a>' in order_page
    assert f'<a href="{change_url(charge)}">{charge.id}</a>' in order_page
    assert admin_client.get(change_url(intent)).status_code == 200
    assert admin_client.get(change_url(charge)).status_code == 200


def test_pausing_the_mirror_leaves_the_journey_unaffected_and_the_events_wait(
    client, card_buyer, warehouses, make_product, settings
):
    settings.STRIPE_MIRROR = {**settings.STRIPE_MIRROR, "NICENESS": 0}  # the command nices its process, here pytest's
    call_command("stripe_mirror", "pause")
    assert mirror_paused()
    make_product("ROSE-PAUSE", stock={warehouses["AMS"]: 100}, case_pack=10)
    orders = [place(card_buyer, {"ROSE-PAUSE": 10}) for _ in range(3)]

    drive_journey()
    for event in [e for order in orders for e in events_of(order)]:
        deliver(client, event)

    assert {o.status for o in type(orders[0]).objects.filter(id__in=[o.id for o in orders])} == {OrderStatus.CONFIRMED}
    prepare_mirror()
    assert mirror_waiting_events().paused
    waiting = StripeEvent.objects.filter(mirrored_at__isnull=True).count()
    assert waiting >= 4 and not PaymentIntent.objects.exists()

    call_command("stripe_mirror", "resume")
    call_command("run_stripe_mirror", "--once")

    assert not StripeEvent.objects.filter(mirrored_at__isnull=True).exists()
    intents = Payment.objects.filter(order__in=orders).values_list("stripe_payment_intent_id", flat=True)
    assert PaymentIntent.objects.filter(id__in=list(intents)).count() == 3


def test_an_event_the_mirror_cannot_read_is_recorded_as_failed_and_the_next_ones_are_mirrored(
    client, confirmed_card_order
):
    unreadable = [
        {"id": "evt_no_object", "object": "event", "type": "payment_intent.succeeded", "data": {}},
        {
            "id": "evt_no_id",
            "object": "event",
            "type": "charge.succeeded",
            "data": {"object": {"object": "charge", "amount": 100}},
        },
        {
            "id": "evt_bad_amount",
            "object": "event",
            "type": "payment_intent.created",
            "data": {"object": {"id": "pi_bad", "object": "payment_intent", "amount": "lots", "created": "soon"}},
        },
    ]
    for event in unreadable + events_of(confirmed_card_order):
        deliver(client, event)
    prepare_mirror()

    batch = mirror_waiting_events(batch_size=50)

    assert batch.failed == 3 and batch.mirrored >= 2
    failed = dict(StripeEvent.objects.exclude(mirror_error="").values_list("id", "mirror_error"))
    assert set(failed) == {"evt_no_object", "evt_no_id", "evt_bad_amount"}
    for event_id, reason in failed.items():
        assert reason.startswith(f"event {event_id}: ")
    assert "data.object" in failed["evt_no_object"]
    assert PaymentIntent.objects.filter(
        id=Payment.objects.get(order=confirmed_card_order).stripe_payment_intent_id
    ).exists()
    assert not StripeEvent.objects.filter(mirrored_at__isnull=True).exists()


def test_an_event_waits_while_stripe_cannot_be_reached_for_what_its_payload_lacks(
    client, confirmed_card_order, settings
):
    for event in events_of(confirmed_card_order):
        deliver(client, event)
    reachable = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    prepare_mirror()
    try:
        batch = mirror_waiting_events()  # the PaymentIntent names a card no event carried
    finally:
        settings.STRIPE_API_BASE = reachable
        prepare_mirror()  # the SDK's address is module-wide: give it back to the other tests

    assert batch.deferred == 1 and batch.failed == 0
    waiting = StripeEvent.objects.get(mirrored_at__isnull=True)
    assert waiting.type == "payment_intent.succeeded" and waiting.mirror_error == ""
    assert not PaymentIntent.objects.exists()


def stored_events(count: int, *, seconds_ago: float = 0) -> None:
    """`count` stored events of a kind the mirror skips, received `seconds_ago`."""
    received = timezone.now() - timedelta(seconds=seconds_ago)
    StripeEvent.objects.bulk_create(
        StripeEvent(
            id=f"evt_peak_{seconds_ago}_{n}",
            type="balance.available",
            payload={"id": f"evt_peak_{seconds_ago}_{n}", "data": {"object": {"id": f"bal_{n}", "object": "balance"}}},
            received_at=received,
        )
        for n in range(count)
    )


def test_at_a_peak_of_events_the_mirror_waits_for_a_quiet_moment_but_never_past_its_lag(settings):
    # 60 a minute: 10 in the mirror's window of 10 s
    settings.STRIPE_MIRROR = {**settings.STRIPE_MIRROR, "PEAK_EVENTS_PER_MINUTE": 60, "MAX_LAG_SECONDS": 600}
    arrivals = EventArrivals()
    stored_events(9)
    assert mirror_waiting_events(arrivals=arrivals).skipped == 9  # below the peak's pace: mirrored at once

    stored_events(2, seconds_ago=1)  # with the 9 it has just mirrored, 11 in the last 10 s
    batch = mirror_waiting_events(arrivals=arrivals)
    assert batch.waiting_for_quiet and batch.handled == 0
    assert StripeEvent.objects.filter(mirrored_at__isnull=True).count() == 2

    later = timezone.now() + timedelta(seconds=11)  # quiet for a window
    assert not arrivals.at_peak(later)

    stored_events(20, seconds_ago=5)
    stored_events(1, seconds_ago=601)  # waiting longer than the mirror may lag
    assert mirror_waiting_events(arrivals=arrivals, batch_size=50).skipped == 23


def test_at_a_peak_of_orders_without_events_the_mirror_waits_too(settings):
    settings.STRIPE_MIRROR = {**settings.STRIPE_MIRROR, "PEAK_ORDERS_PER_MINUTE": 50, "MAX_LAG_SECONDS": 600}
    arrivals = EventArrivals()
    stored_events(3, seconds_ago=30)
    now = timezone.now()
    minute = int(now.timestamp()) // 60 * 60
    redis = get_redis_connection("default")
    redis.hset(intake_minutes.minute_key(minute - 60), mapping={"api:0.01": 40, "portal:0.05": 9})
    assert orders_taken_lately(now) == 49 and not arrivals.at_peak(now)

    redis.hincrby(intake_minutes.minute_key(minute), "api:0.01", 50)  # intake alone at a peak: no events
    assert orders_taken_lately(now) == 50
    batch = mirror_waiting_events(arrivals=arrivals)
    assert batch.waiting_for_quiet and StripeEvent.objects.filter(mirrored_at__isnull=True).count() == 3
