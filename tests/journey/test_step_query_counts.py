"""The journey's hot paths, pinned by their number of SQL statements, so a regression
(a query per line, a forgotten select_related) shows up in `make test`. The counts
include the savepoints the test's own transaction adds around each atomic block."""

import pytest

from orders.journey import handlers
from orders.journey.steps import STEPS, claim_orders
from tests.conftest import place

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_line_order(account_buyer, warehouses, make_product):
    for sku in ("Q-1", "Q-2", "Q-3"):
        make_product(sku, stock={warehouses["RTM"]: 100, warehouses["AMS"]: 100}, case_pack=1, list_price="1.00")
    return place(account_buyer, {"Q-1": 5, "Q-2": 5, "Q-3": 5})


def test_claiming_a_batch_is_one_statement(three_line_order, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert claim_orders(STEPS["reserve"], limit=50) == [three_line_order.id]


def test_reserving_costs_the_same_for_three_lines_as_for_one(three_line_order, django_assert_num_queries):
    with django_assert_num_queries(11):
        handlers.reserve_order(three_line_order.id)


def test_paying_on_account_is_pinned(three_line_order, django_assert_num_queries):
    handlers.reserve_order(three_line_order.id)
    with django_assert_num_queries(8):
        handlers.pay_order(three_line_order.id)


def test_finalizing_is_pinned(three_line_order, django_assert_num_queries):
    handlers.reserve_order(three_line_order.id)
    handlers.pay_order(three_line_order.id)
    with django_assert_num_queries(9):
        handlers.finalize_order(three_line_order.id)
