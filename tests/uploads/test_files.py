"""Reading a file (uploads/files.py): a file that is wrong as a whole is refused at once
with a clear reason and nothing stored; header and line endings are read as
spreadsheets write them."""

import pytest

from orders.exceptions import CsvFileError
from orders.models import CsvUpload, Order
from tests.support.uploads import VALID, run
from uploads.processing import create_csv_upload
from uploads.reports import bad_rows

pytestmark = pytest.mark.django_db


def refused(partner, raw: bytes) -> CsvFileError:
    with pytest.raises(CsvFileError) as error:
        create_csv_upload(partner=partner, filename="bad.csv", raw=raw)
    assert not CsvUpload.objects.exists() and not Order.objects.exists()
    return error.value


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
    assert error.message == "The file is 1.5 MB; a file may be at most 1.0 MB."


def test_names_missing_and_unknown_columns(account_buyer):
    error = refused(account_buyer, b"sku,qty,colour\nROSE,20,red\n")

    assert error.code == "wrong_columns"
    assert error.message.startswith(
        "The header (line 1) lacks the column quantity; unknown columns qty, colour in the header (line 1)."
    )
    assert (
        "Expected columns: sku, quantity, and optionally po_number, ship_to, requested_delivery_date." in error.message
    )


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
