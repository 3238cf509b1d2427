"""The world the role matrices call every door in: FERN on account, a product with
stock in Aalsmeer and a price for FERN, and an order FERN's buyer placed."""

from decimal import Decimal

import pytest

from partners.factories import MembershipFactory, PartnerPriceFactory, UserFactory
from partners.models import Membership
from tests.support.journey import place


@pytest.fixture
def world(account_buyer, warehouses, make_product):
    product = make_product(
        "RO-MATRIX", case_pack=10, list_price=Decimal("1.00"), stock={warehouses["AMS"]: 1000, warehouses["RTM"]: 1000}
    )
    PartnerPriceFactory(partner=account_buyer, product=product, min_quantity=1, unit_price=Decimal("0.90"))
    buyer = MembershipFactory(partner=account_buyer, user=UserFactory(username="fern-buyer")).user
    admin = MembershipFactory(
        partner=account_buyer, user=UserFactory(username="fern-admin"), role=Membership.Role.ADMIN
    ).user
    order = place(account_buyer, {"RO-MATRIX": 10}, user=buyer, po_number="PO-MATRIX")
    return {"partner": account_buyer, "product": product, "buyer": buyer, "admin": admin, "order": order}
