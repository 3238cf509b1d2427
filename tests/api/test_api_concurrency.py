"""The API under concurrent clients: one order per idempotency key, and an ERP pulling
the event feed while orders flow sees every event exactly once."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from django.db import connections

from orders.models import Order, OrderEvent
from tests.support.api import client_with_key, key_of
from tests.support.journey import drive_journey

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-CONC", stock={warehouses["RTM"]: 100000}, case_pack=10, list_price="0.40")


def fresh_client(api):
    # APIClient is not thread-safe: one per thread, same token.
    return client_with_key(key_of(api))


def test_twenty_threads_with_one_key_make_one_order(fern_api, roses):
    body = {"lines": [{"sku": "ROS-CONC", "quantity": 10}]}

    def send(_):
        try:
            answer = fresh_client(fern_api).post(
                "/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key"
            )
            return answer.status_code, answer.get("Idempotent-Replayed"), answer.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, range(20)))

    assert Order.objects.count() == 1
    number = Order.objects.get().number
    statuses = sorted(code for code, _, _ in answers)
    assert set(statuses) <= {202, 409}
    fresh = [a for a in answers if a[0] == 202 and a[1] is None]
    assert len(fresh) == 1
    assert all(body["number"] == number for code, _, body in answers if code == 202)
    assert all(body["code"] == "idempotency_key_in_flight" for code, _, body in answers if code == 409)


def test_an_erp_pulling_the_feed_while_orders_flow_sees_every_event_once(fern_api, staff_api, roses):
    placing_done = threading.Event()
    seen: list[int] = []

    def place(index):
        try:
            answer = fresh_client(fern_api).post(
                "/api/v1/orders/",
                {"lines": [{"sku": "ROS-CONC", "quantity": 10}]},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"flow-{index}",
            )
            assert answer.status_code == 202
            if index % 4 == 0:
                drive_journey(rounds=1)
        finally:
            connections.close_all()

    def pull():
        after = 0
        try:
            # Pull until every committed event has come (a skipped one never would, and
            # the deadline fails the test) — other transactions on the server may hold
            # the feed back a moment, so an empty page is not the end.
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                finished = placing_done.is_set()
                answer = staff_api.get("/api/v1/events/", {"after": after, "limit": 7})
                if answer.status_code == 429:  # polling empty pages on a slow machine: as an ERP would
                    time.sleep(int(answer["Retry-After"]))
                    continue
                page = answer.json()
                seen.extend(e["id"] for e in page["results"])
                after = page["next_after"]
                if finished and not page["has_more"] and len(seen) >= expected[0]:
                    return
                if not page["results"]:
                    time.sleep(0.05)
        finally:
            connections.close_all()

    expected = [10**9]
    reader = threading.Thread(target=pull)
    reader.start()
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(place, range(60)))
    drive_journey()
    expected[0] = OrderEvent.objects.count()
    placing_done.set()
    reader.join(timeout=150)

    assert not reader.is_alive()
    assert len(seen) == len(set(seen)), "an event was served twice"
    assert sorted(seen) == sorted(OrderEvent.objects.values_list("id", flat=True)), "an event was skipped"


def test_an_erp_syncing_by_watermark_while_orders_flow_misses_no_order(fern_api, staff_api, roses):
    placing_done = threading.Event()
    seen: set[str] = set()

    def place(index):
        try:
            answer = fresh_client(fern_api).post(
                "/api/v1/orders/",
                {"lines": [{"sku": "ROS-CONC", "quantity": 10}]},
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"sync-{index}",
            )
            assert answer.status_code == 202
        finally:
            connections.close_all()

    def sync():
        since = "2000-01-01T00:00:00+00:00"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                finished = placing_done.is_set()
                answer = staff_api.get("/api/v1/orders/", {"updated_since": since, "page_size": 500})
                seen.update(o["number"] for o in answer.json()["results"])
                since = answer["Sync-Watermark"]
                if finished and len(seen) >= expected[0]:
                    return
        finally:
            connections.close_all()

    expected = [10**9]
    reader = threading.Thread(target=sync)
    reader.start()
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(place, range(60)))
    expected[0] = Order.objects.count()
    placing_done.set()
    reader.join(timeout=150)

    assert seen == set(Order.objects.values_list("number", flat=True))


def test_a_change_stamped_before_a_sync_and_committed_after_it_is_in_the_next_sync(account_buyer, staff_api, roses):
    """A statement stamps `updated_at` when it starts and may write much later (a batch
    step under load): the watermark a sync hands out meanwhile must be before the stamp."""
    from django.db import connection

    from orders.intake import place_order

    order = place_order(partner=account_buyer, lines=[{"sku": "ROS-CONC", "quantity": 10}]).order
    started = threading.Event()

    def change_slowly():
        try:
            started.set()
            with connection.cursor() as cursor:
                # Stamped at the start; the row is written (and the transaction gets its
                # id) only after the sleep.
                cursor.execute(
                    "UPDATE orders_order SET updated_at = statement_timestamp() "
                    "WHERE id = %s AND (SELECT true FROM pg_sleep(3))",
                    [order.id],
                )
        finally:
            connections.close_all()

    changer = threading.Thread(target=change_slowly)
    changer.start()
    started.wait(timeout=30)
    time.sleep(1.5)  # longer than the watermark's own margin
    watermark = staff_api.get("/api/v1/orders/")["Sync-Watermark"]
    changer.join(timeout=30)

    next_sync = staff_api.get("/api/v1/orders/", {"updated_since": watermark}).json()["results"]

    order.refresh_from_db()
    assert order.updated_at >= datetime.fromisoformat(watermark)
    assert [o["number"] for o in next_sync] == [order.number]
