"""API clients: FERN's user, an ERP integration account (staff in the shipped ERP
integration group, not a superuser), and ROSA's user."""

import datetime

import pytest

from backoffice.roles import CREDIT_CONTROL
from fulfillment.factories import RouteFactory
from partners.factories import MembershipFactory, PartnerFactory, ShipToAddressFactory, UserFactory
from tests.support.api import client_for
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
