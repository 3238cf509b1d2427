"""The CSV importer: every bad input refused with a clear reason and nothing placed,
every bad row reported with its line number, rows grouped into orders, and the same
file never placed twice."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import Product
from orders.exceptions import CsvFileError, DuplicateCsvUploadError
from orders.intake import MAX_LINES
from orders.models import CsvUpload, IdempotencyRecord, Order
from partners.factories import PartnerFactory, ShipToAddressFactory
from uploads import processing
from uploads.processing import create_csv_upload, process_csv_upload, submit_csv_upload
from uploads.reports import bad_rows, build_sample_csv, placed_orders, report_notes
from uploads.tasks import import_csv_upload_task

pytestmark = pytest.mark.django_db

VALID = CsvUpload.Mode.VALID_ROWS


@pytest.fixture
def catalogue(make_product):
    return {
        "ROSE": make_product("ROSE", case_pack=10, list_price="0.50"),
        "VASE": make_product("VASE", case_pack=1, min_order_qty=5, list_price="3.00"),
        "OLD": make_product("OLD", case_pack=1, active=False, list_price="1.00"),
    }


@pytest.fixture
def shop(account_buyer):
    return ShipToAddressFactory(partner=account_buyer, label="Main shop", is_default=True)


def run(partner, text: str | bytes, *, mode=CsvUpload.Mode.ALL_OR_NOTHING, filename="orders.csv") -> CsvUpload:
    raw = text.encode() if isinstance(text, str) else text
    upload = create_csv_upload(partner=partner, filename=filename, raw=raw, mode=mode)
    return process_csv_upload(upload_id=upload.id)


def refused(partner, raw: bytes) -> CsvFileError:
    with pytest.raises(CsvFileError) as error:
        create_csv_upload(partner=partner, filename="bad.csv", raw=raw)
    assert not CsvUpload.objects.exists() and not Order.objects.exists()
    return error.value


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


# --- The file itself -----------------------------------------------------------------


def test_accepts_utf8_with_a_byte_order_mark(account_buyer, catalogue):
    upload = run(account_buyer, "\ufeffsku,quantity\nROSE,20\n".encode())

    assert upload.status == CsvUpload.Status.DONE and upload.orders_created == 1


def test_refuses_a_file_that_is_not_utf8_saying_how_to_save_it(account_buyer, catalogue):
    error = refused(account_buyer, "sku,quantity,po_number\nROSE,20,Café Noël\n".encode("cp1252"))

    assert error.code == "not_utf8"
    assert error.message == "Line 2: the file is not UTF-8 (looks like Windows-1252/Latin-1?): save it as CSV UTF-8."


@pytest.mark.parametrize("raw", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf"])
def test_refuses_an_empty_file(account_buyer, raw):
    error = refused(account_buyer, raw)

    assert error.code == "empty_file" and "empty" in error.message


def test_refuses_a_header_without_order_lines(account_buyer):
    error = refused(account_buyer, b"sku,quantity\n\n")

    assert (error.code, error.message) == ("no_rows", "The file has a header but no order lines.")


def test_refuses_a_file_over_the_size_limit(account_buyer, settings):
    settings.BOUQUET = {**settings.BOUQUET, "CSV_UPLOAD_MAX_BYTES": 1024 * 1024}

    error = refused(account_buyer, b"sku,quantity\n" + b"ROSE,20\n" * 200_000)

    assert error.code == "file_too_large"
    assert error.message == "The file is 1.5 MB; the limit is 1.0 MB."


def test_names_missing_and_unknown_columns(account_buyer):
    error = refused(account_buyer, b"sku,qty,colour\nROSE,20,red\n")

    assert error.code == "wrong_columns"
    assert error.message.startswith("The header (line 1) lacks the column quantity; unknown columns qty, colour in the header (line 1).")
    assert "Expected columns: sku, quantity, and optionally po_number, ship_to, requested_delivery_date." in error.message


def test_reads_the_header_in_any_case_and_semicolons(account_buyer, catalogue):
    upload = run(account_buyer, "SKU;Quantity;PO_Number\nROSE;20;PO-1\nVASE;5;PO-1\n")

    assert upload.status == CsvUpload.Status.DONE
    order = Order.objects.get()
    assert order.po_number == "PO-1" and order.source == Order.Source.CSV
    assert sorted(order.lines.values_list("sku", "quantity")) == [("ROSE", 20), ("VASE", 5)]


def test_reads_mixed_line_endings_and_keeps_file_line_numbers(account_buyer, catalogue):
    upload = run(account_buyer, "sku,quantity\r\nROSE,20\nVASE,5\rNOPE,1\r\n\nOLD,1\n", mode=VALID)

    assert upload.total_rows == 4
    assert [(r["line"], r["code"]) for r in bad_rows(upload)] == [(4, "unknown_sku"), (6, "inactive_sku")]
    assert sorted(Order.objects.get().lines.values_list("sku", "quantity")) == [("ROSE", 20), ("VASE", 5)]


# --- Rows ----------------------------------------------------------------------------


def test_reports_every_bad_row_with_its_line_number_and_reason(account_buyer, catalogue, shop):
    elsewhere = ShipToAddressFactory(partner=PartnerFactory(code="OTHER"), label="Their shop")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    text = (
        "sku,quantity,po_number,ship_to,requested_delivery_date\n"
        "ROSE,20,PO-1,Main shop,\n"          # 2 fine
        "NOPE,10,PO-1,,\n"                    # 3 unknown
        "OLD,1,PO-1,,\n"                      # 4 inactive
        "ROSE,15,PO-1,,\n"                    # 5 off the case pack
        "VASE,2,PO-1,,\n"                     # 6 below the minimum
        "ROSE,ten,PO-2,,\n"                   # 7 not a number
        ",10,PO-2,,\n"                        # 8 no sku
        f"VASE,5,PO-3,,{yesterday}\n"         # 9 date in the past
        f"VASE,5,PO-3,{elsewhere.id},\n"      # 10 another partner's address
        "VASE,5,PO-3,,2026-13-45\n"           # 11 not a date
        "VASE,5,PO-3\n"                       # 12 too few values
    )

    upload = run(account_buyer, text)

    assert upload.status == CsvUpload.Status.INVALID and upload.processed_rows == upload.total_rows == 11
    assert [(r["line"], r["code"], r["detail"]) for r in bad_rows(upload)] == [
        (3, "unknown_sku", "Line 3: NOPE is not in the catalogue."),
        (4, "inactive_sku", "Line 4: OLD is no longer sold."),
        (5, "not_case_pack_multiple", "Line 5: ROSE comes in cases of 10; 15 is not a multiple of 10."),
        (6, "below_minimum", "Line 6: the minimum order for VASE is 5; got 2."),
        (7, "invalid_quantity", "Line 7: quantity for ROSE must be a whole number from 1 to 1000000."),
        (8, "sku_required", "Line 8: sku is required."),
        (9, "date_in_past", f"Line 9: requested_delivery_date {yesterday} is in the past."),
        (10, "invalid_ship_to", f"Line 10: ship_to {elsewhere.id} is not one of FERN's addresses (give its id or label)."),
        (11, "invalid_date", "Line 11: requested_delivery_date '2026-13-45' is not a date (YYYY-MM-DD)."),
        (12, "wrong_column_count", "Line 12: has 3 values; the header has 5 columns (sku, quantity, po_number, ship_to, requested_delivery_date)."),
    ]
    assert not Order.objects.exists()


def test_reports_ten_thousand_bad_rows_each_with_its_line(account_buyer, catalogue, django_assert_max_num_queries):
    text = "sku,quantity\n" + "".join(f"GONE-{n},10\n" for n in range(10_000))
    upload = create_csv_upload(partner=account_buyer, filename="bad.csv", raw=text.encode())

    # The products and the addresses are read once for the whole file, not per row.
    with django_assert_max_num_queries(8):
        upload = process_csv_upload(upload_id=upload.id)

    report = bad_rows(upload)
    assert upload.status == CsvUpload.Status.INVALID and len(report) == 10_000
    assert [r["line"] for r in report] == list(range(2, 10_002))
    assert report[-1]["detail"] == "Line 10001: GONE-9999 is not in the catalogue."


def test_all_or_nothing_places_nothing_when_one_row_is_bad(account_buyer, catalogue):
    upload = run(account_buyer, "sku,quantity,po_number\nROSE,20,PO-1\nVASE,5,PO-2\nROSE,3,PO-2\n")

    assert upload.status == CsvUpload.Status.INVALID and upload.orders_created == 0
    assert not Order.objects.exists() and not IdempotencyRecord.objects.exists()


def test_valid_rows_mode_places_only_the_valid_rows(account_buyer, catalogue):
    upload = run(account_buyer, "sku,quantity,po_number\nROSE,20,PO-1\nVASE,5,PO-2\nROSE,3,PO-2\nNOPE,1,PO-3\n", mode=VALID)

    assert upload.status == CsvUpload.Status.DONE and upload.orders_created == 2
    assert [(r["line"], r["code"]) for r in bad_rows(upload)] == [(4, "not_case_pack_multiple"), (5, "unknown_sku")]
    placed = {o.po_number: list(o.lines.values_list("sku", "quantity")) for o in Order.objects.all()}
    assert placed == {"PO-1": [("ROSE", 20)], "PO-2": [("VASE", 5)]}
    assert [o["order"] for o in placed_orders(upload)] == list(Order.objects.order_by("id").values_list("number", flat=True))


def test_valid_rows_mode_with_no_valid_row_is_rejected(account_buyer, catalogue):
    upload = run(account_buyer, "sku,quantity\nNOPE,1\n", mode=VALID)

    assert upload.status == CsvUpload.Status.INVALID and not Order.objects.exists()


# --- Grouping --------------------------------------------------------------------------


def test_rows_sharing_po_ship_to_and_date_become_one_order(account_buyer, catalogue, shop):
    depot = ShipToAddressFactory(partner=account_buyer, label="Depot")
    day = tomorrow()
    text = (
        "sku,quantity,po_number,ship_to,requested_delivery_date\n"
        f"ROSE,20,PO-1,Main shop,{day}\n"
        f"VASE,5,PO-1,main shop,{day}\n"        # labels match in any case
        f"VASE,5,PO-1,{depot.id},{day}\n"       # another address: another order
        "ROSE,10,PO-2,,\n"
        f"VASE,6,PO-1,Main shop,{day}\n"        # back to the first group
    )

    upload = run(account_buyer, text)

    assert upload.orders_created == 3
    orders = {(o.po_number, o.ship_to.label): o for o in Order.objects.select_related("ship_to")}
    first = orders[("PO-1", "Main shop")]
    assert first.requested_delivery_date.isoformat() == day
    assert sorted(first.lines.values_list("sku", "quantity")) == [("ROSE", 20), ("VASE", 11)]
    assert list(orders[("PO-1", "Depot")].lines.values_list("sku", "quantity")) == [("VASE", 5)]
    # Without a ship_to, intake picks the partner's default address.
    assert list(orders[("PO-2", "Main shop")].lines.values_list("sku", "quantity")) == [("ROSE", 10)]


def test_the_same_sku_twice_in_an_order_is_merged_and_the_sum_checked(account_buyer, catalogue):
    upload = run(account_buyer, "sku,quantity,po_number\nROSE,4,PO-1\nROSE,6,PO-1\nROSE,5,PO-2\nROSE,7,PO-2\n", mode=VALID)

    assert list(Order.objects.get().lines.values_list("sku", "quantity")) == [("ROSE", 10)]
    assert [(r["line"], r["detail"]) for r in bad_rows(upload)] == [
        (4, "Line 4: ROSE comes in cases of 10; 12 is not a multiple of 10 (merged with line 5 into 12)."),
        (5, "Line 5: ROSE comes in cases of 10; 12 is not a multiple of 10 (merged with line 4 into 12)."),
    ]


def test_an_order_over_the_line_limit_is_split_and_the_report_says_so(account_buyer, warehouses):
    Product.objects.bulk_create(
        Product(sku=f"BULK-{n:04d}", name=f"Bulk {n}", category="sundries", case_pack=1, list_price=Decimal("1.00"))
        for n in range(MAX_LINES * 2 + 1)
    )
    text = "sku,quantity,po_number\n" + "".join(f"BULK-{n:04d},1,PO-BIG\n" for n in range(MAX_LINES * 2 + 1))

    upload = run(account_buyer, text)

    assert upload.status == CsvUpload.Status.DONE and upload.orders_created == 3
    assert [o.lines.count() for o in Order.objects.order_by("id")] == [MAX_LINES, MAX_LINES, 1]
    assert set(Order.objects.values_list("po_number", flat=True)) == {"PO-BIG"}
    assert report_notes(upload) == [
        f"PO PO-BIG has {MAX_LINES * 2 + 1} lines; an order takes at most {MAX_LINES}, so it was split into 3 orders in file order."
    ]
    assert [o["first_line"] for o in placed_orders(upload)] == [2, MAX_LINES + 2, MAX_LINES * 2 + 2]


# --- Twice -----------------------------------------------------------------------------


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


def test_a_failure_midway_marks_the_upload_failed_and_a_rerun_places_nothing_twice(account_buyer, catalogue, monkeypatch):
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
    monkeypatch.setattr(processing, "place_order", lambda **kw: real_place_order(**kw) if kw["po_number"] == "PO-1" else 1 / 0)
    assert process_csv_upload(upload_id=upload.id).status == CsvUpload.Status.FAILED
    monkeypatch.setattr(processing, "place_order", real_place_order)


def test_a_failed_file_uploaded_again_replays_what_was_placed(account_buyer, catalogue, monkeypatch):
    raw = b"sku,quantity,po_number\nROSE,10,PO-1\nROSE,10,PO-2\n"
    fail_after_the_first_order(account_buyer, raw, monkeypatch)

    again = run(account_buyer, raw)

    assert again.status == CsvUpload.Status.DONE and Order.objects.count() == 2


def test_a_failed_file_uploaded_again_days_later_still_places_nothing_twice(account_buyer, catalogue, monkeypatch, settings):
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


def test_an_upload_over_its_time_budget_is_queued_again_and_finishes_in_the_next_task(account_buyer, catalogue,
                                                                                      django_capture_on_commit_callbacks):
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
