"""The database itself refuses orders and keys that break the model's rules, whatever
code writes them (the uniqueness that idempotency relies on, order numbers, line
quantities). Stock's own constraints: tests/inventory/test_constraints.py."""

import pytest

from orders.factories import IdempotencyRecordFactory, OrderFactory, OrderLineFactory
from partners.factories import PartnerFactory
from tests.support.database import refused

pytestmark = pytest.mark.django_db


def test_idempotency_key_is_unique_per_partner():
    first = IdempotencyRecordFactory(key="order-2025-0001")
    assert refused(lambda: IdempotencyRecordFactory(partner=first.partner, key="order-2025-0001"))


def test_the_same_idempotency_key_is_fine_for_another_partner():
    IdempotencyRecordFactory(key="order-2025-0001")
    other_partner = PartnerFactory()
    assert not refused(lambda: IdempotencyRecordFactory(partner=other_partner, key="order-2025-0001"))


def test_order_numbers_are_unique():
    first = OrderFactory()
    assert first.number  # numbered by the database sequence
    assert refused(lambda: OrderFactory(partner=first.partner, number=first.number))


def test_orders_are_numbered_apart():
    first, second = OrderFactory(), OrderFactory()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.number != second.number


def test_order_line_refuses_a_quantity_of_zero():
    assert refused(lambda: OrderLineFactory(quantity=0))


def test_order_line_refuses_a_negative_quantity():
    line = OrderLineFactory()
    assert refused(lambda: type(line).objects.filter(pk=line.pk).update(quantity=-10))
