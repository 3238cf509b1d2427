"""API clients: FERN's buyer, a staff ERP user, and ROSA's user."""

import pytest

from partners.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.support.api import client_for


@pytest.fixture
def fern_api(account_buyer):
    return client_for(MembershipFactory(partner=account_buyer, user=UserFactory(username="fern")).user)


@pytest.fixture
def staff_api(db):
    return client_for(UserFactory(username="erp", is_staff=True))


@pytest.fixture
def other_partner_api(db):
    return client_for(MembershipFactory(partner=PartnerFactory(code="ROSA"), user=UserFactory(username="rosa")).user)
