"""Load shedding (config/shedding.py): a request that waited in front of the web workers
longer than SHED_AFTER_SECONDS, by nginx's X-Request-Start, is answered 503 with
Retry-After before any work, and places no order; every other request is served."""

import logging
import time

import pytest
from django.conf import settings as django_settings

from config.metrics import HTTP_REQUESTS, REQUESTS_SHED
from config.shedding import LoadSheddingMiddleware, retry_after_seconds, seconds_waited
from orders.models import IdempotencyRecord, Order
from partners.factories import MembershipFactory, UserFactory
from tests.support.api import client_for

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
ORDER = {"po_number": "PO-PEAK", "lines": [{"sku": "ROS-RED-50", "quantity": 100}]}


@pytest.fixture
def fern_api(account_buyer, warehouses, make_product):
    make_product("ROS-RED-50", stock={warehouses["RTM"]: 1000}, case_pack=50, list_price="0.40")
    return client_for(MembershipFactory(partner=account_buyer, user=UserFactory(username="fern")).user)


def stamped(seconds_ago: float) -> str:
    """X-Request-Start as nginx writes it, for a request handed on `seconds_ago`."""
    return f"t={time.time() - seconds_ago:.3f}"


def place(api, key: str, **headers):
    return api.post(ORDERS, ORDER, format="json", HTTP_IDEMPOTENCY_KEY=key, **headers)


def test_a_request_that_waited_past_the_bound_is_answered_503_and_places_no_order(fern_api, settings):
    settings.SHED_AFTER_SECONDS = 1.0

    answer = place(fern_api, "late-1", HTTP_X_REQUEST_START=stamped(3.2))

    assert answer.status_code == 503
    assert answer["Retry-After"] == "4"
    assert answer.json()["code"] == "overloaded" and "Idempotency-Key" in answer.json()["detail"]
    assert not Order.objects.exists() and not IdempotencyRecord.objects.exists()


def test_a_shed_request_runs_no_query_and_sets_no_cookie(fern_api, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = place(fern_api, "late-2", HTTP_X_REQUEST_START=stamped(30))

    assert answer.status_code == 503 and "Set-Cookie" not in answer and not answer.cookies
    assert answer["Retry-After"] == "10"  # however long the line, clients come back within 10 s


def test_the_client_retrying_with_its_key_after_a_shed_gets_its_one_order(fern_api):
    assert place(fern_api, "retried", HTTP_X_REQUEST_START=stamped(5)).status_code == 503

    answer = place(fern_api, "retried", HTTP_X_REQUEST_START=stamped(0))

    assert answer.status_code == 202
    assert list(Order.objects.values_list("number", flat=True)) == [answer.json()["number"]]


def test_a_request_that_waited_less_than_the_bound_is_served(fern_api, settings):
    settings.SHED_AFTER_SECONDS = 1.0

    assert place(fern_api, "fresh", HTTP_X_REQUEST_START=stamped(0.4)).status_code == 202
    assert Order.objects.count() == 1


def test_without_the_header_nothing_is_shed_whatever_the_bound(fern_api, settings):
    settings.SHED_AFTER_SECONDS = 0.0

    assert place(fern_api, "no-header").status_code == 202
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "header", ["1700000000.123", "t=", "t=yesterday", "t=nan", "t=inf", "t=-inf", "t=1e999", "t=1,5", "garbage"]
)
def test_a_malformed_header_is_ignored_and_the_request_served(client, settings, header):
    settings.SHED_AFTER_SECONDS = 0.0

    assert client.get("/healthz", HTTP_X_REQUEST_START=header).status_code == 200


def test_a_malformed_header_places_the_order_and_is_logged_once(fern_api, caplog, monkeypatch):
    monkeypatch.setattr(LoadSheddingMiddleware, "malformed_header_logged", False)

    with caplog.at_level(logging.WARNING, logger="bouquet.shedding"):
        first = place(fern_api, "odd-1", HTTP_X_REQUEST_START="t=soon")
        second = place(fern_api, "odd-2", HTTP_X_REQUEST_START="t=later")

    assert first.status_code == second.status_code == 202
    assert [record.message for record in caplog.records if record.name == "bouquet.shedding"] == [
        "X-Request-Start 't=soon' is not of the form t=<unix seconds>: requests are not shed on it "
        "(further such headers in this process are not logged)"
    ]


def test_every_request_is_counted_and_a_shed_one_counted_as_shed(client):
    requests_before, shed_before = HTTP_REQUESTS._value.get(), REQUESTS_SHED._value.get()

    client.get("/healthz")
    client.get("/healthz", HTTP_X_REQUEST_START=stamped(0))
    client.get("/healthz", HTTP_X_REQUEST_START=stamped(60))

    assert HTTP_REQUESTS._value.get() - requests_before == 3
    assert REQUESTS_SHED._value.get() - shed_before == 1


def test_shedding_comes_before_every_other_middleware():
    assert django_settings.MIDDLEWARE[0] == "config.shedding.LoadSheddingMiddleware"


def test_seconds_waited_reads_nginx_stamp_to_the_millisecond():
    assert seconds_waited("t=1700000000.250", 1700000001.750) == pytest.approx(1.5)
    assert seconds_waited("1700000000.250", 1700000001.750) is None


@pytest.mark.parametrize("waited, expected", [(1.01, 2), (0.2, 1), (3.0, 3), (9.5, 10), (600.0, 10)])
def test_retry_after_is_whole_seconds_about_the_wait_and_at_most_ten(waited, expected):
    assert retry_after_seconds(waited) == expected
