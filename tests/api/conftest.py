import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from partners.factories import MembershipFactory, UserFactory


def client_for(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def fern_api(account_buyer):
    return client_for(MembershipFactory(partner=account_buyer, user=UserFactory(username="fern")).user)


@pytest.fixture
def staff_api(db):
    return client_for(UserFactory(username="erp", is_staff=True))


@pytest.fixture
def other_partner_api(db):
    from partners.factories import PartnerFactory

    return client_for(MembershipFactory(partner=PartnerFactory(code="ROSA"), user=UserFactory(username="rosa")).user)
