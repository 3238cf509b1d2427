"""The catalogue offers the smallest quantity intake accepts: the minimum rounded up to
whole cases, never a minimum that is not a multiple of the case pack."""

from decimal import Decimal

import pytest

from inventory.factories import ProductFactory
from orders.models import CartLine
from partners.factories import PartnerPriceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def peony(account_buyer):
    """Cases of 10 with a minimum of 15: the smallest order intake takes is 20."""
    product = ProductFactory(
        sku="PEONY-PNK", name="Pink peony", case_pack=10, min_order_qty=15, list_price=Decimal("1.20")
    )
    PartnerPriceFactory(partner=account_buyer, product=product, min_quantity=1, unit_price=Decimal("1.00"))
    PartnerPriceFactory(partner=account_buyer, product=product, min_quantity=20, unit_price=Decimal("0.90"))
    return product


def test_the_first_price_row_and_the_default_quantity_are_whole_cases_over_the_minimum(portal, peony):
    page = portal.get("/catalogue/", {"q": "PEONY"}).content.decode()

    assert 'min="20" step="10" value="20"' in page
    assert "from 15" not in page
    # The first row is the price of those 20: the break at 20 applies.
    assert page.index("from 20") < page.index("€ 0.90 / stem")
    assert "€ 1.00 / stem" not in page


def test_the_quantity_offered_is_one_intake_accepts(portal, buyer, peony):
    page = portal.get("/catalogue/", {"q": "PEONY"}).content.decode()
    offered = page.split('name="quantity"', 1)[1].split('value="', 1)[1].split('"', 1)[0]

    response = portal.post("/cart/add/", {"sku": "PEONY-PNK", "quantity": offered})

    assert response.status_code == 302
    assert CartLine.objects.get(cart__user=buyer).quantity == 20
