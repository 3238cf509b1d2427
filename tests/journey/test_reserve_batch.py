"""Reserving a claimed batch in one transaction decides exactly what reserving its
orders one by one, oldest first, would; and a batch that fails hands its orders to
the per-order path, which counts the failure against the order at fault only."""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from inventory.factories import ProductFactory, StockFactory
from inventory.models import Reservation
from journey.runner import run_batch, run_step
from journey.steps import reserve
from orders.models import Order, OrderStatus
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import CreditAccount, Partner
from payments.models import Payment
from tests.support.journey import place, twin_orders, unchained
from tests.support.stripe import VISA, card_partner

pytestmark = pytest.mark.django_db


def outcome(order: Order, prefix: str) -> tuple:
    order.refresh_from_db()
    reservations = sorted(
        (r.order_line_id - min(order.lines.values_list("id", flat=True)), r.warehouse_id, r.quantity)
        for r in Reservation.objects.filter(order_id=order.id)
    )
    events = [
        (to, reason, detail.replace(f"{prefix}-", ""))
        for to, reason, detail in order.events.values_list("to_status", "reason", "detail")
    ]
    return order.status, order.cancel_reason, order.cancel_detail.replace(f"{prefix}-", ""), reservations, events


def test_a_batch_reserves_and_cancels_exactly_as_one_order_at_a_time_would(account_buyer, warehouses, make_product):
    placed = twin_orders(account_buyer, warehouses, make_product)

    for order in placed["ONE"]:
        reserve.reserve_one(order.id)
    reserve.reserve_batch([order.id for order in placed["BATCH"]])

    one_by_one = [outcome(order, "ONE") for order in placed["ONE"]]
    batched = [outcome(order, "BATCH") for order in placed["BATCH"]]
    assert batched == one_by_one
    assert {status for status, *_ in batched} == {OrderStatus.INVENTORY_RESERVED, OrderStatus.CANCELLED}


def reserved_and_drawn(order: Order) -> tuple:
    order.refresh_from_db()
    payment = Payment.objects.filter(order=order).values_list("method", "status", "amount").first()
    reserved = sorted(Reservation.objects.filter(order_id=order.id).values_list("warehouse_id", "quantity"))
    events = list(order.events.values_list("to_status", "reason", "detail"))
    return order.status, order.hold, payment, reserved, [(to, reason, d.split("PAY-")[-1]) for to, reason, d in events]


def test_a_batch_draws_credit_and_holds_exactly_as_one_order_at_a_time_would(warehouses, make_product):
    """Scarce stock and tight credit lines together: an order short of stock draws no
    credit, and an order past its headroom reserves no stock, so the orders after it
    may have both."""

    def on_account(code, **credit):
        partner = PartnerFactory(
            code=code, payment_method=Partner.PaymentMethod.ACCOUNT, home_warehouse=warehouses["RTM"], credit=None
        )
        if credit:
            CreditAccountFactory(partner=partner, **credit)
        return partner

    buyers = {}
    for prefix in ("O", "B"):
        make_product(f"{prefix}PAY-1", stock={warehouses["RTM"]: 60}, case_pack=1, list_price="1.00")
        buyers[prefix] = [
            on_account(f"{prefix}FERN", credit_limit="40.00"),
            on_account(f"{prefix}IRIS", credit_limit="25.00", open_balance="5.00"),
            on_account(f"{prefix}MOSS"),  # no credit row: no headroom
            card_partner(f"{prefix}BLOOM", VISA, warehouses["AMS"]),
        ]
    rng = random.Random(3)
    wishes = [(rng.randrange(4), rng.randint(1, 12)) for _ in range(16)]
    placed = {
        prefix: [place(buyers[prefix][buyer], {f"{prefix}PAY-1": quantity}) for buyer, quantity in wishes]
        for prefix in ("O", "B")
    }

    for order in placed["O"]:
        reserve.reserve_one(order.id)
    run_batch(unchained("reserve"), [order.id for order in placed["B"]])

    one_by_one = [reserved_and_drawn(order) for order in placed["O"]]
    batched = [reserved_and_drawn(order) for order in placed["B"]]
    assert batched == one_by_one
    assert {(status, hold) for status, hold, *_ in batched} == {
        (OrderStatus.INVENTORY_RESERVED, ""),
        (OrderStatus.CREATED, Order.Hold.CREDIT),
        (OrderStatus.CANCELLED, ""),
    }
    for status, hold, payment, reserved, _ in batched:
        if hold:
            assert (payment, reserved) == (None, [])
    # Each partner's balance grew by what its reserved orders drew, and by nothing else.
    for prefix in ("O", "B"):
        fern, iris, moss, _ = buyers[prefix]
        for partner, opening in ((fern, Decimal("0")), (iris, Decimal("5.00"))):
            drawn = sum(Payment.objects.filter(order__partner=partner).values_list("amount", flat=True), Decimal("0"))
            assert CreditAccount.objects.get(partner=partner).open_balance == opening + drawn
        assert not Payment.objects.filter(order__partner=moss).exists()


