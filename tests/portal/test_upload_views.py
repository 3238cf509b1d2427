"""The portal's CSV upload pages: the form and its refusals, the status page and its
htmx progress partial, the sample CSV, and one partner never seeing another's upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import CsvUpload, Order
from uploads.processing import create_csv_upload, process_csv_upload

pytestmark = pytest.mark.django_db


def csv_file(text: str | bytes, name="orders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def test_the_form_offers_the_file_the_choice_and_the_sample(portal):
    response = portal.get("/upload/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and 'name="valid_rows_only"' in html and "Place only the valid rows" in html
    assert 'href="/upload/sample.csv"' in html


def test_signed_out_users_are_sent_to_the_login(client, db):
    response = client.get("/upload/")

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_user_without_a_partner_is_refused(client, db):
    from partners.factories import UserFactory

    client.force_login(UserFactory(username="loner"))

    assert client.get("/upload/").status_code == 403


def test_uploading_stores_the_file_queues_it_and_shows_its_status(
    portal, products, buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = portal.post("/upload/", {"file": csv_file("sku,quantity\nROSE-RED,20\n")})

    upload = CsvUpload.objects.get()
    assert response.status_code == 302 and response.url == f"/upload/{upload.id}/"
    assert (upload.status, upload.mode, upload.uploaded_by, upload.total_rows) == ("queued", "all", buyer, 1)
    assert len(callbacks) == 1  # the one task, enqueued after commit
    page = portal.get(response.url).content.decode()
    assert 'hx-trigger="every 1s"' in page and f'hx-get="/upload/{upload.id}/progress/"' in page
    assert '0</span> of <span id="rows-total">1</span> rows processed' in page


def test_the_checkbox_chooses_valid_rows_only(portal, products):
    portal.post("/upload/", {"file": csv_file("sku,quantity\nROSE-RED,20\n"), "valid_rows_only": "on"})

    assert CsvUpload.objects.get().mode == CsvUpload.Mode.VALID_ROWS


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "sku,quantity\nROSE-RED,20,Noël\n".encode("cp1252"),
            "the file is not UTF-8 (looks like Windows-1252/Latin-1?): save it as CSV UTF-8",
        ),
        (b"", "The submitted file is empty."),
        (b"\n\n", "The file is empty: it needs a header (sku,quantity) and at least one order line."),
        (
            b"sku,qty\nROSE-RED,20\n",
            "The header (line 1) lacks the column quantity; unknown column qty in the header (line 1).",
        ),
    ],
)
def test_an_unreadable_file_is_refused_on_the_form_and_nothing_is_stored(portal, products, raw, message):
    response = portal.post("/upload/", {"file": csv_file(raw)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CsvUpload.objects.exists()


def test_the_same_file_twice_is_refused_with_a_link_to_the_first(portal, products):
    portal.post("/upload/", {"file": csv_file("sku,quantity\nROSE-RED,20\n", "monday.csv")})
    first = CsvUpload.objects.get()

    response = portal.post("/upload/", {"file": csv_file("sku,quantity\nROSE-RED,20\n", "again.csv")})

    html = response.content.decode()
    assert response.status_code == 409
    assert f"This file was already uploaded as upload #{first.id} (monday.csv," in html
    assert f'href="/upload/{first.id}/"' in html
    assert CsvUpload.objects.count() == 1


def test_a_finished_upload_shows_its_orders_and_every_bad_row(portal, products, account_buyer, buyer):
    raw = b"sku,quantity,po_number\nROSE-RED,20,PO-1\nNOPE,10,PO-1\nTULIP-YEL,50,PO-2\n"
    upload = create_csv_upload(
        partner=account_buyer, user=buyer, filename="mixed.csv", raw=raw, mode=CsvUpload.Mode.VALID_ROWS
    )
    process_csv_upload(upload_id=upload.id)
    order = Order.objects.get()

    html = portal.get(f"/upload/{upload.id}/").content.decode()

    assert "hx-trigger" not in html
    assert '3</span> of <span id="rows-total">3</span> rows processed' in html
    assert '<span id="rows-ok">1</span> row ok · <span id="rows-refused">2</span> rows refused' in html
    assert f'<a href="/orders/{order.number}/">{order.number}</a>' in html
    assert "Line 3: NOPE is not in the catalogue." in html
    assert "Line 4: the minimum order for TULIP-YEL is 100; got 50." in html


def test_the_polled_partial_of_a_finished_upload_has_its_counts_and_fetches_the_report_once(
    portal, products, account_buyer, buyer
):
    raw = b"sku,quantity,po_number\nROSE-RED,20,PO-1\nNOPE,10,PO-1\nTULIP-YEL,50,PO-2\n"
    upload = create_csv_upload(
        partner=account_buyer, user=buyer, filename="mixed.csv", raw=raw, mode=CsvUpload.Mode.VALID_ROWS
    )
    process_csv_upload(upload_id=upload.id)

    html = portal.get(f"/upload/{upload.id}/progress/").content.decode()
    report = portal.get(f"/upload/{upload.id}/report/").content.decode()

    assert 'hx-trigger="every 1s"' not in html
    assert '<span id="rows-refused">2</span> rows refused · <span id="problem-count">2</span> problems' in html
    assert "NOPE" not in html and "report-table" not in html and "orders-table" not in html
    assert f'hx-get="/upload/{upload.id}/report/" hx-trigger="load" hx-swap="outerHTML"' in html
    assert "<html" not in report and 'id="report-table"' in report and "Line 3: NOPE is not in the catalogue." in report


def test_the_report_is_paged_a_hundred_problems_at_a_time(portal, products, account_buyer, buyer):
    raw = ("sku,quantity\n" + "".join(f"NOPE-{n},10\n" for n in range(250))).encode()
    upload = create_csv_upload(partner=account_buyer, user=buyer, filename="bad.csv", raw=raw)
    process_csv_upload(upload_id=upload.id)

    first = portal.get(f"/upload/{upload.id}/").content.decode()
    last = portal.get(f"/upload/{upload.id}/?page=3").content.decode()

    assert first.count("is not in the catalogue.</td>") == 100 and "Line 101: NOPE-99 " in first
    assert "Page 1 of 3" in first and f'href="/upload/{upload.id}/?page=2#report-heading" rel="next"' in first
    assert last.count("is not in the catalogue.</td>") == 50 and "Line 251: NOPE-249 " in last
    assert "Page 3 of 3" in last and 'rel="next"' not in last


def test_five_megabytes_of_bad_rows_are_refused_on_the_form_by_the_row_cap(portal, products):
    raw = b"sku,quantity\n" + b"x,1\n" * ((5 * 1024 * 1024 - 13) // 4)

    response = portal.post("/upload/", {"file": csv_file(raw)})

    assert response.status_code == 400
    assert "The file has more than 50,000 rows: row 50,001 is on line 50,002" in response.content.decode()
    assert not CsvUpload.objects.exists()


def test_a_rejected_upload_says_nothing_was_placed(portal, products, account_buyer, buyer):
    upload = create_csv_upload(
        partner=account_buyer, user=buyer, filename="bad.csv", raw=b"sku,quantity\nROSE-RED,15\n"
    )
    process_csv_upload(upload_id=upload.id)

    html = portal.get(f"/upload/{upload.id}/").content.decode()

    assert "Rejected: nothing was placed" in html and "no order was placed" in html
    assert "Line 2: ROSE-RED comes in cases of 10; 15 is not a multiple of 10." in html


def test_the_progress_partial_is_a_fragment_while_running(portal, products, account_buyer, buyer):
    upload = create_csv_upload(
        partner=account_buyer, user=buyer, filename="a.csv", raw=b"sku,quantity\nROSE-RED,20\nROSE-RED,20\n"
    )
    CsvUpload.objects.filter(id=upload.id).update(status=CsvUpload.Status.PROCESSING, processed_rows=1)

    html = portal.get(f"/upload/{upload.id}/progress/").content.decode()

    assert "<html" not in html and 'hx-trigger="every 1s"' in html
    assert 'max="2" value="1">50%</progress>' in html


def test_another_partners_upload_is_not_found(client, other_partner_user, account_buyer, products):
    upload = create_csv_upload(partner=account_buyer, filename="a.csv", raw=b"sku,quantity\nROSE-RED,20\n")
    client.force_login(other_partner_user)

    assert client.get(f"/upload/{upload.id}/").status_code == 404
    assert client.get(f"/upload/{upload.id}/progress/").status_code == 404
    assert "a.csv" not in client.get("/upload/").content.decode()


def test_the_sample_csv_lists_active_products_of_the_catalogue(portal, products, ship_tos):
    response = portal.get("/upload/sample.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == "sku,quantity,po_number,ship_to,requested_delivery_date"
    skus = {line.split(",")[0] for line in lines[1:]}
    assert "GONE-1" not in skus and {"ROSE-RED", "TULIP-YEL"} <= skus
    assert any(line.startswith("TULIP-YEL,100,") for line in lines)
