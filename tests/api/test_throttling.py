"""API rate limits (issue 14): per partner, shared by its users; per user for staff; a
scope each for order intake and the event feed, a general one for the rest; 429 with
Retry-After and the API's JSON error body."""

import threading
import time
from types import SimpleNamespace

import pytest
import redis
from django.contrib.auth import get_user_model

from config.api import first_look, throttling
from config.api.throttling import PartnerScopedRateThrottle
from orders.api.views import EventFeedApi, OrderListCreateApi
from orders.models import Order
from partners.factories import MembershipFactory, UserFactory
from tests.support.api import client_for
from tests.support.roles import erp_user

ORDERS = "/api/v1/orders/"
EVENTS = "/api/v1/events/"


@pytest.fixture
def tiny_limits(settings):
    """Two requests a minute in each scope, so a test reaches the limit at once."""
    rates = {"order_intake": "2/min", "event_feed": "2/min", "api": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    return rates


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-THROTTLE", stock={warehouses["RTM"]: 10000}, case_pack=10, list_price="0.40")


def place(api, key: str):
    body = {"lines": [{"sku": "ROS-THROTTLE", "quantity": 10}]}
    return api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_partner_past_its_intake_limit_gets_429_with_retry_after_and_a_json_error(tiny_limits, fern_api, roses):
    assert [place(fern_api, f"k{i}").status_code for i in range(2)] == [202, 202]

    answer = place(fern_api, "k3")

    assert answer.status_code == 429
    assert 1 <= int(answer["Retry-After"]) <= 60
    body = answer.json()
    assert body["code"] == "throttled"
    assert "order_intake limit is 2/min" in body["detail"]
    assert f"Retry in {answer['Retry-After']} second" in body["detail"]
    assert Order.objects.count() == 2


def test_two_users_of_one_partner_share_one_budget(tiny_limits, fern_api, account_buyer, roses):
    colleague = client_for(MembershipFactory(partner=account_buyer, user=UserFactory(username="fern-2")).user)

    assert place(fern_api, "k1").status_code == 202
    assert place(colleague, "k2").status_code == 202
    assert place(colleague, "k3").status_code == 429
    assert place(fern_api, "k4").status_code == 429


def test_another_partner_is_unaffected(tiny_limits, fern_api, other_partner_api, roses):
    for key in ("k1", "k2", "k3"):
        place(fern_api, key)

    assert other_partner_api.get(EVENTS).status_code == 200
    assert [place(other_partner_api, f"r{i}").status_code for i in range(3)] == [202, 202, 429]


def test_staff_have_a_budget_each_apart_from_the_partners(tiny_limits, fern_api, staff_api, roses):
    other_staff = client_for(erp_user("erp-2"))
    body = {"partner": "FERN", "lines": [{"sku": "ROS-THROTTLE", "quantity": 10}]}

    def staff_place(api, key):
        return api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code

    assert [place(fern_api, f"k{i}").status_code for i in range(3)] == [202, 202, 429]
    assert [staff_place(staff_api, f"s{i}") for i in range(3)] == [202, 202, 429]
    assert [staff_place(other_staff, f"t{i}") for i in range(3)] == [202, 202, 429]


def test_the_event_feed_and_the_rest_of_the_api_have_scopes_of_their_own(tiny_limits, fern_api, roses):
    for key in ("k1", "k2", "k3"):
        place(fern_api, key)

    assert [fern_api.get(EVENTS).status_code for _ in range(3)] == [200, 200, 429]
    assert "event_feed limit is 2/min" in fern_api.get(EVENTS).json()["detail"]
    # The order list shares intake's address but counts against the general scope.
    assert [fern_api.get(ORDERS).status_code for _ in range(3)] == [200, 200, 429]


def test_the_defaults_let_an_erps_bulk_load_through_and_hold_the_feed(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    intake, window = throttling.parse_rate(rates["order_intake"])
    assert intake * 60 / window >= 1200
    # DRF's window admits its whole budget at once: a burst of 300 passes.
    assert intake >= 300
    assert throttling.parse_rate(rates["event_feed"]) == (300, 60)


def test_checking_the_limit_costs_no_database_query(fern_api, django_assert_num_queries):
    fern = get_user_model().objects.select_related("membership__partner").get(username="fern")
    request = SimpleNamespace(user=fern, method="POST", META={}, headers={})

    with django_assert_num_queries(0):
        assert PartnerScopedRateThrottle().allow_request(request, OrderListCreateApi())
        assert PartnerScopedRateThrottle().allow_request(request, EventFeedApi())


def test_without_redis_the_api_is_not_limited(tiny_limits, fern_api, monkeypatch):
    # A Redis nobody listens for: the limiter's round trip (and the first look's, which
    # admits a known token's requests) fails to connect.
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    for module in (throttling, first_look):
        monkeypatch.setattr(module, "get_redis_connection", lambda alias: unreachable)

    assert [fern_api.get(EVENTS).status_code for _ in range(4)] == [200, 200, 200, 200]


def test_concurrent_requests_never_take_more_places_than_the_limit():
    # Trimming, counting and adding are one script in Redis: two requests cannot both
    # read a window with one place left and both take it.
    key = throttling.window_key("order_intake", "partner-race")
    admitted = []
    start = threading.Barrier(12)

    def request():
        start.wait()
        for _ in range(5):
            admitted.append(throttling.admit(key, now=time.time(), duration=60, limit=20)[0])

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert admitted.count(True) == 20
    assert admitted.count(False) == 40


def test_a_place_frees_up_when_the_oldest_request_leaves_the_window():
    key = throttling.window_key("api", "partner-window")
    assert [throttling.admit(key, now=t, duration=60, limit=2)[0] for t in (1000.0, 1010.0)] == [True, True]

    assert throttling.admit(key, now=1059.0, duration=60, limit=2) == (False, 1000.0)
    assert throttling.admit(key, now=1060.5, duration=60, limit=2) == (True, None)
    assert throttling.admit(key, now=1061.0, duration=60, limit=2) == (False, 1010.0)