def test_a_batch_skips_orders_that_are_no_longer_created(account_buyer, warehouses, make_product):
    make_product("SKIP-1", stock={warehouses["RTM"]: 10}, case_pack=1, list_price="1.00")
    first, second = place(account_buyer, {"SKIP-1": 2}), place(account_buyer, {"SKIP-1": 2})
    reserve.reserve_one(first.id)

    reserve.reserve_batch([first.id, second.id])
    reserve.reserve_batch([first.id, second.id])

    assert Reservation.objects.filter(order_id__in=[first.id, second.id]).count() == 2
    for order in (first, second):
        assert list(order.events.values_list("to_status", flat=True)) == [
            OrderStatus.CREATED,
            OrderStatus.INVENTORY_RESERVED,
        ]


def test_a_failing_batch_falls_back_so_only_the_bad_order_counts_an_attempt(account_buyer, warehouses, make_product):
    make_product("FALL-1", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="1.00")
    orders = [place(account_buyer, {"FALL-1": 1}) for _ in range(5)]
    bad = orders[2]
    # A real database fault for one order: writing its reservation fails.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE FUNCTION refuse_order_{bad.id}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.order_id = {bad.id} THEN RAISE EXCEPTION 'reservation refused for this test'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_order BEFORE INSERT ON inventory_reservation
               FOR EACH ROW EXECUTE FUNCTION refuse_order_{bad.id}();
            """
        )

    assert run_step("reserve") == 5

    for order in orders:
        order.refresh_from_db()
    assert [o.status for o in orders] == [OrderStatus.INVENTORY_RESERVED] * 2 + [OrderStatus.CREATED] + [
        OrderStatus.INVENTORY_RESERVED
    ] * 2
    assert [o.attempts for o in orders] == [0, 0, 1, 0, 0]


def dated_world(prefix: str, warehouses, today) -> None:
    """Two SKUs in scarce dated lots over the warehouses: some expiring soon, some
    arriving later, some that do not perish."""
    day = datetime.timedelta(days=1)
    layout = {
        "A": [("AMS", "A1", 3, None, 2), ("AMS", "A2", 4, None, 8), ("RTM", "R1", 5, 2, 9), ("LHR", "", 3, None, None)],
        "B": [("RTM", "B1", 4, None, 4), ("RTM", "B2", 2, None, 1), ("AMS", "B3", 6, 1, 6), ("AMS", "", 2, None, None)],
    }
    for name, lots in layout.items():
        product = ProductFactory(sku=f"{prefix}-{name}", case_pack=1, list_price="1.00", min_days_at_delivery=1)
        for warehouse, code, on_hand, arrives_in, expires_in in lots:
            StockFactory(
                product=product,
                warehouse=warehouses[warehouse],
                lot=code,
                on_hand=on_hand,
                available_from=None if arrives_in is None else today + arrives_in * day,
                expires_on=None if expires_in is None else today + expires_in * day,
            )


def test_a_batch_reserves_lots_exactly_as_one_order_at_a_time_would(warehouses):
    """Orders for different dates, from partners with different freshness rules, over
    scarce dated lots: the batch takes the same lots as the per-order path."""
    today = datetime.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    rules = {"IRIS": ("AMS", None), "MOSS": ("RTM", 3), "FERN": ("RTM", 0)}
    partners = {}
    for code, (home, rule) in rules.items():
        partners[code] = PartnerFactory(
            code=code,
            payment_method=Partner.PaymentMethod.ACCOUNT,
            home_warehouse=warehouses[home],
            credit=None,
            min_days_at_delivery=rule,
        )
        CreditAccountFactory(partner=partners[code], credit_limit="5000.00")
    rng = random.Random(17)
    wishes = [
        (
            rng.choice(list(partners.values())),
            today + datetime.timedelta(days=rng.randint(1, 4)),
            {name: rng.randint(1, 4) for name in rng.sample("AB", rng.randint(1, 2))},
        )
        for _ in range(16)
    ]
    placed = {}
    for prefix in ("ONE", "BATCH"):
        dated_world(prefix, warehouses, today)
        placed[prefix] = [
            place(partner, {f"{prefix}-{n}": q for n, q in lines.items()}, requested_delivery_date=date)
            for partner, date, lines in wishes
        ]

    for order in placed["ONE"]:
        reserve.reserve_one(order.id)
    reserve.reserve_batch([order.id for order in placed["BATCH"]])

    def with_lots(order, prefix):
        lots = sorted(Reservation.objects.filter(order_id=order.id).values_list("warehouse_id", "lot", "quantity"))
        return outcome(order, prefix), lots

    one_by_one = [with_lots(order, "ONE") for order in placed["ONE"]]
    batched = [with_lots(order, "BATCH") for order in placed["BATCH"]]
    assert batched == one_by_one
    statuses = {status for (status, *_), _ in batched}
    assert statuses == {OrderStatus.INVENTORY_RESERVED, OrderStatus.CANCELLED}
    assert len({lot for _, lots in batched for _, lot, _ in lots}) >= 4
