"""The audit finds each kind of broken promise, and finds nothing on a clean run."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from backoffice.audit import AuditReport, check_payments, run_audit
from inventory.models import Stock
from orders.models import Order, OrderEvent
from tests.support.journey import drive_journey, place
from tests.support.stripe import payment_intents_for_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed_card_order(card_buyer, warehouses, make_product):
    make_product("AUDIT-1", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"AUDIT-1": 20})
    drive_journey()
    order.refresh_from_db()
    assert order.status == "CONFIRMED"
    return order


def test_a_clean_journey_passes(confirmed_card_order):
    report = run_audit(with_stripe=False)
    check_payments(report, payment_intents_for_order(confirmed_card_order))
    assert report.passed, report.as_dict()
    out = io.StringIO()
    call_command("audit", "--no-stripe", stdout=out)
    assert '"passed": true' in out.getvalue()


def test_finds_a_stock_row_its_ledger_disagrees_with(confirmed_card_order):
    # A write behind every service's back (the database's checks keep rows from being
    # oversold, so the ledger is what such a write breaks).
    Stock.objects.filter(product__sku="AUDIT-1").update(on_hand=5000)

    findings = run_audit(with_stripe=False).findings

    assert findings["ledger"] == ["stock AUDIT-1@AMS: row 5000/20, ledger sums 100/20"]
    Stock.objects.filter(product__sku="AUDIT-1").update(on_hand=100)  # for the autouse ledger check


def test_finds_a_lot_whose_reserved_units_its_reservations_do_not_hold(confirmed_card_order):
    Stock.objects.filter(product__sku="AUDIT-1").update(reserved=25)

    findings = run_audit(with_stripe=False).findings

    assert findings["reservations"] == ["stock AUDIT-1@AMS: reserved 25, active reservations hold 20"]
    Stock.objects.filter(product__sku="AUDIT-1").update(reserved=20)


def test_finds_a_reservation_its_lot_can_no_longer_serve(card_buyer, warehouses, make_product):
    lot = {"warehouse": warehouses["AMS"], "lot": "A2711-12", "on_hand": 100}
    make_product("AUDIT-LOT", case_pack=10, lots=[lot])
    order = place(card_buyer, {"AUDIT-LOT": 20})
    drive_journey()
    # Dates changed behind the version-checked write's back (it refuses this: lot_in_use).
    Stock.objects.filter(lot="A2711-12").update(expires_on=order.requested_delivery_date - datetime.timedelta(days=1))

    findings = run_audit(with_stripe=False).findings

    assert findings["unfit_lots"] == [
        f"stock AUDIT-LOT@AMS lot A2711-12: reserved for order id {order.id}, "
        f"delivery {order.requested_delivery_date}, needs 0 days"
    ]


def test_finds_an_event_path_the_state_machine_forbids(confirmed_card_order):
    OrderEvent.objects.filter(order=confirmed_card_order, to_status="PAID").delete()

    findings = run_audit(with_stripe=False).findings

    assert findings["invalid_paths"] == [
        f"order {confirmed_card_order.number} has the step PAID -> CONFIRMED after PAYMENT_PENDING"
    ]


def test_finds_an_order_that_stopped_moving(confirmed_card_order, warehouses, make_product, account_buyer):
    make_product("AUDIT-2", stock={warehouses["RTM"]: 10}, case_pack=1, list_price="1.00")
    stuck = place(account_buyer, {"AUDIT-2": 1})
    Order.objects.filter(id=stuck.id).update(updated_at="2000-01-01T00:00:00Z")

    with pytest.raises(CommandError):
        call_command("audit", "--no-stripe", stdout=io.StringIO())
    assert [f.split()[1] for f in run_audit(with_stripe=False).findings["lost"]] == [stuck.number]


def test_finds_two_charges_for_one_order_and_a_charge_without_a_paid_order(confirmed_card_order):
    order_id = str(confirmed_card_order.id)
    report = AuditReport()
    check_payments(
        report,
        [
            {"id": "pi_a", "status": "succeeded", "metadata": {"order_id": order_id}},
            {"id": "pi_b", "status": "succeeded", "metadata": {"order_id": order_id}},
        ],
    )
    assert report.findings["double_charges"] == [
        f"order {confirmed_card_order.number}: 2 successful PaymentIntents ['pi_a', 'pi_b']"
    ]

    Order.objects.filter(id=confirmed_card_order.id).update(status="CANCELLED")
    report = AuditReport()
    check_payments(report, [{"id": "pi_a", "status": "succeeded", "metadata": {"order_id": order_id}}])
    assert report.findings["charged_unpaid"] == [
        f"order {confirmed_card_order.number} is CANCELLED (payment succeeded) but was charged"
    ]
