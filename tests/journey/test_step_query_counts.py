"""The journey's hot paths, pinned by their number of SQL statements, so a regression
(a query per line, a forgotten select_related) shows up in `make test`. The counts
include the savepoints the test's own transaction adds around each atomic block."""

import datetime

import pytest

from fulfillment.models import Shipment
from inventory.models import Reservation
from journey import chain
from journey.runner import STEPS, claim_orders
from journey.steps import finalize, pay, reserve
from orders.models import Order
from tests.support.journey import place

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)

# Locking the orders, reading their lines, locking the stock rows, updating them,
# inserting reservations and movements, one transition, and two savepoints with
# their releases.
BATCH_RESERVE_STATEMENTS = 11

# On account, the credit is drawn where the stock is reserved (issue 14: an order past
# its headroom must hold no stock): locking the partners' credit rows, adding the
# draws and inserting the payments that record them are three more. The pay step
# does those three fewer, so an on-account order's journey costs what it did.
BATCH_RESERVE_ON_ACCOUNT_STATEMENTS = BATCH_RESERVE_STATEMENTS + 3

# Locking the orders, reading their reservations with their warehouses' state,
# inserting shipments and shipment lines, one transition, and a savepoint with its
# release.
BATCH_FINALIZE_STATEMENTS = 7

# Locking the orders with their payments, two transitions, and a savepoint with its
# release (the credit was drawn, and its payment written, by the reserve step).
BATCH_PAY_ON_ACCOUNT_STATEMENTS = 5


@pytest.fixture
def three_line_order(account_buyer, warehouses, make_product):
    for sku in ("Q-1", "Q-2", "Q-3"):
        make_product(sku, stock={warehouses["RTM"]: 100, warehouses["AMS"]: 100}, case_pack=1, list_price="1.00")
    return place(account_buyer, {"Q-1": 5, "Q-2": 5, "Q-3": 5})


