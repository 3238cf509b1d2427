"""A stateful property-based test: orders, steps, stock writes, cancellations, webhook
redeliveries and dispatches in random interleavings, against the real database and the
Stripe stand-in, with the audit's invariants checked after every step."""

import itertools

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from backoffice.audit import (
    AuditReport,
    check_event_paths,
    check_payments,
    check_stock,
    stripe_payment_intents,
)
from config.errors import DomainError
from fulfillment.models import Shipment
from inventory.factories import ProductFactory, StockFactory, WarehouseFactory
from inventory.models import Stock
from inventory.stock_sync import set_on_hand
from journey.payment_events import record_event_and_make_due
from journey.runner import STEPS, run_all_steps, run_step
from orders.cancellation import cancel_order
from orders.dispatch import confirm_dispatch
from orders.intake import place_order
from orders.models import Order
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import Partner
from payments import circuit_breaker
from payments.models import Payment
from tests.support.stripe import VISA, card_partner

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SKU_NAMES = ("A", "B", "C")
# Every example builds its own world inside the one test transaction: names get the
# example's number.
EXAMPLES = itertools.count(1)


class JourneyMachine(RuleBasedStateMachine):
    @initialize()
    def world(self):
        circuit_breaker.reset()
        n = next(EXAMPLES)
        warehouses = [WarehouseFactory(code=f"H{code}{n}", priority=i) for i, code in enumerate("AB", start=1)]
        self.warehouses = warehouses
        self.skus = [f"HYP-{name}{n}" for name in SKU_NAMES]
        self.products = [ProductFactory(sku=sku, case_pack=1, list_price="10.00") for sku in self.skus]
        for product in self.products:
            for warehouse in warehouses:
                StockFactory(product=product, warehouse=warehouse, on_hand=6)
        account = PartnerFactory(
            code=f"HYP-ACC{n}", payment_method=Partner.PaymentMethod.ACCOUNT, home_warehouse=warehouses[0], credit=None
        )
        CreditAccountFactory(partner=account, credit_limit="150.00")
        self.partners = [account, card_partner(f"HYP-CARD{n}", VISA, warehouses[1])]
        self.orders: list[int] = []

    @rule(
        partner=st.integers(0, 1), lines=st.dictionaries(st.integers(0, 2), st.integers(1, 5), min_size=1, max_size=3)
    )
    def place(self, partner, lines):
        result = place_order(
            partner=self.partners[partner], lines=[{"sku": self.skus[i], "quantity": q} for i, q in lines.items()]
        )
        self.orders.append(result.order.id)

    @rule(step=st.sampled_from(sorted(STEPS)))
    def run_a_step(self, step):
        run_step(step, time_budget=5)

    @rule(pick=st.integers(0, 10**6))
    def cancel(self, pick):
        if self.orders:
            try:
                cancel_order(order_id=self.orders[pick % len(self.orders)], reason="hypothesis", actor="test")
            except DomainError as refused:
                assert refused.code == "not_cancellable"

    @rule(pick=st.integers(0, 5), on_hand=st.integers(0, 12))
    def erp_sets_stock(self, pick, on_hand):
        rows = Stock.objects.select_related("product", "warehouse").filter(product__in=self.products).order_by("id")
        stock = rows[pick % rows.count()]
        try:
            set_on_hand(
                product=stock.product,
                warehouse=stock.warehouse,
                on_hand=on_hand,
                expected_version=stock.version,
                actor="erp",
            )
        except DomainError as refused:
            assert refused.code == "on_hand_below_reserved" and on_hand < stock.reserved

    @rule(pick=st.integers(0, 10**6))
    def stripe_redelivers(self, pick):
        intents = list(
            Payment.objects.filter(order_id__in=self.orders)
            .exclude(stripe_payment_intent_id=None)
            .values_list("stripe_payment_intent_id", flat=True)
        )
        if intents:
            intent = intents[pick % len(intents)]
            record_event_and_make_due(
                event_id=f"evt_{pick}", event_type="payment_intent.succeeded", payment_intent_id=intent, payload="{}"
            )

    @rule(pick=st.integers(0, 10**6))
    def warehouse_dispatches(self, pick):
        pending = list(
            Shipment.objects.filter(order_id__in=self.orders, status=Shipment.Status.PENDING).values_list(
                "id", flat=True
            )
        )
        if pending:
            confirm_dispatch(shipment_id=pending[pick % len(pending)], tracking_number=f"T{pick}", actor="wms")

    @rule(pick=st.integers(0, 1))
    def warehouse_closes_or_opens(self, pick):
        warehouse = self.warehouses[pick]
        warehouse.is_open = not warehouse.is_open
        warehouse.save(update_fields=["is_open"])

    def teardown(self):
        """Let time pass until nothing is due: every order of the example must then be
        final, confirmed (waiting for the warehouse) or held for a person."""
        if not getattr(self, "orders", None):
            return
        for warehouse in self.warehouses:
            warehouse.is_open = True
            warehouse.save(update_fields=["is_open"])
        circuit_breaker.reset()
        for _ in range(6):
            Order.objects.filter(id__in=self.orders).update(next_attempt_at=timezone.now())
            run_all_steps(time_budget=5)
        waiting = Order.objects.filter(
            id__in=self.orders, hold="", status__in=["CREATED", "INVENTORY_RESERVED", "PAYMENT_PENDING", "PAID"]
        )
        assert not waiting.exists(), list(waiting.values_list("number", "status", "attempts"))
        self.promises_hold()

    @invariant()
    def promises_hold(self):
        if not hasattr(self, "orders"):
            return
        report = AuditReport()
        check_stock(report)
        check_event_paths(report)
        # PaymentIntents of this example's orders (the stand-in also holds other tests').
        ours = {str(order_id) for order_id in self.orders}
        customer = self.partners[1].stripe_customer_id
        charged = Payment.objects.filter(order_id__in=self.orders).exclude(stripe_payment_intent_id=None).exists()
        intents = [
            pi
            for pi in (stripe_payment_intents() or [] if charged else [])
            if (pi.get("metadata") or {}).get("order_id") in ours and pi.get("customer") == customer
        ]
        check_payments(report, intents)
        assert report.passed, report.as_dict()


JourneyMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def test_random_interleavings_keep_every_promise(db):
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(JourneyMachine, settings=JourneyMachine.TestCase.settings)

    # The machine really drove orders through the journey, not around it.
    reached = set(Order.objects.filter(partner__code__startswith="HYP-").values_list("status", flat=True))
    assert "CONFIRMED" in reached or "SHIPPED" in reached, reached
