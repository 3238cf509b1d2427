"""Planning a file's orders (uploads/planning.py): every bad row reported with its line
number and reason, the two modes, and rows grouped into orders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import Product
from orders.models import CsvUpload, IdempotencyRecord, Order
from orders.validation import MAX_LINES
from partners.factories import PartnerFactory, ShipToAddressFactory
from tests.support.uploads import VALID, run
from uploads.processing import create_csv_upload, process_csv_upload
from uploads.reports import bad_rows, placed_orders, report_notes

pytestmark = pytest.mark.django_db


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def test_reports_every_bad_row_with_its_line_number_and_reason(account_buyer, catalogue, shop):
    elsewhere = ShipToAddressFactory(partner=PartnerFactory(code="OTHER"), label="Their shop")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    text = (
        "sku,quantity,po_number,ship_to,requested_delivery_date\n"
        "ROSE,20,PO-1,Main shop,\n"  # 2 fine
        "NOPE,10,PO-1,,\n"  # 3 unknown
        "OLD,1,PO-1,,\n"  # 4 inactive
        "ROSE,15,PO-1,,\n"  # 5 off the case pack
        "VASE,2,PO-1,,\n"  # 6 below the minimum
        "ROSE,ten,PO-2,,\n"  # 7 not a number
        ",10,PO-2,,\n"  # 8 no sku
        f"VASE,5,PO-3,,{yesterday}\n"  # 9 date in the past
        f"VASE,5,PO-3,{elsewhere.id},\n"  # 10 another partner's address
        "VASE,5,PO-3,,2026-13-45\n"  # 11 not a date
        "VASE,5,PO-3\n"  # 12 too few values
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
        (
            9,
            "delivery_date_unavailable",
            f"Line 9: requested_delivery_date {yesterday} is not available: it is in the past; the next available "
            f"date is {timezone.localdate()}.",
        ),
        (
            10,
            "invalid_ship_to",
            f"Line 10: ship_to {elsewhere.id} is not one of FERN's addresses (give its id or label).",
        ),
        (11, "invalid_date", "Line 11: requested_delivery_date '2026-13-45' is not a date (YYYY-MM-DD)."),
        (
            12,
            "wrong_column_count",
            "Line 12: has 3 values; the header has 5 columns (sku, quantity, po_number, ship_to, "
            "requested_delivery_date).",
        ),
    ]
    assert not Order.objects.exists()


def test_an_all_or_nothing_file_stops_at_the_thousandth_problem_and_keeps_those(
    account_buyer, catalogue, django_assert_max_num_queries
):
    text = "sku,quantity\n" + "".join(f"GONE-{n},10\n" for n in range(10_000))
    upload = create_csv_upload(partner=account_buyer, filename="bad.csv", raw=text.encode())

    # The products and the addresses are read once for the whole file, not per row.
    with django_assert_max_num_queries(8):
        upload = process_csv_upload(upload_id=upload.id)

    report = bad_rows(upload)
    assert upload.status == CsvUpload.Status.INVALID and len(report) == 1_000
    assert [r["line"] for r in report] == list(range(2, 1_002))
    assert report[-1]["detail"] == "Line 1001: GONE-999 is not in the catalogue."
    assert (upload.stopped_at_line, upload.problem_count, upload.rows_refused, upload.rows_ok) == (
        1_001,
        1_000,
        1_000,
        0,
    )


def test_all_or_nothing_places_nothing_when_one_row_is_bad(account_buyer, catalogue):
    upload = run(account_buyer, "sku,quantity,po_number\nROSE,20,PO-1\nVASE,5,PO-2\nROSE,3,PO-2\n")

    assert upload.status == CsvUpload.Status.INVALID and upload.orders_created == 0
    assert not Order.objects.exists() and not IdempotencyRecord.objects.exists()


def test_valid_rows_mode_places_only_the_valid_rows(account_buyer, catalogue):
    upload = run(
        account_buyer, "sku,quantity,po_number\nROSE,20,PO-1\nVASE,5,PO-2\nROSE,3,PO-2\nNOPE,1,PO-3\n", mode=VALID
    )

    assert upload.status == CsvUpload.Status.DONE and upload.orders_created == 2
    assert [(r["line"], r["code"]) for r in bad_rows(upload)] == [(4, "not_case_pack_multiple"), (5, "unknown_sku")]
    placed = {o.po_number: list(o.lines.values_list("sku", "quantity")) for o in Order.objects.all()}
    assert placed == {"PO-1": [("ROSE", 20)], "PO-2": [("VASE", 5)]}
    assert [o["order"] for o in placed_orders(upload)] == list(
        Order.objects.order_by("id").values_list("number", flat=True)
    )


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
        f"VASE,5,PO-1,main shop,{day}\n"  # labels match in any case
        f"VASE,5,PO-1,{depot.id},{day}\n"  # another address: another order
        "ROSE,10,PO-2,,\n"
        f"VASE,6,PO-1,Main shop,{day}\n"  # back to the first group
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
    upload = run(
        account_buyer, "sku,quantity,po_number\nROSE,4,PO-1\nROSE,6,PO-1\nROSE,5,PO-2\nROSE,7,PO-2\n", mode=VALID
    )

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
        f"PO PO-BIG has {MAX_LINES * 2 + 1} lines; an order takes at most {MAX_LINES}, "
        "so it was split into 3 orders in file order."
    ]
    assert [o["first_line"] for o in placed_orders(upload)] == [2, MAX_LINES + 2, MAX_LINES * 2 + 2]
