"""API clients: FERN's user, an ERP integration account (staff in the shipped ERP
integration group, not a superuser), and ROSA's user."""

import pytest

from partners.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.support.api import client_for
from tests.support.openapi import api_schema
from tests.support.roles import erp_user


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
