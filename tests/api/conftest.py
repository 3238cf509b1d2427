"""API clients: FERN's user, an ERP integration account (staff in the shipped ERP
integration group, not a superuser), and ROSA's user; and a peak campaign to pre-book."""

import datetime

import pytest

from backoffice.roles import CREDIT_CONTROL
from fulfillment.factories import RouteFactory
from partners.factories import MembershipFactory, PartnerFactory, ShipToAddressFactory, UserFactory
from tests.support.api import client_for
from tests.support.campaigns import make_campaign, ship_to_of
from tests.support.openapi import api_schema
from tests.support.roles import erp_user, staff_in


@pytest.fixture
def fern_api(account_buyer):
    return client_for(MembershipFactory(partner=account_buyer, user=UserFactory(username="fern")).user)


@pytest.fixture
def staff_api(db):
    return client_for(erp_user())


@pytest.fixture
def other_partner_api(db):
    return client_for(MembershipFactory(partner=PartnerFactory(code="ROSA"), user=UserFactory(username="rosa")).user)


@pytest.fixture
def schema(db):
    """The schema as served, parsed."""
    return api_schema()


@pytest.fixture
def ams_nl(warehouses):
    """The demo world's AMS-NL: Monday to Saturday, order by 14:00 the day before."""
    return RouteFactory(
        code="AMS-NL",
        name="Aalsmeer to the Netherlands",
        warehouse=warehouses["AMS"],
        delivery_weekdays=[1, 2, 3, 4, 5, 6],
        order_by_time=datetime.time(14, 0),
        lead_days=1,
    )


@pytest.fixture
def fern_shop(account_buyer, ams_nl):
    """FERN's default address, served by AMS-NL."""
    return ShipToAddressFactory(partner=account_buyer, label="Shop", is_default=True, route=ams_nl)


@pytest.fixture
def credit_staff_api(db):
    """Staff in credit control only: no permission on the delivery calendar."""
    return client_for(staff_in("credit-staff", CREDIT_CONTROL))


@pytest.fixture
def rosa(warehouses):
    """ROSA, a florist on account at RTM, with one ship-to on RTM's every-day route."""
    partner = PartnerFactory(code="ROSA", home_warehouse=warehouses["RTM"])
    ship_to_of(partner)
    return partner


@pytest.fixture
def rosa_api(rosa):
    return client_for(MembershipFactory(partner=rosa, user=UserFactory(username="rosa")).user)


@pytest.fixture
def vday(warehouses, make_product, account_buyer):
    """VDAY, open from an hour ago for a day, delivering in ten days: ROSE-RED (packs of
    25, at least 50, capped at 600 a partner), SPRAY-ROSE (single stems, capped at 100)
    and TULIP-Y (packs of 50, no cap), stocked at RTM. GERBERA is sold, not in the
    campaign. FERN has one ship-to, on RTM's every-day route."""
    rtm = warehouses["RTM"]
    make_product("ROSE-RED", name="Red rose", case_pack=25, min_order_qty=50, list_price="0.80", stock={rtm: 1000})
    make_product("SPRAY-ROSE", name="Spray rose", case_pack=1, list_price="0.50", stock={rtm: 300})
    make_product("TULIP-Y", name="Yellow tulip", case_pack=50, list_price="0.30", stock={rtm: 500})
    make_product("GERBERA", case_pack=10, list_price="0.20", stock={rtm: 500})
    ship_to_of(account_buyer)
    return make_campaign("VDAY", caps={"ROSE-RED": 600, "SPRAY-ROSE": 100}, skus=["TULIP-Y"])
