"""With PostgreSQL unreachable the web answers 503 with Retry-After at once, as JSON to
the API and as a page to the portal, never a 500 or a hang; and it recovers by itself.

Found by `make chaos` (PostgreSQL restarted while orders flowed): every request in the
outage answered 500. The outage here is real: the connection is pointed at a port on
which nothing listens, so psycopg's own connection error reaches the middleware."""

import socket

import pytest
from django.db import connection

from partners.factories import MembershipFactory, UserFactory
from tests.support.api import client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def buyer(account_buyer):
    return MembershipFactory(partner=account_buyer, user=UserFactory(username="fern")).user


@pytest.fixture
def fern_api(buyer):
    return client_for(buyer)


@pytest.fixture
def portal(client, buyer):
    client.force_login(buyer)
    return client


@pytest.fixture
def rose(make_product, warehouses):
    return make_product("ROSE-RED", case_pack=10, stock={warehouses["RTM"]: 500})


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DatabaseDown:
    """Point Django's connection at a dead port for the duration, then back."""

    def __enter__(self):
        self.saved = connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["PORT"] = closed_port()

    def __exit__(self, *exc):
        connection.close()
        connection.settings_dict["PORT"] = self.saved


def test_the_api_answers_503_with_retry_after(fern_api):
    with DatabaseDown():
        response = fern_api.get("/api/v1/orders/")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json()["code"] == "service_unavailable"
    assert "Idempotency-Key" in response.json()["detail"]

    assert fern_api.get("/api/v1/orders/").status_code == 200, "the web must recover once the database answers"


def test_placing_an_order_answers_503_and_places_nothing(fern_api, rose):
    from orders.models import Order

    body = {"lines": [{"sku": rose.sku, "quantity": 10}]}
    with DatabaseDown():
        response = fern_api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="outage-1")
    assert response.status_code == 503
    assert Order.objects.count() == 0

    retried = fern_api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="outage-1")
    assert retried.status_code == 202
    assert Order.objects.count() == 1


def test_the_portal_answers_a_503_page(portal):
    with DatabaseDown():
        response = portal.get("/orders/")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert b"briefly unavailable" in response.content
    assert b"Traceback" not in response.content
