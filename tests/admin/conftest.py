"""Fixtures of the back-office tests: a staff clerk's client, a credit-held order, and the demo routes."""

from datetime import time
from decimal import Decimal

import pytest

from orders.models import Order, OrderStatus
from partners.factories import UserFactory
from tests.support.journey import drive_journey, place


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def rose(make_product, warehouses):
    """A rose at 10.00 a stem, 1,000 in Rotterdam (FERN's home) and 200 in Aalsmeer."""
    return make_product(
        "RO-RED-50", list_price=Decimal("10.00"), case_pack=10, stock={warehouses["RTM"]: 1000, warehouses["AMS"]: 200}
    )


@pytest.fixture
def held_order(account_buyer, rose) -> Order:
    """A FERN order of 6,000.00 against a 5,000.00 limit: on credit hold, before
    reserving any stock."""
    order = place(account_buyer, {rose.sku: 600}, po_number="PO-HOLD-1")
    drive_journey()
    order.refresh_from_db()
    assert (order.status, order.hold) == (OrderStatus.CREATED, Order.Hold.CREDIT)
    return order


@pytest.fixture
def reserved_order(held_order) -> Order:
    """The held order, released by the back office and driven on: 600 roses reserved
    in Rotterdam, waiting for dispatch."""
    from orders.credit_holds import release_credit_hold

    release_credit_hold(order_id=held_order.id, actor="backoffice")
    drive_journey()
    held_order.refresh_from_db()
    assert held_order.status == OrderStatus.CONFIRMED
    return held_order


@pytest.fixture
def routes(warehouses):
    """The demo world's routes: AMS-NL Mon-Sat by 14:00 the day before, RTM-NL Mon-Fri
    by 12:00, LHR-UK (London) Tue and Fri by 10:00 two days before."""
    from fulfillment.factories import RouteFactory

    made = [
        ("AMS-NL", "AMS", [1, 2, 3, 4, 5, 6], time(14), 1),
        ("RTM-NL", "RTM", [1, 2, 3, 4, 5], time(12), 1),
        ("LHR-UK", "LHR", [2, 5], time(10), 2),
    ]
    return {
        code: RouteFactory(
            code=code,
            name=f"{code} trucks",
            warehouse=warehouses[warehouse],
            delivery_weekdays=weekdays,
            order_by_time=order_by_time,
            lead_days=lead_days,
        )
        for code, warehouse, weekdays, order_by_time, lead_days in made
    }
