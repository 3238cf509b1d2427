"""The price rule: a partner's quantity breaks over the product's list price, and the
catalogue's prices built from it."""

from decimal import Decimal

import pytest

from inventory.factories import ProductFactory
from partners.factories import PartnerFactory, PartnerPriceFactory
from partners.pricing import catalogue_prices, price_for_quantity

LIST_PRICE = Decimal("0.80")
BREAKS = [(1, Decimal("0.70")), (100, Decimal("0.60")), (500, Decimal("0.50"))]


@pytest.mark.parametrize(
    ("quantity", "price"),
    [
        (1, "0.70"),
        (99, "0.70"),  # one below a break: the break before it
        (100, "0.60"),  # exactly at a break: that break
        (499, "0.60"),
        (500, "0.50"),
        (1_000_000, "0.50"),  # past the last break: the last one
    ],
)
def test_the_highest_break_reached_sets_the_price(quantity, price):
    assert price_for_quantity(BREAKS, quantity, LIST_PRICE) == Decimal(price)


def test_below_the_first_break_the_list_price_applies():
    breaks = [(50, Decimal("0.60")), (200, Decimal("0.55"))]

    assert price_for_quantity(breaks, 49, LIST_PRICE) == LIST_PRICE
    assert price_for_quantity(breaks, 50, LIST_PRICE) == Decimal("0.60")


def test_without_breaks_the_list_price_applies():
    assert price_for_quantity([], 10, LIST_PRICE) == LIST_PRICE


@pytest.mark.django_db
def test_the_catalogue_prices_one_case_and_lists_the_breaks_in_one_query(django_assert_num_queries):
    fern = PartnerFactory(code="FERN")
    rose = ProductFactory(sku="ROSE", case_pack=50, min_order_qty=100, list_price=LIST_PRICE)
    tulip = ProductFactory(sku="TULIP", case_pack=10, list_price=Decimal("0.30"))
    PartnerPriceFactory(partner=fern, product=rose, min_quantity=1, unit_price=Decimal("0.70"))
    PartnerPriceFactory(partner=fern, product=rose, min_quantity=50, unit_price=Decimal("0.65"))
    PartnerPriceFactory(partner=fern, product=rose, min_quantity=500, unit_price=Decimal("0.50"))
    PartnerPriceFactory(partner=PartnerFactory(code="IVY"), product=tulip, min_quantity=1, unit_price=Decimal("0.10"))

    with django_assert_num_queries(1):
        prices = catalogue_prices(products=[rose, tulip], partner=fern)

    # `price` is the price of one case (50), not of the smallest orderable quantity (100).
    assert prices[rose.id] == (Decimal("0.65"), [(1, Decimal("0.70")), (50, Decimal("0.65")), (500, Decimal("0.50"))])
    # Another partner's price is not FERN's: the list price, no breaks.
    assert prices[tulip.id] == (Decimal("0.30"), [])


@pytest.mark.django_db
def test_staff_see_list_prices_without_a_query(django_assert_num_queries):
    rose = ProductFactory(sku="ROSE", case_pack=50, list_price=LIST_PRICE)
    PartnerPriceFactory(partner=PartnerFactory(code="FERN"), product=rose, min_quantity=1, unit_price=Decimal("0.70"))

    with django_assert_num_queries(0):
        assert catalogue_prices(products=[rose], partner=None) == {rose.id: (LIST_PRICE, [])}
        assert catalogue_prices(products=[], partner=PartnerFactory.build(code="FERN")) == {}
