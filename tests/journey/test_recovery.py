"""Nothing accepted is lost: a wake-up that never ran, a dependency that keeps
failing, a breaker that opens."""

import threading
import time

import pytest
from django.conf import settings
from django.test import override_settings
from django_q.brokers import get_broker

from journey.runner import run_step
from journey.sweeper import sweep
from journey.tasks import run_step_task
from orders.dead_letters import retry_dead_letter
from orders.models import DeadLetter, Order, OrderStatus
from orders.wakeups import wake
from tests.support.journey import drive_journey, place, run_step_alone

UNREACHABLE = "http://127.0.0.1:9"
REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


@pytest.mark.django_db(transaction=True)
def test_an_order_whose_wake_up_was_lost_is_finished_by_the_sweeper(account_buyer, warehouses, make_product):
    make_product("PLANT-LOST", stock={warehouses["RTM"]: 10}, case_pack=1, list_price="1.00")
    with override_settings(CACHES=REDIS_DOWN):
        order = place(account_buyer, {"PLANT-LOST": 1})  # intake keeps accepting with Redis down
    assert get_broker().queue_size() == 0

    report = sweep()

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert report["handled"]["reserve"] == 1


@pytest.mark.django_db(transaction=True)
def test_intake_wakes_each_step_once_however_many_orders_arrive(account_buyer, warehouses, make_product):
    make_product("PLANT-WAKE", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="1.00")

    for _ in range(25):
        place(account_buyer, {"PLANT-WAKE": 1})

    assert get_broker().queue_size() == 1
    run_step_task("reserve")  # what the worker runs; it clears the flag first
    # On account, the one pass carries them all the way (journey.chain).
    assert Order.objects.filter(status=OrderStatus.CONFIRMED).count() == 25
    assert wake("reserve") is True


@pytest.mark.django_db(transaction=True)
def test_a_woken_step_lets_orders_gather_and_takes_them_in_one_pass(account_buyer, warehouses, make_product, settings):
    make_product("PLANT-GATHER", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="1.00")
    settings.BOUQUET = {**settings.BOUQUET, "STEP_GATHER_MS": 1500}
    first = place(account_buyer, {"PLANT-GATHER": 1})  # wakes the step: one task
    task = threading.Thread(target=run_step_task, args=("reserve",))
    task.start()
    time.sleep(0.2)  # the task is gathering

    later = [place(account_buyer, {"PLANT-GATHER": 1}) for _ in range(5)]
    queued_while_gathering = get_broker().queue_size()
    task.join(timeout=30)

    # The orders placed while it gathered woke no second task, and the one pass took them all.
    assert queued_while_gathering == 1
    assert Order.objects.filter(id__in=[first.id, *(o.id for o in later)], status=OrderStatus.CONFIRMED).count() == 6
    assert wake("reserve") is True  # the flag was cleared once it claimed


@pytest.mark.django_db
def test_a_step_that_always_fails_is_dead_lettered_and_can_be_retried(card_buyer, warehouses, make_product, settings):
    stand_in = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE, settings.STRIPE_BREAKER_THRESHOLD = UNREACHABLE, 100
    settings.BOUQUET = {**settings.BOUQUET, "STEP_MAX_ATTEMPTS": 3, "STEP_BACKOFF_BASE_SECONDS": 0}
    make_product("ROSE-DL", stock={warehouses["AMS"]: 100}, case_pack=10)
    order = place(card_buyer, {"ROSE-DL": 10})
    run_step_alone("reserve")

    for _ in range(5):
        run_step("pay")

    order.refresh_from_db()
    assert (order.status, order.hold, order.attempts) == (OrderStatus.PAYMENT_PENDING, Order.Hold.DEAD_LETTER, 3)
    # The hold is stamped, so an ERP syncing by updated_since learns of it.
    assert order.updated_at > order.events.get(to_status=OrderStatus.PAYMENT_PENDING).created_at
    held_at = order.updated_at
    [dead_letter] = DeadLetter.objects.filter(order=order)
    assert dead_letter.task == "journey.pay" and "PaymentGatewayUnavailable" in dead_letter.error

    settings.STRIPE_API_BASE = stand_in
    retry_dead_letter(dead_letter_id=dead_letter.id, actor="backoffice")
    order.refresh_from_db()
    assert order.hold == "" and order.updated_at > held_at
    drive_journey()

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    dead_letter.refresh_from_db()
    assert (dead_letter.status, dead_letter.resolved_by) == ("retried", "backoffice")


@pytest.mark.django_db
def test_the_circuit_breaker_pauses_payments_without_spending_attempts(card_buyer, warehouses, make_product, settings):
    make_product("ROSE-CB", stock={warehouses["AMS"]: 100}, case_pack=10)
    settings.STRIPE_API_BASE, settings.STRIPE_BREAKER_THRESHOLD, settings.STRIPE_BREAKER_COOLOFF_SECONDS = (
        UNREACHABLE,
        2,
        60,
    )
    orders = [place(card_buyer, {"ROSE-CB": 10}) for _ in range(4)]
    run_step("reserve")

    run_step("pay")

    attempts = sorted(Order.objects.filter(id__in=[o.id for o in orders]).values_list("attempts", flat=True))
    assert attempts == [0, 0, 1, 1]  # two real failures opened the breaker; the rest wait
    assert all(o.status == OrderStatus.PAYMENT_PENDING for o in Order.objects.filter(id__in=[o.id for o in orders]))


