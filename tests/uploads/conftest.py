"""The catalogue and the address the CSV upload tests order from."""

import pytest

from partners.factories import ShipToAddressFactory


@pytest.fixture
def catalogue(make_product):
    """ROSE in cases of 10, VASE one by one from 5, OLD no longer sold."""
    return {
        "ROSE": make_product("ROSE", case_pack=10, list_price="0.50"),
        "VASE": make_product("VASE", case_pack=1, min_order_qty=5, list_price="3.00"),
        "OLD": make_product("OLD", case_pack=1, active=False, list_price="1.00"),
    }


@pytest.fixture
def shop(account_buyer):
    return ShipToAddressFactory(partner=account_buyer, label="Main shop", is_default=True)
