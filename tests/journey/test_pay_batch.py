"""Starting the payments of a claimed batch in one transaction pays exactly as
starting them one by one, oldest first, would (on account, the reserve step drew the
credit already); card orders are left to the per-order path."""

import random

import pytest

from journey.runner import run_batch
from journey.steps import pay, reserve
from orders.models import Order, OrderStatus
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import CreditAccount, Partner
from payments.models import Payment
from tests.support.journey import place, unchained
from tests.support.stripe import VISA, card_partner

pytestmark = pytest.mark.django_db


def paid(order: Order) -> tuple:
    order.refresh_from_db()
    payment = Payment.objects.filter(order=order).values_list("method", "status", "amount").first()
    events = list(order.events.values_list("from_status", "to_status", "reason", "detail"))
    return (
        order.status,
        order.hold,
        payment,
        [(source, to, reason, detail.split(" (pi_")[0]) for source, to, reason, detail in events],
    )


def test_a_batch_pays_exactly_as_one_order_at_a_time_would(warehouses, make_product, breaker_reset):
    make_product("PAY-1", stock={warehouses["RTM"]: 10_000}, case_pack=1, list_price="1.00")
    buyers = {}

    def on_account(code):
        return PartnerFactory(
            code=code, payment_method=Partner.PaymentMethod.ACCOUNT, home_warehouse=warehouses["RTM"], credit=None
        )

    for prefix in ("O", "B"):
        fern, iris = on_account(f"{prefix}FERN"), on_account(f"{prefix}IRIS")
        CreditAccountFactory(partner=fern, credit_limit="40.00")
        CreditAccountFactory(partner=iris, credit_limit="25.00", open_balance="5.00")
        buyers[prefix] = [fern, iris, card_partner(f"{prefix}BLOOM", VISA, warehouses["AMS"])]
    rng = random.Random(3)
    wishes = [(rng.randrange(3), rng.randint(1, 12)) for _ in range(16)]
    placed = {}
    for prefix in ("O", "B"):
        placed[prefix] = [place(buyers[prefix][buyer], {"PAY-1": quantity}) for buyer, quantity in wishes]
        for order in placed[prefix]:
            reserve.reserve_one(order.id)

    for order in placed["O"]:
        pay.pay_one(order.id)
    run_batch(unchained("pay"), [order.id for order in placed["B"]])

    one_by_one = [paid(order) for order in placed["O"]]
    batched = [paid(order) for order in placed["B"]]
    assert batched == one_by_one
    # Past the headroom, orders were held by the reserve step; the pay step saw none.
    assert {(status, hold) for status, hold, *_ in batched} == {
        (OrderStatus.PAID, ""),
        (OrderStatus.CREATED, Order.Hold.CREDIT),
    }
    balances = {
        prefix: [CreditAccount.objects.get(partner=p).open_balance for p in buyers[prefix][:2]] for prefix in ("O", "B")
    }
    assert balances["B"] == balances["O"]


def test_a_repeated_batch_pays_each_order_once(account_buyer, warehouses, make_product):
    make_product("PAY-2", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="1.00")
    first, second = place(account_buyer, {"PAY-2": 2}), place(account_buyer, {"PAY-2": 3})
    for order in (first, second):
        reserve.reserve_one(order.id)
    pay.pay_one(first.id)

    assert pay.pay_batch([first.id, second.id]) == [first.id]
    assert pay.pay_batch([first.id, second.id]) == [first.id, second.id]

    assert CreditAccount.objects.get(partner=account_buyer).open_balance == 5
    assert Payment.objects.filter(order__in=[first, second]).count() == 2
    for order in (first, second):
        assert list(order.events.values_list("to_status", flat=True)) == [
            OrderStatus.CREATED,
            OrderStatus.INVENTORY_RESERVED,
            OrderStatus.PAYMENT_PENDING,
            OrderStatus.PAID,
        ]
