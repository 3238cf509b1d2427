"""Bad CSV files of order lines through both doors of the importer: the portal's upload
page and `manage.py import_orders`. A file that cannot be read is refused at once with
a reason and nothing stored; a file with bad rows is rejected as a whole with a report
naming every bad row (its file line, SKU and reason); files that are merely awkward (a
byte-order mark, mixed line endings) are read right; the same file twice places once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils.html import escape

from orders.exceptions import CsvFileError
from orders.models import CsvUpload, Order
from tests.support.bad_input import fifty_megabytes_of_csv, nothing_changes, today, yesterday
from uploads.files import read_csv_file
from uploads.processing import process_csv_upload
from uploads.reports import bad_rows

pytestmark = pytest.mark.django_db

DOORS = ["portal", "command"]
NOT_UTF8 = "the file is not UTF-8 (looks like Windows-1252/Latin-1?): save it as CSV UTF-8."
UTF16 = 'The file is UTF-16 ("Unicode text"), not UTF-8: save it as CSV UTF-8.'
LINES = "sku,quantity,po_number\nROSE-RED,20,PO-1\n"


def upload(world, door: str, raw: bytes, tmp_path, name="orders.csv"):
    """Send the file through a door; return (the refusal's text or None, the upload)."""
    if door == "portal":
        page = world.portal.post("/upload/", {"file": SimpleUploadedFile(name, raw, content_type="text/csv")})
        if page.status_code != 302:
            return page.content.decode(), None
        stored = CsvUpload.objects.get(id=page.url.rstrip("/").rsplit("/", 1)[-1])
        # What the upload's task does, here and now.
        return None, process_csv_upload(upload_id=stored.id)
    path = tmp_path / name
    path.write_bytes(raw)
    try:
        call_command("import_orders", str(path), "--partner", "FERN")
    except CommandError as error:
        return str(error), CsvUpload.objects.order_by("id").last()
    return None, CsvUpload.objects.order_by("id").last()


def says(refusal: str, door: str, message: str) -> bool:
    return (escape(message) if door == "portal" else message) in refusal


# --- Files that cannot be read: refused at once, nothing stored -------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            b"sku,qty\nROSE-RED,20\n",
            "The header (line 1) lacks the column quantity; unknown column qty in the header (line 1).",
            id="wrong column",
        ),
        pytest.param(b"sku\nROSE-RED\n", "The header (line 1) lacks the column quantity.", id="missing column"),
        pytest.param(
            b"sku,quantity,colour\nROSE-RED,20,red\n",
            "Unknown column colour in the header (line 1).",
            id="unknown column",
        ),
        pytest.param(
            b"sku,quantity,sku\nROSE-RED,20,ROSE-RED\n",
            "Column sku appears twice in the header (line 1).",
            id="repeated column",
        ),
        pytest.param(
            "sku,quantity,po_number\nROSE-RED,20,Café\n".encode("latin-1"), f"Line 2: {NOT_UTF8}", id="latin-1"
        ),
        pytest.param(
            "sku,quantity,po_number\nROSE-RED,20,PO-1\nROSE-RED,10,“PO-2”\n".encode("cp1252"),
            f"Line 3: {NOT_UTF8}",
            id="cp1252",
        ),
        pytest.param(LINES.encode("utf-16"), UTF16, id="UTF-16 with BOM"),
        pytest.param(LINES.encode("utf-16-le"), UTF16, id="UTF-16 LE without BOM"),
        pytest.param(LINES.encode("utf-16-be"), UTF16, id="UTF-16 BE without BOM"),
        pytest.param(
            b"sku,quantity\nROSE-RED,20\nROSE\x00RED,10\n",
            "Line 3 has a NUL byte, which text never has: save it as CSV UTF-8.",
            id="NUL byte",
        ),
        pytest.param(b"", "is empty", id="empty file"),
        pytest.param(b"\n\r\n  \n", "The file is empty", id="blank lines only"),
        pytest.param(b"sku,quantity\n", "The file has a header but no order lines.", id="header only"),
        pytest.param(
            b"\xef\xbb\xbfsku,quantity\r\n\r\n", "The file has a header but no order lines.", id="header only, with BOM"
        ),
        pytest.param(fifty_megabytes_of_csv, "50.0 MB; a file may be at most 5.0 MB.", id="50 MB"),
    ],
)
@pytest.mark.parametrize("door", DOORS)
def test_a_file_that_cannot_be_read_is_refused_saying_why_and_nothing_is_stored(world, door, raw, message, tmp_path):
    raw = raw() if callable(raw) else raw

    with nothing_changes():
        refusal, _ = upload(world, door, raw, tmp_path)

    assert refusal is not None and says(refusal, door, message), refusal[:3000]


