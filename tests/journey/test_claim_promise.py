"""A draining step's promised claim (orders.wakeups): an API order committed before the
claim the reserve task promised wakes no task, and that claim takes it; one committed
after the promise ran out wakes the step as before. Real Redis, real threads, real
commits (transaction=True): the claim must see what the order committed."""

import threading
import time

import pytest
from django.db import connection
from django_q.brokers import get_broker
from django_redis import get_redis_connection

from journey.tasks import run_step_task
from orders.intake_cache import forget_local_catalogue
from orders.models import Order, OrderStatus
from orders.wakeups import (
    PROMISE_MARGIN_SECONDS,
    claim_promise,
    claim_promise_key,
    clear_wake_flag,
    hold_wake_flag,
    wake_key,
)
from partners.factories import MembershipFactory, ShipToAddressFactory, UserFactory
from tests.support.api import client_for

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = "/api/v1/orders/"
PROMISE = claim_promise_key("reserve")


@pytest.fixture
def redis():
    return get_redis_connection("default")


@pytest.fixture
def lily_api(account_buyer, warehouses, make_product, redis):
    """A buyer's API client whose token this process knows already (its first order
    placed and its wake-up cleared), so its next orders take the first look."""
    forget_local_catalogue()  # the product is new: no process keeps an older catalogue
    make_product("LILY-PROMISE", stock={warehouses["RTM"]: 1000}, case_pack=1, list_price="1.00")
    ShipToAddressFactory(partner=account_buyer, label="Shop", is_default=True)
    api = client_for(MembershipFactory(partner=account_buyer, user=UserFactory(username="lily")).user)
    assert place(api, "warm").status_code == 202
    get_broker().purge_queue()
    clear_wake_flag("reserve")
    redis.delete(PROMISE)
    return api


def run_step_task_and_disconnect(step_name: str) -> None:
    try:
        run_step_task(step_name)
    finally:
        connection.close()  # the thread's own connection, or the test database outlives it


def place(api, key: str):
    return api.post(
        ORDERS, {"lines": [{"sku": "LILY-PROMISE", "quantity": 1}]}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_holding_the_flag_promises_the_next_claim_for_as_long_as_the_holder_waits(redis):
    hold_wake_flag("reserve", next_claim_in_s=0.4)

    assert redis.exists(wake_key("reserve"))
    assert 0 < redis.pttl(PROMISE) <= 400


def test_a_promise_covers_commits_until_its_margin_before_the_claim():
    promise = claim_promise(400, read_at=100.0)

    assert promise.covers(100.0 + 0.4 - PROMISE_MARGIN_SECONDS - 0.001)
    assert not promise.covers(100.0 + 0.4 - PROMISE_MARGIN_SECONDS)
    # No key (-2), a key without an expiry (-1), or none read: no promise.
    assert [claim_promise(ms, read_at=100.0) for ms in (-2, -1, 0, None)] == [None] * 4


def test_an_api_order_committed_under_a_promise_enqueues_no_task(lily_api, redis):
    redis.set(PROMISE, "1", px=5000)  # the flag itself is clear: a wake-up would enqueue

    assert place(lily_api, "promised").status_code == 202

    assert get_broker().queue_size() == 0
    assert not redis.exists(wake_key("reserve"))


def test_an_api_order_after_the_promise_ran_out_wakes_the_step(lily_api, redis):
    redis.set(PROMISE, "1", px=1)
    time.sleep(0.01)

    assert place(lily_api, "too-late").status_code == 202

    assert get_broker().queue_size() == 1


def test_the_orders_a_promise_spared_a_wake_up_are_taken_by_the_claim_it_promised(lily_api, redis, settings):
    settings.BOUQUET = {**settings.BOUQUET, "STEP_GATHER_MS": 1000}
    task = threading.Thread(target=run_step_task_and_disconnect, args=("reserve",))
    task.start()
    time.sleep(0.2)  # the task promised its first claim in 1 s and waits for it
    # Were the orders to rely on the flag, each would now enqueue a task of its own.
    clear_wake_flag("reserve")

    answers = [place(lily_api, f"spared-{i}").status_code for i in range(3)]
    queued_meanwhile = get_broker().queue_size()
    task.join(timeout=30)

    assert answers == [202] * 3
    assert queued_meanwhile == 0
    # The warm-up order and the three, all carried on by the task's promised claim.
    assert Order.objects.filter(status=OrderStatus.CONFIRMED).count() == 4
    assert get_broker().queue_size() == 0


@pytest.mark.slow
def test_a_run_that_finds_nothing_before_its_promise_ran_out_claims_again_after_it(lily_api, settings):
    """After a full batch the run claims again at once; when that claim is empty, the
    promise made at the full batch's claim still stands, and the run must claim once
    more after it before it ends."""
    settings.BOUQUET = {**settings.BOUQUET, "STEP_GATHER_MS": 2000, "STEP_BATCH_SIZE": 1}
    task = threading.Thread(target=run_step_task_and_disconnect, args=("reserve",))
    task.start()
    deadline = time.monotonic() + 10
    # The warm-up order: the task's first claim, a full batch of one.
    while not Order.objects.filter(status=OrderStatus.CONFIRMED).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    clear_wake_flag("reserve")

    assert place(lily_api, "after-the-empty-claim").status_code == 202
    queued_meanwhile = get_broker().queue_size()
    task.join(timeout=30)

    assert queued_meanwhile == 0
    assert Order.objects.filter(status=OrderStatus.CONFIRMED).count() == 2
