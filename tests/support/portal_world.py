"""The portal's world, as fixtures: FERN (on account) with a buyer signed in through
the test client, two ship-to addresses, a few products with stock and prices, and
IVY's user. The portal's tests and the bad-input tests both start from it, so it is a
plugin that tests/conftest.py loads rather than one folder's conftest."""

from decimal import Decimal

import pytest

from partners.factories import (
    MembershipFactory,
    PartnerFactory,
    PartnerPriceFactory,
    ShipToAddressFactory,
    UserFactory,
)


@pytest.fixture
def buyer(account_buyer):
    user = UserFactory(username="fernbuyer")
    MembershipFactory(user=user, partner=account_buyer)
    return user


@pytest.fixture
def ship_tos(account_buyer):
    return [
        ShipToAddressFactory(partner=account_buyer, label="Garden centre", is_default=True),
        ShipToAddressFactory(partner=account_buyer, label="Market stall", city="Delft"),
    ]


@pytest.fixture
def products(warehouses, make_product, account_buyer):
    """ROSE: case of 10, plenty in stock, FERN's own price with a break at 100;
    TULIP: case of 50, minimum 100, low stock; GONE: inactive; FERNLEAF: out of stock."""
    rose = make_product(
        "ROSE-RED",
        name="Red rose 60 cm",
        category="roses",
        case_pack=10,
        list_price=Decimal("0.80"),
        stock={warehouses["AMS"]: 500, warehouses["RTM"]: 300},
    )
    tulip = make_product(
        "TULIP-YEL",
        name="Yellow tulip",
        category="tulips",
        case_pack=50,
        min_order_qty=100,
        list_price=Decimal("0.30"),
        stock={warehouses["RTM"]: 200},
    )
    gone = make_product(
        "GONE-1",
        name="Discontinued lily",
        category="lilies",
        case_pack=10,
        active=False,
        list_price=Decimal("2.00"),
        stock={warehouses["AMS"]: 100},
    )
    fernleaf = make_product(
        "FERN-LEAF", name="Leatherleaf fern", category="greens", case_pack=20, list_price=Decimal("0.15")
    )
    PartnerPriceFactory(partner=account_buyer, product=rose, min_quantity=1, unit_price=Decimal("0.70"))
    PartnerPriceFactory(partner=account_buyer, product=rose, min_quantity=100, unit_price=Decimal("0.60"))
    return {"rose": rose, "tulip": tulip, "gone": gone, "fernleaf": fernleaf}


@pytest.fixture
def portal(client, buyer):
    """The test client, signed in as FERN's buyer."""
    client.force_login(buyer)
    return client


@pytest.fixture
def other_partner_user(warehouses):
    partner = PartnerFactory(code="IVY", home_warehouse=warehouses["AMS"])
    user = UserFactory(username="ivybuyer")
    MembershipFactory(user=user, partner=partner)
    return user
