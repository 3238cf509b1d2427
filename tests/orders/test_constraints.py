"""The database itself refuses rows that break the model's rules, whatever code
writes them (docs/DESIGN.md invariant 2 and the uniqueness that idempotency relies on)."""

import pytest
from django.db import IntegrityError, transaction

from inventory.factories import ProductFactory, StockFactory, WarehouseFactory
from inventory.models import Stock
from orders.factories import IdempotencyRecordFactory, OrderFactory, OrderLineFactory
from partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def refused(make) -> bool:
    """Whether the database rejects what `make` writes (the attempt is rolled back)."""
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_stock_refuses_more_reserved_than_on_hand():
    stock = StockFactory(on_hand=10)
    assert refused(lambda: Stock.objects.filter(pk=stock.pk).update(reserved=11))
    assert not refused(lambda: Stock.objects.filter(pk=stock.pk).update(reserved=10))
    Stock.objects.filter(pk=stock.pk).update(reserved=0)  # keep the ledger true for the autouse check


def test_stock_refuses_negative_reserved():
    stock = StockFactory(on_hand=10)
    assert refused(lambda: Stock.objects.filter(pk=stock.pk).update(reserved=-1))


def test_stock_refuses_negative_on_hand():
    stock = StockFactory(on_hand=0)
    assert refused(lambda: Stock.objects.filter(pk=stock.pk).update(on_hand=-1))


def test_stock_refuses_a_second_row_for_one_product_and_warehouse():
    stock = StockFactory(on_hand=0)
    assert refused(lambda: Stock.objects.create(product=stock.product, warehouse=stock.warehouse))


def test_product_refuses_a_case_pack_of_zero():
    assert refused(lambda: ProductFactory(case_pack=0))


def test_product_refuses_a_negative_case_pack():
    product = ProductFactory()
    # PositiveIntegerField has its own check; the named constraint must hold too.
    assert refused(lambda: type(product).objects.filter(pk=product.pk).update(case_pack=-5))


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


def test_warehouse_codes_are_unique():
    WarehouseFactory(code="AMS")
    assert refused(lambda: WarehouseFactory._meta.model.objects.create(code="AMS", name="Aalsmeer again"))
