"""The machines' door (config/machine_door.py): through the WSGI application gunicorn
serves, an API request with a token and no session is answered by the short chain, and
the same request carrying a session, a request with no credentials, and people's pages
keep the whole one, with what it adds."""

import time

import httpx
import pytest
from django.conf import settings

from config.machine_door import is_machine_request
from config.webhook_pool_settings import MACHINE_MIDDLEWARE as POOL_MACHINE_MIDDLEWARE
from config.webhook_pool_settings import MIDDLEWARE as POOL_MIDDLEWARE
from config.wsgi import application
from orders.models import Order
from tests.api.conftest import fern_api  # noqa: F401 (fixture)
from tests.support.api import key_of
from tests.support.demo_api import keep_test_connection  # noqa: F401 (fixture)

ORDERS = "/api/v1/orders/"
# Set by the whole chain's page-policy middleware, not by the machines' chain.
PEOPLE_ONLY_HEADER = "Content-Security-Policy"


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-RED-50", stock={warehouses["RTM"]: 1000}, case_pack=50, list_price="0.40")


@pytest.fixture
def wsgi(keep_test_connection):  # noqa: F811
    with httpx.Client(transport=httpx.WSGITransport(app=application), base_url="http://testserver") as client:
        yield client


def token_headers(api, **more) -> dict:
    return {"Authorization": f"Bearer {key_of(api)}", **more}


def test_the_machines_chain_is_the_whole_chain_without_people_s_middleware():
    whole = list(settings.MIDDLEWARE)
    machines = list(settings.MACHINE_MIDDLEWARE)
    assert machines[0] == "config.shedding.LoadSheddingMiddleware"
    assert [name for name in whole if name in machines] == machines, "in the whole chain's order"
    assert "config.unavailable.DependencyUnavailableMiddleware" in machines
    assert "config.upload_limits.UploadLimitMiddleware" in machines
    assert not any("session" in name.lower() or "csrf" in name.lower() or "axes" in name for name in machines)


def test_the_webhook_pool_has_one_chain():
    assert list(POOL_MACHINE_MIDDLEWARE) == list(POOL_MIDDLEWARE)


@pytest.mark.parametrize(
    ("path", "headers", "machine"),
    [
        ("/api/v1/orders/", {"HTTP_AUTHORIZATION": "Bearer k"}, True),
        ("/api/v1/orders/", {"HTTP_AUTHORIZATION": "Bearer k", "HTTP_COOKIE": "csrftoken=x"}, True),
        ("/api/v1/orders/", {"HTTP_AUTHORIZATION": "Bearer k", "HTTP_COOKIE": "a=1; sessionid=abc"}, False),
        ("/api/v1/orders/", {}, False),
        ("/api/docs/", {"HTTP_AUTHORIZATION": "Bearer k"}, False),
        ("/admin/", {"HTTP_AUTHORIZATION": "Bearer k"}, False),
    ],
)
def test_which_requests_are_machines(path, headers, machine):
    assert is_machine_request({"PATH_INFO": path, **headers}, "sessionid") is machine


@pytest.mark.django_db
def test_an_order_with_a_token_is_placed_through_the_short_chain(wsgi, fern_api, roses):  # noqa: F811
    body = {"po_number": "PO-DOOR", "lines": [{"sku": "ROS-RED-50", "quantity": 100}]}
    answer = wsgi.post(ORDERS, json=body, headers=token_headers(fern_api, **{"Idempotency-Key": "door-1"}))

    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "CREATED"
    assert Order.objects.filter(po_number="PO-DOOR").count() == 1
    assert PEOPLE_ONLY_HEADER not in answer.headers
    # The security headers and the API's UTC stay.
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.json()["created_at"].endswith("Z")


@pytest.mark.django_db
def test_the_same_request_with_a_session_keeps_the_whole_chain(wsgi, fern_api, roses):  # noqa: F811
    headers = token_headers(fern_api, Cookie=f"{settings.SESSION_COOKIE_NAME}=not-a-session")
    answer = wsgi.get(ORDERS, headers=headers)

    assert answer.status_code == 200
    assert PEOPLE_ONLY_HEADER in answer.headers


@pytest.mark.django_db
def test_a_bad_token_is_refused_alike_through_either_chain(wsgi, roses):
    short = wsgi.get(ORDERS, headers={"Authorization": "Bearer not-a-token"})
    whole = wsgi.get(
        ORDERS,
        headers={"Authorization": "Bearer not-a-token", "Cookie": f"{settings.SESSION_COOKIE_NAME}=x"},
    )

    assert short.status_code == whole.status_code == 401
    assert short.json() == whole.json()
    assert PEOPLE_ONLY_HEADER not in short.headers and PEOPLE_ONLY_HEADER in whole.headers


@pytest.mark.django_db
def test_a_request_with_no_credentials_keeps_the_whole_chain(wsgi):
    answer = wsgi.get(ORDERS)

    assert answer.status_code == 401
    assert PEOPLE_ONLY_HEADER in answer.headers


@pytest.mark.django_db
def test_the_short_chain_still_sheds_first(wsgi, fern_api, settings):  # noqa: F811
    settings.SHED_AFTER_SECONDS = 1.0
    waited = f"t={time.time() - 5:.3f}"
    answer = wsgi.get(ORDERS, headers=token_headers(fern_api, **{"X-Request-Start": waited}))

    assert answer.status_code == 503 and answer.headers["Retry-After"]
