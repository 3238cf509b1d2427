"""The database itself refuses stock, products and warehouses that break the model's
rules, whatever code writes them (docs/DESIGN.md invariant 2)."""

import pytest

from inventory.factories import ProductFactory, StockFactory, WarehouseFactory
from inventory.models import Stock
from tests.support.database import refused

pytestmark = pytest.mark.django_db


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


def test_warehouse_codes_are_unique():
    WarehouseFactory(code="AMS")
    assert refused(lambda: WarehouseFactory._meta.model.objects.create(code="AMS", name="Aalsmeer again"))
