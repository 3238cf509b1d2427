"""A token request's first look at Redis (config/api/first_look.py): with the token
known to the process, the credentials version, the rate window's admission and intake's
cache versions cost one round trip, and each still does its job: a revoked token is
refused, the window counts each request once, a committed price change is charged.

These tests commit (transaction=True): the caches are used, and dropped, only on
committed writes."""

from decimal import Decimal

import pytest
import redis
from django_redis import get_redis_connection

from config.api import first_look, throttling
from inventory.catalogue import upsert_product
from orders.intake_cache import forget_local_catalogue
from orders.models import Order
from partners.api.authentication import forget_cached_tokens
from partners.factories import MembershipFactory, ShipToAddressFactory, UserFactory
from partners.models import ApiToken
from partners.tokens import revoke_api_tokens
from tests.support.api import client_for

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = "/api/v1/orders/"


@pytest.fixture(autouse=True)
def cold_caches():
    forget_local_catalogue()
    forget_cached_tokens()
    yield
    forget_local_catalogue()
    forget_cached_tokens()


@pytest.fixture
def rose(warehouses, make_product):
    return make_product("ROSE-FL", stock={warehouses["RTM"]: 10000}, case_pack=10, list_price="0.50")


@pytest.fixture
def fern_api(account_buyer):
    ShipToAddressFactory(partner=account_buyer, label="Shop", is_default=True)
    return client_for(MembershipFactory(partner=account_buyer, user=UserFactory(username="fern")).user)


@pytest.fixture
def redis_commands(monkeypatch):
    """The commands this process sends Redis, by name, as they are sent."""
    sent: list[str] = []
    original = redis.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]).upper())
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


def place(api, key: str):
    return api.post(ORDERS, {"lines": [{"sku": "ROSE-FL", "quantity": 10}]}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_known_token_reaches_intake_with_one_round_trip_where_an_unknown_one_takes_three(
    fern_api, rose, redis_commands
):
    assert place(fern_api, "first").status_code == 202  # reads the token, caches it
    before_the_wake = redis_commands.index("SET") if "SET" in redis_commands else len(redis_commands)
    assert redis_commands[:before_the_wake] == ["GET", "EVALSHA", "MGET"]
    redis_commands.clear()

    assert place(fern_api, "second").status_code == 202

    assert [command for command in redis_commands if command != "SET"] == ["EVALSHA"]
    assert Order.objects.count() == 2


def test_the_window_counts_each_request_once_whoever_admits_it(settings, fern_api, account_buyer, rose):
    rates = {"order_intake": "3/min", "event_feed": "3/min", "api": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    # The first by the throttle (the token unknown yet), the rest by the first look.
    answers = [place(fern_api, f"k{i}").status_code for i in range(4)]

    assert answers == [202, 202, 202, 429]
    window = throttling.window_key("order_intake", f"partner-{account_buyer.pk}")
    assert get_redis_connection("default").llen(window) == 3
    assert Order.objects.count() == 3


def test_a_token_revoked_while_known_here_is_refused_at_once(fern_api, rose):
    assert place(fern_api, "k1").status_code == 202

    revoke_api_tokens(tokens=ApiToken.objects.all())
    refused = place(fern_api, "k2")

    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"
    assert Order.objects.count() == 1


def test_a_price_change_committed_before_the_request_is_charged(fern_api, rose):
    assert place(fern_api, "k1").status_code == 202

    upsert_product(
        sku="ROSE-FL", actor="test", name="Rose", case_pack=10, min_order_qty=0, list_price=Decimal("0.70"), active=True
    )
    answer = place(fern_api, "k2")

    assert answer.status_code == 202
    assert answer.json()["lines"][0]["unit_price"] == "0.70"


def test_without_redis_a_known_token_is_read_again_and_the_order_placed(fern_api, rose, monkeypatch):
    assert place(fern_api, "k1").status_code == 202
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    for module in (first_look, throttling):
        monkeypatch.setattr(module, "get_redis_connection", lambda alias: unreachable)

    assert place(fern_api, "k2").status_code == 202
    assert Order.objects.count() == 2
