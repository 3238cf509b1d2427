"""Disputes: a `charge.dispute.created` event, once the mirror reads it, marks the
order's payment as disputed, shows in the admin and counts in /metrics."""

import time

import pytest
from djstripe.models import Charge, Dispute

from orders.models import OrderStatus
from payments.mirror import mirror_waiting_events, prepare_mirror
from payments.models import Payment
from tests.payments.test_stripe_webhook import deliver
from tests.support.admin import change_url
from tests.support.journey import drive_journey, place
from tests.support.metrics import counted
from tests.support.stripe import stand_in_events_about

pytestmark = pytest.mark.django_db
DISPUTES = "bouquet_stripe_disputes_opened_total"


@pytest.fixture
def mirrored_card_order(client, card_buyer, warehouses, make_product):
    make_product("ROSE-DISPUTE", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-DISPUTE": 10})
    drive_journey()
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    intent_id = Payment.objects.get(order=order).stripe_payment_intent_id
    for event in stand_in_events_about({card_buyer.stripe_customer_id, intent_id}):
        deliver(client, event)
    prepare_mirror()
    mirror_waiting_events()
    return order


def dispute_event(event_id: str, dispute_id: str, charge: Charge, *, name_the_intent: bool = True) -> dict:
    """A `charge.dispute.created` event as Stripe sends it (the stand-in makes none)."""
    dispute = {
        "id": dispute_id,
        "object": "dispute",
        "amount": int(charge.amount * 100),
        "currency": "eur",
        "charge": charge.id,
        "payment_intent": charge.payment_intent_id if name_the_intent else None,
        "balance_transaction": "txn_dispute_withdrawal",
        "balance_transactions": [],
        "created": int(time.time()),
        "livemode": False,
        "metadata": {},
        "reason": "fraudulent",
        "status": "needs_response",
        "is_charge_refundable": False,
        "evidence": {},
        "evidence_details": {"due_by": int(time.time()) + 7 * 86400, "has_evidence": False},
    }
    return {
        "id": event_id,
        "object": "event",
        "type": "charge.dispute.created",
        "api_version": "2017-08-15",
        "created": int(time.time()),
        "data": {"object": dispute},
    }


def test_a_dispute_marks_the_payment_shows_in_the_admin_and_counts_in_metrics(
    client, admin_client, mirrored_card_order, django_capture_on_commit_callbacks
):
    order = mirrored_card_order
    payment = Payment.objects.get(order=order)
    charge = Charge.objects.get(payment_intent_id=payment.stripe_payment_intent_id)
    before = counted(DISPUTES)

    deliver(client, dispute_event("evt_dispute_1", "dp_first", charge))
    with django_capture_on_commit_callbacks(execute=True):
        batch = mirror_waiting_events()

    assert (batch.mirrored, batch.failed) == (1, 0)
    payment.refresh_from_db()
    assert payment.disputed_at is not None and payment.stripe_dispute_id == "dp_first"
    assert payment.status == Payment.Status.SUCCEEDED  # the journey's status is left as it was
    assert Dispute.objects.get(id="dp_first").charge_id == charge.id
    assert counted(DISPUTES) == before + 1

    disputed_list = admin_client.get("/admin/payments/payment/?disputed=yes").content.decode()
    assert order.number in disputed_list
    assert order.number not in admin_client.get("/admin/payments/payment/?disputed=no").content.decode()
    order_page = admin_client.get(change_url(order)).content.decode()
    assert "dp_first" in order_page
    assert (
        'id="health-disputed-count" class="health-count-alert">1</strong>'
        in admin_client.get("/admin/").content.decode()
    )

    # A second dispute event for the same payment keeps the first mark and is not counted again.
    deliver(client, dispute_event("evt_dispute_2", "dp_second", charge))
    with django_capture_on_commit_callbacks(execute=True):
        mirror_waiting_events()
    payment.refresh_from_db()
    assert payment.stripe_dispute_id == "dp_first"
    assert counted(DISPUTES) == before + 1


def test_a_dispute_naming_only_its_charge_finds_the_payment_through_the_mirrored_charge(client, mirrored_card_order):
    payment = Payment.objects.get(order=mirrored_card_order)
    charge = Charge.objects.get(payment_intent_id=payment.stripe_payment_intent_id)

    deliver(client, dispute_event("evt_dispute_old_api", "dp_old_api", charge, name_the_intent=False))
    mirror_waiting_events()

    payment.refresh_from_db()
    assert payment.stripe_dispute_id == "dp_old_api"
