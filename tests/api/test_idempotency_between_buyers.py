"""Idempotency keys are the company's, but a replay answers with the order it placed:
a buyer sending another buyer's key is refused (422 `idempotency_key_reused`) without
a word of that order, while its own buyer and the company's admins get the replay."""

import pytest

from orders.models import Order
from partners.factories import MembershipFactory, UserFactory
from partners.models import Membership
from tests.support.api import client_for

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
BODY = {"po_number": "PO-IRIS-7", "lines": [{"sku": "ROS-RED-50", "quantity": 150}]}


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-RED-50", stock={warehouses["RTM"]: 1000}, case_pack=50, list_price="0.40")


@pytest.fixture
def first(fern_api, roses):
    """FERN's buyer `fern` places an order with key `k-1`; return the answer's body."""
    answer = fern_api.post(ORDERS, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert answer.status_code == 202
    return answer.json()


def colleague(account_buyer, username: str, role=Membership.Role.BUYER):
    return client_for(MembershipFactory(partner=account_buyer, user=UserFactory(username=username), role=role).user)


def test_another_buyer_sending_the_key_is_refused_without_the_order(first, account_buyer):
    answer = colleague(account_buyer, "iris").post(ORDERS, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "idempotency_key_reused"
    assert "already used for another order of your company" in body["detail"]
    assert "send a new key" in body["detail"]
    assert first["number"] not in answer.content.decode()
    assert "PO-IRIS-7" not in answer.content.decode() and "60.00" not in answer.content.decode()
    assert "Location" not in answer
    assert Order.objects.count() == 1


def test_the_buyer_who_placed_the_order_still_gets_the_replay(first, fern_api):
    answer = fern_api.post(ORDERS, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert answer.status_code == 202 and answer["Idempotent-Replayed"] == "true"
    assert answer.json() == first


def test_a_partner_admin_gets_the_replay_of_any_buyers_order(first, account_buyer):
    admin = colleague(account_buyer, "flora", role=Membership.Role.ADMIN)

    answer = admin.post(ORDERS, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert answer.status_code == 202 and answer["Idempotent-Replayed"] == "true"
    assert answer.json() == first
    assert Order.objects.count() == 1


def test_another_partners_identical_key_is_another_key(first, other_partner_api, roses):
    """Keys are scoped per partner, as the Idempotency-Key's description says."""
    answer = other_partner_api.post(ORDERS, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert answer.status_code == 202 and "Idempotent-Replayed" not in answer
    assert answer.json()["number"] != first["number"] and answer.json()["partner"] == "ROSA"
    assert Order.objects.count() == 2
