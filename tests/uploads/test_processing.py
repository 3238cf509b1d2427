"""Processing an upload (uploads/processing.py, uploads/tasks.py): the same file never
placed twice, a run that fails midway finished by the next without a second order,
progress, the task and its time budget, and the sample file."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import Product
from orders.exceptions import DuplicateCsvUploadError
from orders.models import CsvUpload, IdempotencyRecord, Order
from partners.factories import PartnerFactory
from tests.support.uploads import VALID, run
from uploads import processing
from uploads.processing import create_csv_upload, process_csv_upload, submit_csv_upload
from uploads.reports import bad_rows, build_sample_csv, placed_orders
from uploads.tasks import import_csv_upload_task

pytestmark = pytest.mark.django_db


def test_the_same_file_uploaded_twice_is_refused_naming_the_first_upload(account_buyer, catalogue):
    raw = b"sku,quantity\nROSE,20\n"
    first = run(account_buyer, raw, filename="monday.csv")

    with pytest.raises(DuplicateCsvUploadError) as error:
        create_csv_upload(partner=account_buyer, filename="monday-again.csv", raw=raw)

    assert error.value.code == "duplicate_upload" and error.value.extra == {"upload_id": first.id}
    assert error.value.message.startswith(f"This file was already uploaded as upload #{first.id} (monday.csv, ")
    assert CsvUpload.objects.count() == 1 and Order.objects.count() == 1


def test_another_partner_may_upload_the_same_file(account_buyer, catalogue):
    raw = b"sku,quantity\nROSE,20\n"
    run(account_buyer, raw)

    other = run(PartnerFactory(code="OTHER"), raw)

    assert other.status == CsvUpload.Status.DONE and Order.objects.count() == 2


def test_a_rejected_file_may_be_uploaded_again(account_buyer, catalogue):
    raw = b"sku,quantity\nROSE,20\nVASE,2\n"
    assert run(account_buyer, raw).status == CsvUpload.Status.INVALID

    again = run(account_buyer, raw, mode=VALID)

    assert again.status == CsvUpload.Status.DONE and Order.objects.count() == 1


def test_a_failure_midway_marks_the_upload_failed_and_a_rerun_places_nothing_twice(
    account_buyer, catalogue, monkeypatch
):
    text = "sku,quantity,po_number\n" + "".join(f"ROSE,10,PO-{n}\n" for n in range(5))
    upload = create_csv_upload(partner=account_buyer, filename="orders.csv", raw=text.encode())
    real_place_order, calls = processing.place_order, []

    def place_order_that_breaks_on_the_third(**kwargs):
        calls.append(kwargs["idempotency_key"])
        if len(calls) == 3:
            raise ConnectionError("database went away")
        return real_place_order(**kwargs)

    monkeypatch.setattr(processing, "place_order", place_order_that_breaks_on_the_third)
    failed = process_csv_upload(upload_id=upload.id)

    assert failed.status == CsvUpload.Status.FAILED and failed.error == "ConnectionError: database went away"
    assert Order.objects.count() == 2  # each order is its own transaction: they stay

    monkeypatch.setattr(processing, "place_order", real_place_order)
    rerun = process_csv_upload(upload_id=upload.id)

    assert rerun.status == CsvUpload.Status.DONE and rerun.orders_created == 5
    assert Order.objects.count() == 5
    assert [o["replayed"] for o in placed_orders(rerun)] == [True, True, False, False, False]
    assert calls[0] == f"csv:{upload.content_hash}:0"


def fail_after_the_first_order(partner, raw: bytes, monkeypatch) -> None:
    """Upload `raw` and have its run fail after placing its first order (PO-1)."""
    upload = create_csv_upload(partner=partner, filename="orders.csv", raw=raw)
    real_place_order = processing.place_order
    monkeypatch.setattr(
        processing, "place_order", lambda **kw: real_place_order(**kw) if kw["po_number"] == "PO-1" else 1 / 0
    )
    assert process_csv_upload(upload_id=upload.id).status == CsvUpload.Status.FAILED
    monkeypatch.setattr(processing, "place_order", real_place_order)


def test_a_failed_file_uploaded_again_replays_what_was_placed(account_buyer, catalogue, monkeypatch):
    raw = b"sku,quantity,po_number\nROSE,10,PO-1\nROSE,10,PO-2\n"
    fail_after_the_first_order(account_buyer, raw, monkeypatch)

    again = run(account_buyer, raw)

    assert again.status == CsvUpload.Status.DONE and Order.objects.count() == 2


def test_a_failed_file_uploaded_again_days_later_still_places_nothing_twice(
    account_buyer, catalogue, monkeypatch, settings
):
    from orders.factories import IdempotencyRecordFactory
    from orders.idempotency import purge_idempotency_records

    raw = b"sku,quantity,po_number\nROSE,10,PO-1\nROSE,10,PO-2\n"
    fail_after_the_first_order(account_buyer, raw, monkeypatch)
    api_order = IdempotencyRecordFactory(partner=account_buyer)
    past_the_ttl = timezone.now() - timedelta(hours=settings.BOUQUET["IDEMPOTENCY_KEY_TTL_HOURS"] + 1)
    IdempotencyRecord.objects.update(created_at=past_the_ttl)

    assert purge_idempotency_records() == 1  # the API key goes; the failed file's stays
    assert not IdempotencyRecord.objects.filter(id=api_order.id).exists()
    again = run(account_buyer, raw)

    assert again.status == CsvUpload.Status.DONE and Order.objects.count() == 2
    assert sorted(Order.objects.values_list("po_number", flat=True)) == ["PO-1", "PO-2"]
    IdempotencyRecord.objects.update(created_at=past_the_ttl)
    assert purge_idempotency_records() == 2  # a run of the file finished: nothing needs them now


def test_processing_a_finished_upload_again_does_nothing(account_buyer, catalogue):
    upload = run(account_buyer, b"sku,quantity\nROSE,20\n")

    again = import_csv_upload_task(upload.id)

    assert again == CsvUpload.Status.DONE and Order.objects.count() == 1


# --- Progress, the task, the sample -----------------------------------------------------


def test_progress_is_written_every_few_hundred_rows_not_per_row(account_buyer, catalogue):
    text = "sku,quantity,po_number\n" + "".join(f"ROSE,10,PO-{n // 50}\n" for n in range(1000))
    upload = create_csv_upload(partner=account_buyer, filename="orders.csv", raw=text.encode())
    seen = []

    with CaptureQueriesContext(connection) as queries:
        process_csv_upload(upload_id=upload.id, progress=seen.append)

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "orders_csvupload"')]
    # The claim, a write per 200 rows, and the finish.
    assert len(updates) == 1 + 1000 // 200 + 1
    assert sum(seen) == 1000


def test_submitting_enqueues_one_task_after_commit(account_buyer, catalogue, django_capture_on_commit_callbacks):
    from django_redis import get_redis_connection

    with django_capture_on_commit_callbacks(execute=True):
        upload = submit_csv_upload(partner=account_buyer, filename="orders.csv", raw=b"sku,quantity\nROSE,20\n")

    assert upload.status == CsvUpload.Status.QUEUED
    redis = get_redis_connection("default")
    assert sum(redis.llen(key) for key in redis.keys("*bouquet*") if redis.type(key) == b"list") == 1

    assert import_csv_upload_task(upload.id) == CsvUpload.Status.DONE
    assert Order.objects.count() == 1


def test_the_sample_csv_is_built_from_active_products_and_imports_cleanly(account_buyer, catalogue, shop):
    sample = build_sample_csv(partner=account_buyer)

    assert sample.splitlines()[0] == "sku,quantity,po_number,ship_to,requested_delivery_date"
    assert "OLD" not in sample and "Main shop" in sample
    upload = run(account_buyer, sample)
    assert upload.status == CsvUpload.Status.DONE and not bad_rows(upload)


def test_ten_thousand_lines_are_placed_well_inside_a_minute(account_buyer, warehouses):
    Product.objects.bulk_create(
        Product(sku=f"BULK-{n:03d}", name=f"Bulk {n}", category="sundries", case_pack=5, list_price=Decimal("1.00"))
        for n in range(100)
    )
    # 100 purchase orders of 100 lines each.
    text = "sku,quantity,po_number\n" + "".join(f"BULK-{n % 100:03d},10,PO-{n // 100}\n" for n in range(10_000))
    upload = create_csv_upload(partner=account_buyer, filename="big.csv", raw=text.encode())

    started = time.perf_counter()
    upload = process_csv_upload(upload_id=upload.id)
    elapsed = time.perf_counter() - started

    print(f"\n10,000 lines -> {upload.orders_created} orders in {elapsed:.1f} s")
    assert upload.status == CsvUpload.Status.DONE and upload.orders_created == 100
    assert elapsed < 60


def test_an_upload_over_its_time_budget_is_queued_again_and_finishes_in_the_next_task(
    account_buyer, catalogue, django_capture_on_commit_callbacks
):
    from django_redis import get_redis_connection

    text = "sku,quantity,po_number\n" + "".join(f"ROSE,10,PO-{n}\n" for n in range(3))
    upload = create_csv_upload(partner=account_buyer, filename="orders.csv", raw=text.encode())

    first = process_csv_upload(upload_id=upload.id, time_budget=0)

    # One order per task run at a zero budget: queued again, its next task enqueued.
    assert (first.status, first.processed_rows, Order.objects.count()) == (CsvUpload.Status.QUEUED, 1, 1)
    redis = get_redis_connection("default")
    assert sum(redis.llen(key) for key in redis.keys("*bouquet*") if redis.type(key) == b"list") == 1
    process_csv_upload(upload_id=upload.id, time_budget=0)
    done = process_csv_upload(upload_id=upload.id, time_budget=0)

    assert done.status == CsvUpload.Status.DONE and done.orders_created == 3 and Order.objects.count() == 3
    assert [o["replayed"] for o in placed_orders(done)] == [True, True, False]


# --- The partner's order limits -----------------------------------------------------------


@pytest.mark.parametrize(
    "limits, code, named",
    [
        ({"max_order_value": Decimal("50.00")}, "order_too_large", "maximum order value (50.00)"),
        ({"max_open_order_value": Decimal("60.00")}, "open_orders_limit", "open-order limit (60.00)"),
    ],
)
def test_an_order_over_a_partner_limit_is_reported_on_its_rows_and_the_rest_placed(
    account_buyer, catalogue, limits, code, named
):
    PartnerFactory._meta.model.objects.filter(id=account_buyer.id).update(**limits)
    account_buyer.refresh_from_db()
    # PO-A comes to 10.00; PO-B to 75.00, over both limits (10.00 already open).
    text = "sku,quantity,po_number\nROSE,20,PO-A\nROSE,100,PO-B\nVASE,8,PO-B\n"

    upload = run(account_buyer, text, mode=VALID)

    assert upload.status == CsvUpload.Status.DONE
    assert [entry["po_number"] for entry in placed_orders(upload)] == ["PO-A"]
    rows = bad_rows(upload)
    assert [(row["line"], row["code"]) for row in rows] == [(3, code), (4, code)]
    assert all(named in row["detail"] and "not placed" in row["detail"] for row in rows)
    assert list(Order.objects.values_list("po_number", flat=True)) == ["PO-A"]
