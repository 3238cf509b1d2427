"""Finalizing a claimed batch in one transaction makes exactly the shipments, events
and ledger rows that finalizing its orders one by one, oldest first, would; orders
holding stock in a warehouse that closed are left to the per-order path, which
re-routes or cancels them."""

import pytest

from fulfillment.models import Shipment
from inventory.models import Product, Reservation, Stock, StockMovement
from inventory.stock_sync import set_on_hand
from journey.runner import STEPS, run_batch
from journey.steps import finalize, pay, reserve
from orders.models import Order, OrderStatus
from tests.support.journey import PATH_TO_CONFIRMED, place, twin_orders

pytestmark = pytest.mark.django_db


def finalized(order: Order, prefix: str) -> tuple:
    """What finalizing left of the order, with ids made relative and SKUs unprefixed,
    so two worlds built alike compare equal."""
    order.refresh_from_db()
    first_line = min(order.lines.values_list("id", flat=True))
    reservations = {
        r.id: (r.order_line_id - first_line, r.warehouse_id, r.quantity, r.status)
        for r in Reservation.objects.filter(order_id=order.id)
    }
    shipments = [
        (
            s.warehouse_id,
            s.status,
            [
                (
                    line.order_line_id - first_line,
                    line.product.sku.removeprefix(f"{prefix}-"),
                    line.quantity,
                    reservations[line.reservation_id],
                )
                for line in s.lines.select_related("product")
            ],
        )
        for s in Shipment.objects.filter(order=order)
    ]
    ledger = [
        (
            m.kind,
            m.product.sku.removeprefix(f"{prefix}-"),
            m.warehouse_id,
            m.on_hand_delta,
            m.reserved_delta,
            m.actor,
            m.note.replace(order.number, "#"),
        )
        for m in StockMovement.objects.filter(order_id=order.id).select_related("product")
    ]
    events = [
        (source, to, reason, detail.replace(f"{prefix}-", ""))
        for source, to, reason, detail in order.events.values_list("from_status", "to_status", "reason", "detail")
    ]
    return order.status, order.cancel_reason, order.cancel_detail.replace(f"{prefix}-", ""), shipments, ledger, events


def test_a_batch_finalizes_exactly_as_one_order_at_a_time_would(account_buyer, warehouses, make_product):
    placed = twin_orders(account_buyer, warehouses, make_product)
    for prefix in ("ONE", "BATCH"):
        for order in placed[prefix]:
            reserve.reserve_one(order.id)
            pay.pay_one(order.id)
        # A late receipt at RTM, so that some orders re-route and others cannot.
        for name in "AB":
            product = Product.objects.get(sku=f"{prefix}-{name}")
            stock = Stock.objects.filter(product=product, warehouse=warehouses["RTM"]).first()
            set_on_hand(
                product=product,
                warehouse=warehouses["RTM"],
                on_hand=(stock.on_hand if stock else 0) + 4,
                expected_version=stock.version if stock else 0,
                actor="test",
            )
    warehouses["LHR"].is_open = False
    warehouses["LHR"].save()

    for order in placed["ONE"]:
        finalize.finalize_one(order.id)
    run_batch(STEPS["finalize"], [order.id for order in placed["BATCH"]])

    one_by_one = [finalized(order, "ONE") for order in placed["ONE"]]
    batched = [finalized(order, "BATCH") for order in placed["BATCH"]]
    assert batched == one_by_one
    # The worlds cover each way through finalize: straight on, re-routed, cancelled.
    assert {(status, reason) for status, reason, *_ in batched} >= {
        (OrderStatus.CONFIRMED, ""),
        (OrderStatus.CANCELLED, "warehouse_unavailable"),
    }
    assert any(kind == "reserve" and actor == "reroute" for *_, ledger, _ in batched for kind, *_, actor, _ in ledger)


def test_orders_reserved_in_a_closed_warehouse_are_left_untouched_for_the_per_order_path(
    account_buyer, warehouses, make_product
):
    make_product("FIN-1", stock={warehouses["RTM"]: 10}, case_pack=1, list_price="1.00")
    make_product("FIN-2", stock={warehouses["LHR"]: 10, warehouses["AMS"]: 10}, case_pack=1, list_price="1.00")
    straight, closed = place(account_buyer, {"FIN-1": 2}), place(account_buyer, {"FIN-1": 1, "FIN-2": 3})
    for order in (straight, closed):
        reserve.reserve_one(order.id)
        pay.pay_one(order.id)
    Reservation.objects.filter(order_id=closed.id, product__sku="FIN-2").update(warehouse=warehouses["LHR"])
    warehouses["LHR"].is_open = False
    warehouses["LHR"].save()

    assert finalize.finalize_batch([straight.id, closed.id]) == [closed.id]

    straight.refresh_from_db()
    closed.refresh_from_db()
    assert (straight.status, closed.status) == (OrderStatus.CONFIRMED, OrderStatus.PAID)
    assert not Shipment.objects.filter(order=closed).exists()


def test_a_repeated_batch_skips_orders_that_are_no_longer_paid(account_buyer, warehouses, make_product):
    make_product("FIN-3", stock={warehouses["RTM"]: 10, warehouses["AMS"]: 1}, case_pack=1, list_price="1.00")
    first, second = place(account_buyer, {"FIN-3": 2}), place(account_buyer, {"FIN-3": 9})
    for order in (first, second):
        reserve.reserve_one(order.id)
        pay.pay_one(order.id)
    finalize.finalize_one(first.id)

    finalize.finalize_batch([first.id, second.id])
    finalize.finalize_batch([first.id, second.id])

    assert sorted(Shipment.objects.filter(order__in=[first, second]).values_list("order_id", "warehouse__code")) == [
        (first.id, "RTM"),
        (second.id, "AMS"),
        (second.id, "RTM"),
    ]
    for order in (first, second):
        assert list(order.events.values_list("to_status", flat=True)) == PATH_TO_CONFIRMED
