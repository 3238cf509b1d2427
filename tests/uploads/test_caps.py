"""The caps that keep one file from taking the portal down (issue 14, review M-5): rows
a file, problems a report (with counts of them all), and an all-or-nothing file that
stops being checked once it has found the report's worth of problems."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.exceptions import CsvFileError
from orders.models import CsvUpload, Order
from tests.support.uploads import VALID, run
from uploads.processing import create_csv_upload
from uploads.reports import bad_rows, problem_page

pytestmark = pytest.mark.django_db


def rows(count: int, line: str = "ROSE,10\n") -> bytes:
    return ("sku,quantity\n" + line * count).encode()


def test_a_file_of_more_rows_than_the_cap_is_refused_naming_the_cap_and_nothing_is_stored(account_buyer, catalogue):
    with pytest.raises(CsvFileError) as refused:
        create_csv_upload(partner=account_buyer, filename="big.csv", raw=rows(50_001))

    assert refused.value.code == "too_many_rows"
    assert refused.value.message == (
        "The file has more than 50,000 rows: row 50,001 is on line 50,002, and a file takes at most 50,000 rows. "
        "Split it into smaller files. Nothing was stored."
    )
    assert not CsvUpload.objects.exists()


def test_a_file_of_exactly_the_cap_is_taken(account_buyer, catalogue):
    upload = create_csv_upload(partner=account_buyer, filename="full.csv", raw=rows(50_000))

    assert upload.total_rows == 50_000


def test_five_megabytes_of_bad_rows_are_refused_at_once_by_the_row_cap(account_buyer, catalogue):
    # The review's file: 5 MiB of "x,1" lines, 1.3 million bad rows.
    raw = b"sku,quantity\n" + b"x,1\n" * ((5 * 1024 * 1024 - 13) // 4)

    with pytest.raises(CsvFileError) as refused:
        create_csv_upload(partner=account_buyer, filename="bad.csv", raw=raw)

    assert refused.value.code == "too_many_rows" and "at most 50,000 rows" in refused.value.message
    assert not CsvUpload.objects.exists()


def test_valid_rows_mode_checks_every_row_and_keeps_the_first_thousand_problems(account_buyer, catalogue):
    text = "sku,quantity,po_number\nROSE,20,PO-1\n" + "".join(f"GONE-{n},10,PO-1\n" for n in range(1_500))

    upload = run(account_buyer, text, mode=VALID)

    assert upload.status == CsvUpload.Status.DONE and Order.objects.count() == 1
    assert (upload.problem_count, upload.rows_refused, upload.rows_ok, upload.stopped_at_line) == (
        1_500,
        1_500,
        1,
        None,
    )
    kept = bad_rows(upload)
    assert [p["line"] for p in kept] == list(range(3, 1_003))
    assert kept[-1]["detail"] == "Line 1002: GONE-999 is not in the catalogue."


def test_an_all_or_nothing_file_stops_at_the_row_of_the_thousandth_problem(account_buyer, catalogue):
    # Two problems on one row (an unknown SKU on a date in the past) count as two.
    good = "ROSE,20,\n" * 10
    bad = "".join(f"GONE-{n},10,2000-01-01\n" for n in range(600))
    text = "sku,quantity,requested_delivery_date\n" + good + bad

    upload = run(account_buyer, text)

    assert upload.status == CsvUpload.Status.INVALID and upload.stopped_at_line == 12 + 499
    assert (upload.problem_count, upload.rows_refused, upload.rows_ok) == (1_000, 500, 10)
    assert len(bad_rows(upload)) == 1_000 and bad_rows(upload)[-1]["line"] == 511
    assert not Order.objects.exists()


def test_an_all_or_nothing_file_under_the_cap_is_checked_to_the_end(account_buyer, catalogue):
    text = "sku,quantity\n" + "".join(f"GONE-{n},10\n" for n in range(999)) + "ROSE,20\n"

    upload = run(account_buyer, text)

    assert upload.stopped_at_line is None
    assert (upload.problem_count, upload.rows_refused, upload.rows_ok) == (999, 999, 1)


def test_a_page_of_problems_is_sliced_in_the_database(account_buyer, catalogue):
    upload = run(account_buyer, "sku,quantity\n" + "".join(f"GONE-{n},10\n" for n in range(250)))

    with CaptureQueriesContext(connection) as queries:
        page = problem_page(upload_id=upload.id, number=3)

    assert (page.number, page.pages, page.kept) == (3, 3, 250)
    assert [p["line"] for p in page.problems] == list(range(202, 252))
    # The stored list leaves PostgreSQL only through the functions that measure and slice it.
    for query in queries.captured_queries:
        sql = query["sql"].replace('jsonb_array_length("orders_csvupload"."problems")', "")
        sql = sql.replace('jsonb_path_query_array("orders_csvupload"."problems"', "")
        assert '"problems"' not in sql, query["sql"]


@pytest.mark.parametrize(("asked", "given"), [(0, 1), (-4, 1), (99, 3)])
def test_a_page_out_of_range_gives_the_nearest(account_buyer, catalogue, asked, given):
    upload = run(account_buyer, "sku,quantity\n" + "".join(f"GONE-{n},10\n" for n in range(250)))

    assert problem_page(upload_id=upload.id, number=asked).number == given