@pytest.mark.django_db
def test_the_sweeper_counts_orders_waiting_at_a_step_not_those_waiting_for_dispatch(
    account_buyer, warehouses, make_product, settings
):
    make_product("PLANT-STUCK", stock={warehouses["RTM"]: 10}, case_pack=1, list_price="1.00")
    confirmed = place(account_buyer, {"PLANT-STUCK": 1})
    drive_journey()
    waiting = place(account_buyer, {"PLANT-STUCK": 1})
    Order.objects.filter(id__in=[confirmed.id, waiting.id]).update(updated_at="2000-01-01T00:00:00Z")

    from orders.selectors import stuck_orders

    assert list(stuck_orders()) == [waiting]


@pytest.mark.django_db
def test_idempotency_keys_are_kept_a_day_then_purged(account_buyer, settings):
    from datetime import timedelta

    from django.utils import timezone

    from orders.factories import IdempotencyRecordFactory
    from orders.idempotency import purge_idempotency_records
    from orders.models import IdempotencyRecord

    assert settings.BOUQUET["IDEMPOTENCY_KEY_TTL_HOURS"] >= 24
    fresh = IdempotencyRecordFactory(partner=account_buyer)
    old = IdempotencyRecordFactory(partner=account_buyer)
    IdempotencyRecord.objects.filter(id=old.id).update(
        created_at=timezone.now() - timedelta(hours=settings.BOUQUET["IDEMPOTENCY_KEY_TTL_HOURS"] + 1)
    )

    assert purge_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.all()) == [fresh]


@pytest.mark.django_db
def test_the_sweeper_enqueues_again_a_csv_upload_whose_task_was_lost(account_buyer):
    from orders.models import CsvUpload

    lost = CsvUpload.objects.create(
        partner=account_buyer, filename="lost.csv", content_hash="a" * 64, content="sku,quantity\n"
    )
    CsvUpload.objects.filter(id=lost.id).update(created_at="2000-01-01T00:00:00Z")
    CsvUpload.objects.create(partner=account_buyer, filename="new.csv", content_hash="b" * 64, content="sku,quantity\n")

    report = sweep()

    assert report["requeued_uploads"] == 1
    # On the imports' queue, not the journey's (config/settings.py Q_CLUSTER).
    assert get_broker(settings.Q_IMPORTS_CLUSTER).queue_size() == 1
    assert get_broker().queue_size() == 0


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so no handler of the import sees it."""


@pytest.mark.django_db(transaction=True)
def test_a_csv_upload_whose_worker_died_mid_file_is_queued_again_and_placed_once(
    account_buyer, warehouses, make_product
):
    from datetime import timedelta

    from django.utils import timezone

    from orders.models import CsvUpload
    from uploads.processing import create_csv_upload, process_csv_upload

    make_product("ROSE", case_pack=10, stock={warehouses["RTM"]: 1000})
    raw = b"sku,quantity,po_number\nROSE,10,PO-1\nROSE,20,PO-2\nROSE,30,PO-3\n"
    upload = create_csv_upload(partner=account_buyer, filename="monday.csv", raw=raw)

    def die_after_the_first_order(rows):
        if rows:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        process_csv_upload(upload_id=upload.id, progress=die_after_the_first_order)
    assert CsvUpload.objects.get(id=upload.id).status == CsvUpload.Status.PROCESSING
    assert Order.objects.count() == 1

    assert sweep()["requeued_uploads"] == 0, "an upload with a fresh heartbeat may still be running"
    CsvUpload.objects.filter(id=upload.id).update(heartbeat_at=timezone.now() - timedelta(hours=1))

    assert sweep()["requeued_uploads"] == 1
    assert CsvUpload.objects.get(id=upload.id).status == CsvUpload.Status.QUEUED
    assert get_broker().queue_size() >= 1

    finished = process_csv_upload(upload_id=upload.id)
    assert finished.status == CsvUpload.Status.DONE
    assert sorted(Order.objects.values_list("po_number", flat=True)) == ["PO-1", "PO-2", "PO-3"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_wake_up_whose_task_was_lost_holds_back_the_next_for_seconds_not_the_sweepers_minute(
    account_buyer, warehouses, make_product
):
    """The flag that coalesces wake-ups outlives a task the broker lost (a worker killed
    with it in hand); until the flag expires, every wake-up is taken for pending and
    orders wait for the sweeper. A spike's backlog stalled so."""
    import time

    assert settings.BOUQUET["WAKE_TTL_SECONDS"] <= 5  # no stretch of 5 s with orders waiting (issue 20)
    make_product("PLANT-STALL", stock={warehouses["RTM"]: 100}, case_pack=1, list_price="1.00")
    place(account_buyer, {"PLANT-STALL": 1})
    get_broker().purge_queue()  # the task that flag stands for is lost
    place(account_buyer, {"PLANT-STALL": 1})
    assert get_broker().queue_size() == 0

    time.sleep(settings.BOUQUET["WAKE_TTL_SECONDS"] + 0.5)
    place(account_buyer, {"PLANT-STALL": 1})

    assert get_broker().queue_size() == 1
    run_step_task("reserve")
    assert Order.objects.filter(status=OrderStatus.CONFIRMED).count() == 3
