"""Portal fixtures beyond the portal's world (tests/support/portal_world.py, loaded
for every test): the key the buyer's cart will place its order under."""

import pytest

from orders.cart import get_or_create_cart


@pytest.fixture
def cart_key(buyer):
    def key():
        return get_or_create_cart(buyer).idempotency_key

    return key