def test_a_file_over_the_limit_is_refused_before_it_is_read(world, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_bytes(fifty_megabytes_of_csv())

    with path.open("rb") as handle:
        with pytest.raises(CsvFileError, match=r"The file is 50\.0 MB; a file may be at most 5\.0 MB\."):
            read_csv_file(handle)
        assert handle.tell() == 0


# --- Awkward but good files: read right ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "orders"),
    [
        # What Excel's "CSV UTF-8" writes: a byte-order mark and \r\n.
        pytest.param(
            "\ufeffsku,quantity,po_number\r\nROSE-RED,20,PO-BOM\r\nTULIP-YEL,100,PO-BOM\r\n",
            {"PO-BOM": [("ROSE-RED", 20), ("TULIP-YEL", 100)]},
            id="UTF-8 with BOM",
        ),
        pytest.param(
            "sku,quantity,po_number\r\nROSE-RED,20,PO-1\nTULIP-YEL,100,PO-1\rFERN-LEAF,20,PO-2\r\n",
            {"PO-1": [("ROSE-RED", 20), ("TULIP-YEL", 100)], "PO-2": [("FERN-LEAF", 20)]},
            id="mixed line endings",
        ),
    ],
)
@pytest.mark.parametrize("door", DOORS)
def test_an_awkward_but_good_file_is_accepted_and_read_right(world, door, text, orders, tmp_path):
    refusal, done = upload(world, door, text.encode(), tmp_path)

    assert refusal is None and done.status == CsvUpload.Status.DONE and not bad_rows(done)
    placed = {o.po_number: sorted(o.lines.values_list("sku", "quantity")) for o in Order.objects.all()}
    assert placed == orders


# --- Bad rows: the file is rejected whole, every bad row named ----------------------------------

HEADER = "sku,quantity,po_number,ship_to,requested_delivery_date\nFERN-LEAF,20,,,\n"


@pytest.mark.parametrize(
    ("row", "code", "detail"),
    [
        pytest.param("NOPE-1,10,,,", "unknown_sku", "Line 3: NOPE-1 is not in the catalogue.", id="unknown SKU"),
        pytest.param("GONE-1,10,,,", "inactive_sku", "Line 3: GONE-1 is no longer sold.", id="inactive SKU"),
        pytest.param(
            "ROSE-RED,15,,,",
            "not_case_pack_multiple",
            "Line 3: ROSE-RED comes in cases of 10; 15 is not a multiple of 10.",
            id="off the case pack",
        ),
        pytest.param(
            "ROSE-RED,0,,,",
            "invalid_quantity",
            "Line 3: quantity for ROSE-RED must be a whole number",
            id="zero quantity",
        ),
        pytest.param(
            "ROSE-RED,-10,,,",
            "invalid_quantity",
            "Line 3: quantity for ROSE-RED must be a whole number",
            id="negative quantity",
        ),
        pytest.param(
            "ROSE-RED,2.5,,,",
            "invalid_quantity",
            "Line 3: quantity for ROSE-RED must be a whole number",
            id="fractional quantity",
        ),
        pytest.param(
            "ROSE-RED,ten,,,",
            "invalid_quantity",
            "Line 3: quantity for ROSE-RED must be a whole number",
            id="quantity in words",
        ),
        pytest.param(
            "ROSE-RED,\u00b2,,,",
            "invalid_quantity",
            "Line 3: quantity for ROSE-RED must be a whole number",
            id="superscript two",
        ),
        pytest.param(
            "ROSE-RED,\u0663\u0660,,,",
            "invalid_quantity",
            "Line 3: quantity for ROSE-RED must be a whole number",
            id="Arabic-Indic digits",
        ),
        pytest.param(
            "ROSE-RED," + "9" * 5000 + ",,,",
            "invalid_quantity",
            "Line 3: quantity for ROSE-RED must be a whole number",
            id="5000 digits",
        ),
        pytest.param(
            "TULIP-YEL,50,,,",
            "below_minimum",
            "Line 3: the minimum order for TULIP-YEL is 100; got 50.",
            id="below the minimum",
        ),
        pytest.param(",10,,,", "sku_required", "Line 3: sku is required.", id="no SKU"),
        pytest.param(
            "ROSE-RED,10,,,{yesterday}",
            "delivery_date_unavailable",
            "Line 3: requested_delivery_date {yesterday} is not available: it is in the past; the next available "
            "date is {today}.",
            id="delivery date in the past",
        ),
        pytest.param(
            "ROSE-RED,10,,,2030-02-30",
            "invalid_date",
            "Line 3: requested_delivery_date '2030-02-30' is not a date",
            id="delivery date that is no date",
        ),
        pytest.param(
            "ROSE-RED,10,,{ivy},",
            "invalid_ship_to",
            "Line 3: ship_to {ivy} is not one of FERN's addresses",
            id="ship-to id of another partner",
        ),
        pytest.param(
            "ROSE-RED,10,,Ivy's shop,",
            "invalid_ship_to",
            "Line 3: ship_to Ivy's shop is not one of FERN's addresses",
            id="ship-to label of another partner",
        ),
        pytest.param(
            "ROSE-RED,10", "wrong_column_count", "Line 3: has 2 values; the header has 5 columns", id="too few values"
        ),
    ],
)
@pytest.mark.parametrize("door", DOORS)
def test_a_bad_row_rejects_the_file_and_the_report_names_its_line(world, door, row, code, detail, tmp_path):
    filled = {"yesterday": yesterday(), "today": today(), "ivy": world.ivy_address.id}
    row, detail = row.format(**filled), detail.format(**filled)

    with nothing_changes(but=("csv uploads",)):
        refusal, rejected = upload(world, door, f"{HEADER}{row}\n".encode(), tmp_path)

    assert rejected.status == CsvUpload.Status.INVALID and rejected.orders_created == 0
    assert [(r["line"], r["code"]) for r in bad_rows(rejected)] == [(3, code)]
    assert bad_rows(rejected)[0]["detail"].startswith(detail)
    if door == "portal":
        assert escape(detail) in world.portal.get(f"/upload/{rejected.id}/").content.decode()
    else:
        assert refusal == "Rejected: 1 bad row; nothing was placed."


