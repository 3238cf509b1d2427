"""The benchmark's load generator gets fresh API keys: stored keys are hashed, so it
cannot read them back."""

import pytest

from devdata.bench_world import bench_partner_code, issue_bench_tokens
from partners.factories import MembershipFactory, PartnerFactory, UserFactory
from partners.tokens import find_api_token
from tests.support.api import client_with_key

pytestmark = pytest.mark.django_db


def test_each_bench_partner_gets_a_working_key_and_its_earlier_keys_are_revoked(account_buyer):
    for index in range(2):
        code = bench_partner_code(index)
        MembershipFactory(partner=PartnerFactory(code=code), user=UserFactory(username=code.lower()))
    MembershipFactory(partner=account_buyer, user=UserFactory(username="fern"))
    first = issue_bench_tokens()

    keys = issue_bench_tokens()

    assert set(keys) == {"BP0000", "BP0001"}
    assert all(client_with_key(key).get("/api/v1/orders/").status_code == 200 for key in keys.values())
    assert all(find_api_token(key=key).user.username == code.lower() for code, key in keys.items())
    assert all(client_with_key(key).get("/api/v1/orders/").status_code == 401 for key in first.values())
