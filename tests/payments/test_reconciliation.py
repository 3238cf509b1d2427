"""The nightly reconciliation: what the Stripe stand-in holds for the last day against
our payments, each difference in the admin's "Are we OK?" panel."""

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from payments import gateway
from payments.models import Payment, ReconciliationFinding, ReconciliationRun
from payments.reconciliation import reconcile
from tests.support.journey import drive_journey, place

pytestmark = pytest.mark.django_db
Kind = ReconciliationFinding.Kind


@pytest.fixture
def since():
    """This test's window: the stand-in lives for the whole run, and Stripe's `created`
    counts seconds, so wait for the next second to leave earlier tests' charges out."""
    started = time.time()
    time.sleep(1.05)
    return datetime.fromtimestamp(int(started), tz=UTC)


@pytest.fixture
def paid_order(since, card_buyer, warehouses, make_product):
    make_product("ROSE-RECON", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-RECON": 10})
    drive_journey()
    return order


def charge_made_behind_our_back(buyer) -> str:
    """A PaymentIntent created and confirmed at the stand-in directly: no order, no
    payment of ours. Returns its charge's id."""
    intent = gateway.create_payment_intent(
        amount=Decimal("42.50"),
        currency="EUR",
        customer_id=buyer.stripe_customer_id,
        payment_method_id=buyer.stripe_payment_method_id,
        idempotency_key=f"behind-our-back-{buyer.code}",
        metadata={},
    )
    confirmed = gateway.confirm_payment_intent(intent["id"], idempotency_key=f"behind-our-back-{buyer.code}-confirm")
    return (
        confirmed["latest_charge"] if isinstance(confirmed["latest_charge"], str) else confirmed["latest_charge"]["id"]
    )


def findings_of(run) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for finding in run.findings.all():
        found.setdefault(finding.kind, set()).add(finding.stripe_id)
    return found


def test_the_reconciliation_reports_a_charge_the_stand_in_has_but_we_do_not(
    admin_client, since, paid_order, card_buyer
):
    stray_charge = charge_made_behind_our_back(card_buyer)

    run = reconcile(since=since)

    assert not run.error
    assert run.charges_checked >= 2
    # Our own order's charge matches its payment: only the stray one is reported.
    assert findings_of(run) == {Kind.CHARGE_WITHOUT_ORDER: {stray_charge}}
    [finding] = run.findings.all()
    assert "42.50 EUR" in finding.detail and "no payment of ours" in finding.detail

    panel = admin_client.get("/admin/").content.decode()
    assert 'id="health-reconciliation-findings" class="health-count-alert">1</strong>' in panel
    run_page = admin_client.get(f"/admin/payments/reconciliationrun/{run.id}/change/").content.decode()
    assert stray_charge in run_page


def test_a_refund_not_recorded_and_an_amount_that_differs_are_reported(since, paid_order):
    payment = Payment.objects.get(order=paid_order)
    refund_id = gateway.refund_payment_intent(
        payment.stripe_payment_intent_id, idempotency_key="refund-behind-our-back"
    )
    Payment.objects.filter(id=payment.id).update(amount=payment.amount + 1)

    run = reconcile(since=since)

    found = findings_of(run)
    assert found[Kind.REFUND_NOT_RECORDED] == {refund_id}
    assert len(found[Kind.AMOUNT_DIFFERS]) == 1
    assert run.findings.get(kind=Kind.AMOUNT_DIFFERS).payment_id == payment.id


def test_a_refund_recorded_on_its_payment_is_not_reported(since, paid_order):
    payment = Payment.objects.get(order=paid_order)
    refund_id = gateway.refund_payment_intent(payment.stripe_payment_intent_id, idempotency_key="refund-recorded")
    Payment.objects.filter(id=payment.id).update(status=Payment.Status.REFUNDED, stripe_refund_id=refund_id)

    assert Kind.REFUND_NOT_RECORDED not in findings_of(reconcile(since=since))


def test_a_stripe_that_cannot_be_listed_is_the_runs_error_shown_in_the_panel(admin_client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    run = reconcile()

    assert run.error.startswith("Stripe could not be listed")
    assert "failed: Stripe could not be listed" in admin_client.get("/admin/").content.decode()


def test_the_reconciliation_runs_nightly_and_by_hand(capsys, paid_order):
    schedule = Schedule.objects.get(name="bouquet-stripe-reconciliation")
    assert (schedule.func, schedule.schedule_type, schedule.cluster) == (
        "payments.tasks.reconcile_last_day",
        Schedule.DAILY,
        "bouquet-imports",
    )

    call_command("reconcile_stripe", "--hours", "1")

    run = ReconciliationRun.objects.get()
    assert run.charges_checked >= 1 and not run.error
    assert f"Checked {run.charges_checked} charge(s)" in capsys.readouterr().out