def test_ten_thousand_bad_rows_stop_the_command_at_the_thousandth(world, tmp_path, capsys):
    text = "sku,quantity\nROSE-RED,20\n" + "".join(f"MISSING-{n},10\n" for n in range(10_000))

    with nothing_changes(but=("csv uploads",)):
        refusal, rejected = upload(world, "command", text.encode(), tmp_path)

    assert refusal == "Rejected: 1,000 bad rows; nothing was placed."
    out = capsys.readouterr().out
    reported = [line.strip() for line in out.splitlines() if line.strip().startswith("Line ")]
    assert reported == [f"Line {n + 3}: MISSING-{n} is not in the catalogue." for n in range(1_000)]
    assert "Checking stopped early at line 1,002: the rows after it were not checked." in out
    assert (rejected.problem_count, rejected.rows_ok, rejected.rows_refused) == (1_000, 1, 1_000)


def test_ten_thousand_bad_rows_keep_the_first_thousand_a_page_at_a_time(world, tmp_path):
    # Cases of 10 are checked on the sum of each order's lines, so no row is bad alone:
    # every row is checked, every problem counted, the first thousand kept.
    text = "sku,quantity,po_number\n" + "".join(f"ROSE-RED,{n * 10 + 5},PO-{n}\n" for n in range(10_000))

    with nothing_changes(but=("csv uploads",)):
        _, rejected = upload(world, "portal", text.encode(), tmp_path)

    assert (rejected.problem_count, rejected.rows_refused, rejected.stopped_at_line) == (10_000, 10_000, None)
    assert len(bad_rows(rejected)) == 1_000
    page = world.portal.get(f"/upload/{rejected.id}/?page=2").content.decode()
    assert "Problems (10,000)" in page and "Page 2 of 10" in page
    assert "The first 1,000 problems are kept" in page
    shown = [n for n in range(10_000) if f"Line {n + 2}: ROSE-RED comes in cases of 10; {n * 10 + 5} is" in page]
    assert shown == list(range(100, 200))


def test_ten_thousand_rows_of_one_sku_merged_into_one_bad_line_keep_the_first_thousand(world, tmp_path):
    text = "sku,quantity\n" + "ROSE-RED,1\n" * 9_999 + "ROSE-RED,2\n"

    with nothing_changes(but=("csv uploads",)):
        _, rejected = upload(world, "portal", text.encode(), tmp_path)

    report = bad_rows(rejected)
    assert rejected.status == CsvUpload.Status.INVALID and [r["line"] for r in report] == list(range(2, 1_002))
    assert rejected.problem_count == 10_000
    assert report[0]["detail"] == (
        "Line 2: ROSE-RED comes in cases of 10; 10001 is not a multiple of 10 "
        "(merged with line 3, 4, 5, 6, 7 and 9,994 more into 10001)."
    )
    assert report[-1]["detail"].endswith("(merged with line 2, 3, 4, 5, 6 and 9,994 more into 10001).")


# --- The same file twice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("portal", "portal", id="portal then portal"),
        pytest.param("command", "command", id="command then command"),
        pytest.param("portal", "command", id="portal then command"),
    ],
)
def test_the_same_file_twice_is_recognised_and_placed_once(world, first, second, tmp_path):
    raw = b"sku,quantity,po_number\nROSE-RED,20,PO-1\n"
    _, placed = upload(world, first, raw, tmp_path, name="monday.csv")

    with nothing_changes():
        refusal, _ = upload(world, second, raw, tmp_path, name="monday-again.csv")

    assert says(refusal, second, f"This file was already uploaded as upload #{placed.id} (monday.csv, ")
    assert Order.objects.count() == 1
