"""The world every bad input is thrown at (tests/support/bad_input.py checks that it
stayed as it was).

FERN (on account) with two ship-to addresses, its buyer signed in to the portal with an
empty cart, the buyer's API token, a staff token and a back-office clerk; the portal's
catalogue (ROSE-RED in cases of 10, TULIP-YEL in cases of 50 with a minimum of 100,
GONE-1 no longer sold, FERN-LEAF in cases of 20), from tests/support/portal_world.py;
and IVY, another partner with an address of its own."""

from types import SimpleNamespace

import pytest
from django.test import Client

from orders.cart import get_or_create_cart
from partners.factories import ShipToAddressFactory, UserFactory
from tests.support.api import client_for
from tests.support.roles import erp_user


@pytest.fixture
def world(portal, buyer, products, ship_tos, other_partner_user, account_buyer):
    """Clients for every door and the things the bad inputs name."""
    get_or_create_cart(buyer)  # the cart page would create it: made here, before any snapshot
    clerk = UserFactory(username="clerk", is_staff=True, is_superuser=True)
    back_office = Client()
    back_office.force_login(clerk)
    return SimpleNamespace(
        partner=account_buyer,
        buyer=buyer,
        products=products,
        ship_tos=ship_tos,
        ivy_address=ShipToAddressFactory(partner=other_partner_user.membership.partner, label="Ivy's shop"),
        portal=portal,
        api=client_for(buyer),
        staff_api=client_for(erp_user()),
        back_office=back_office,
    )