def test_claiming_a_batch_is_one_statement(three_line_order, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert claim_orders(STEPS["reserve"], limit=50) == [three_line_order.id]


def test_reserving_costs_the_same_for_three_lines_as_for_one(three_line_order, django_assert_num_queries):
    # 11 as for a card order, plus drawing the credit (one conditional UPDATE) and
    # inserting the payment that records it.
    with django_assert_num_queries(13):
        reserve.reserve_one(three_line_order.id)


def test_reserving_card_orders_draws_no_credit_and_costs_what_it_did(
    card_buyer, three_line_order, django_assert_num_queries
):
    order, *twenty = [place(card_buyer, {"Q-1": 1, "Q-2": 2, "Q-3": 3}) for _ in range(21)]
    with django_assert_num_queries(11):
        reserve.reserve_one(order.id)
    with django_assert_num_queries(BATCH_RESERVE_STATEMENTS):
        assert reserve.reserve_batch([o.id for o in twenty]) == []


def test_paying_on_account_is_pinned(three_line_order, django_assert_num_queries):
    reserve.reserve_one(three_line_order.id)
    # Its credit was drawn when reserving: lock, two transitions, a savepoint pair.
    with django_assert_num_queries(5):
        pay.pay_one(three_line_order.id)


def test_finalizing_is_pinned(three_line_order, django_assert_num_queries):
    reserve.reserve_one(three_line_order.id)
    pay.pay_one(three_line_order.id)
    with django_assert_num_queries(9):
        finalize.finalize_one(three_line_order.id)


def test_reserving_a_batch_costs_the_same_for_one_order_as_for_twenty(
    three_line_order, account_buyer, django_assert_num_queries
):
    twenty = [place(account_buyer, {"Q-1": 1, "Q-2": 2, "Q-3": 3}) for _ in range(20)]

    with django_assert_num_queries(BATCH_RESERVE_ON_ACCOUNT_STATEMENTS):
        reserve.reserve_batch([three_line_order.id])
    with django_assert_num_queries(BATCH_RESERVE_ON_ACCOUNT_STATEMENTS):
        reserve.reserve_batch([order.id for order in twenty])

    for order in [three_line_order, *twenty]:
        order.refresh_from_db()
        assert order.status == "INVENTORY_RESERVED"


def test_reserving_a_batch_over_dated_lots_costs_the_same_for_one_order_as_for_twenty(
    account_buyer, warehouses, make_product, django_assert_num_queries
):
    """Lots add rows to lock, not statements: lines split over lots and warehouses,
    orders for different dates, still the constant of one lot per warehouse."""
    today = datetime.date.today()
    for sku in ("L-1", "L-2"):
        make_product(
            sku,
            case_pack=1,
            list_price="1.00",
            lots=[
                {"warehouse": warehouses[w], "lot": f"{w}-{days}", "on_hand": 9, "expires_on": today + days * DAY}
                for w in ("RTM", "AMS")
                for days in (5, 9, 30)
            ],
        )
    first = place(account_buyer, {"L-1": 10, "L-2": 3})
    twenty = [
        place(
            account_buyer, {"L-1": 1, "L-2": 2}, requested_delivery_date=first.requested_delivery_date + (i % 3) * DAY
        )
        for i in range(20)
    ]

    with django_assert_num_queries(BATCH_RESERVE_ON_ACCOUNT_STATEMENTS):
        reserve.reserve_batch([first.id])
    with django_assert_num_queries(BATCH_RESERVE_ON_ACCOUNT_STATEMENTS):
        reserve.reserve_batch([order.id for order in twenty])

    assert Order.objects.filter(status="INVENTORY_RESERVED").count() == 21
    assert Reservation.objects.filter(order_id=first.id).count() == 3  # L-1 over two lots


def test_a_batch_with_orders_short_of_stock_adds_two_statements_however_many(
    account_buyer, warehouses, make_product, django_assert_num_queries
):
    make_product("Q-SCARCE", stock={warehouses["RTM"]: 3}, case_pack=1, list_price="1.00")
    orders = [place(account_buyer, {"Q-SCARCE": 1}) for _ in range(20)]

    # The SKUs short are looked up, and the cancellations are a second transition.
    with django_assert_num_queries(BATCH_RESERVE_ON_ACCOUNT_STATEMENTS + 2):
        reserve.reserve_batch([order.id for order in orders])

    statuses = [order.status for order in Order.objects.filter(id__in=[o.id for o in orders]).order_by("id")]
    assert statuses == ["INVENTORY_RESERVED"] * 3 + ["CANCELLED"] * 17


def test_finalizing_a_batch_costs_the_same_for_one_order_as_for_twenty(
    three_line_order, account_buyer, django_assert_num_queries
):
    # The last is split over two warehouses, so it has two shipments.
    twenty = [place(account_buyer, {"Q-1": 1, "Q-2": 2, "Q-3": 3}) for _ in range(19)] + [
        place(account_buyer, {"Q-1": 150})
    ]
    for order in [three_line_order, *twenty]:
        reserve.reserve_one(order.id)
        pay.pay_one(order.id)

    with django_assert_num_queries(BATCH_FINALIZE_STATEMENTS):
        assert finalize.finalize_batch([three_line_order.id]) == []
    with django_assert_num_queries(BATCH_FINALIZE_STATEMENTS):
        assert finalize.finalize_batch([order.id for order in twenty]) == []

    for order in [three_line_order, *twenty]:
        order.refresh_from_db()
        assert order.status == "CONFIRMED"
    assert Shipment.objects.filter(order=twenty[-1]).count() == 2


def test_paying_a_batch_on_account_costs_the_same_for_one_order_as_for_twenty(
    three_line_order, account_buyer, django_assert_num_queries
):
    twenty = [place(account_buyer, {"Q-1": 1, "Q-2": 2, "Q-3": 3}) for _ in range(20)]
    for order in [three_line_order, *twenty]:
        reserve.reserve_one(order.id)

    with django_assert_num_queries(BATCH_PAY_ON_ACCOUNT_STATEMENTS):
        assert pay.pay_batch([three_line_order.id]) == []
    with django_assert_num_queries(BATCH_PAY_ON_ACCOUNT_STATEMENTS):
        assert pay.pay_batch([order.id for order in twenty]) == []

    for order in [three_line_order, *twenty]:
        order.refresh_from_db()
        assert order.status == "PAID"


# The chained pass (journey.chain), an on-account batch from CREATED to CONFIRMED in one
# transaction: the batch reserve (less its savepoint pair, one transaction now) without
# its transition, then finalizing without locking again (reading reservations,
# inserting shipments and their lines), and one statement writing the four moves as
# they fold (orders.transitions.folded_moves: each order's row once, four events).
CHAINED_ON_ACCOUNT_STATEMENTS = BATCH_RESERVE_ON_ACCOUNT_STATEMENTS - 1 + 3 + 1

# A card batch: reserving in the first transaction, which starts the payments too
# (inserting the payments; its two moves fold into the reserve's one statement);
# then, around the Stripe calls, taking the Stripe call locks, reading the payments,
# storing the PaymentIntents' ids; one
# transaction recording the answers (locking the orders, marking the payments, one
# transition, a savepoint pair) and finalizing them in it, without locking them again
# (in a savepoint pair of its own); letting go of the locks. Less the test's
# savepoints, 20 statements for a batch of 50 where each order alone took 15 or 16.
FINALIZE_WHILE_RECORDING_STATEMENTS = BATCH_FINALIZE_STATEMENTS - 1
CHAINED_CARD_STATEMENTS = BATCH_RESERVE_STATEMENTS + 1 + 3 + 5 + FINALIZE_WHILE_RECORDING_STATEMENTS + 1


def test_an_on_account_batch_goes_from_created_to_confirmed_in_one_pass_costing_the_same_for_one_as_for_twenty(
    three_line_order, account_buyer, django_assert_num_queries
):
    twenty = [place(account_buyer, {"Q-1": 1, "Q-2": 2, "Q-3": 3}) for _ in range(20)]

    with django_assert_num_queries(CHAINED_ON_ACCOUNT_STATEMENTS):
        assert chain.reserve_and_go_on([three_line_order.id]) == []
    with django_assert_num_queries(CHAINED_ON_ACCOUNT_STATEMENTS):
        assert chain.reserve_and_go_on([order.id for order in twenty]) == []

    assert {order.status for order in Order.objects.all()} == {"CONFIRMED"}


def test_a_card_batch_goes_from_created_to_confirmed_in_one_pass_costing_the_same_for_one_as_for_twenty(
    card_buyer, three_line_order, django_assert_num_queries
):
    first, *twenty = [place(card_buyer, {"Q-1": 1, "Q-2": 2, "Q-3": 3}) for _ in range(21)]

    with django_assert_num_queries(CHAINED_CARD_STATEMENTS):
        assert chain.reserve_and_go_on([first.id]) == []
    with django_assert_num_queries(CHAINED_CARD_STATEMENTS):
        assert chain.reserve_and_go_on([order.id for order in twenty]) == []

    assert {order.status for order in Order.objects.exclude(id=three_line_order.id)} == {"CONFIRMED"}


def test_the_pay_step_charges_a_card_batch_costing_the_same_for_one_as_for_twenty(
    card_buyer, three_line_order, django_assert_num_queries
):
    first, *twenty = [place(card_buyer, {"Q-1": 1, "Q-2": 2, "Q-3": 3}) for _ in range(21)]
    reserve.reserve_batch([order.id for order in [first, *twenty]])

    # Locking the orders with their payments, one transition, inserting the payments and
    # a savepoint pair; then charging and finalizing as the chained pass does.
    with django_assert_num_queries(5 + 3 + 5 + FINALIZE_WHILE_RECORDING_STATEMENTS + 1):
        assert chain.pay_and_go_on([first.id]) == []
    with django_assert_num_queries(5 + 3 + 5 + FINALIZE_WHILE_RECORDING_STATEMENTS + 1):
        assert chain.pay_and_go_on([order.id for order in twenty]) == []

    assert {order.status for order in Order.objects.exclude(id=three_line_order.id)} == {"CONFIRMED"}
