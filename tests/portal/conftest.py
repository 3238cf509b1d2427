"""Portal fixtures beyond the portal's world (tests/support/portal_world.py, loaded
for every test): the key the buyer's cart will place its order under, and a campaign
of the world's products."""

import pytest

from orders.cart import get_or_create_cart
from tests.support.campaigns import make_campaign


@pytest.fixture
def cart_key(buyer):
    def key():
        return get_or_create_cart(buyer).idempotency_key

    return key


@pytest.fixture
def rose_campaign(products):
    """VDAY, open for a day, delivering in ten days: ROSE-RED (case of 10) capped at 200
    per partner, TULIP-YEL (case of 50, minimum 100) without a cap."""
    return make_campaign("VDAY", caps={"ROSE-RED": 200}, skus=["ROSE-RED", "TULIP-YEL"])
