"""The CSV upload in real Chromium: a file with bad rows gets its report, and a
10,000-line file is placed while the progress bar advances, without a page reload.

The import runs in the background as in production, but without a django-q2 cluster:
a worker thread here picks up queued uploads and runs `import_csv_upload_task` on its
own database connection (a qcluster subprocess would need the test database's name,
Redis and a warm-up, and a lost task would hang the test instead of failing it)."""

import threading
import time

import pytest
from django.db import connections

from inventory.factories import ProductFactory
from orders.models import CsvUpload, Order
from partners.factories import MembershipFactory, PartnerFactory, ShipToAddressFactory, UserFactory
from tests.support.browser import log_in
from uploads.tasks import import_csv_upload_task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def buyer(warehouses):
    partner = PartnerFactory(code="FERN", name="Fern Garden Centre", home_warehouse=warehouses["RTM"])
    ShipToAddressFactory(partner=partner, label="Garden centre", is_default=True)
    user = UserFactory(username="fernbuyer")
    MembershipFactory(user=user, partner=partner)
    return user


@pytest.fixture
def catalogue(db):
    return [ProductFactory(sku=f"RO-{n:03d}", name=f"Rose {n}", case_pack=10, list_price="0.50") for n in range(100)]


@pytest.fixture
def upload_worker():
    """Run queued uploads in a thread of their own, like a django-q2 worker would."""
    stop = threading.Event()
    failures: list[BaseException] = []

    def work():
        try:
            while not stop.is_set():
                queued = list(CsvUpload.objects.filter(status=CsvUpload.Status.QUEUED).values_list("id", flat=True))
                for upload_id in queued:
                    import_csv_upload_task(upload_id)
                stop.wait(0.2)
        except BaseException as exc:  # surfaced by the test, not lost in the thread
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, name="csv-upload-worker", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the upload worker did not stop"
    assert not failures, failures


def choose_file(page, name: str, text: str, *, valid_rows_only: bool = False) -> None:
    page.goto("/upload/")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])
    if valid_rows_only:
        page.check("input[name=valid_rows_only]")


def test_a_file_with_bad_rows_gets_a_report_of_every_bad_row(page, screenshot, buyer, catalogue, upload_worker):
    log_in(page, "fernbuyer", "bouquet-test", login_path="/accounts/login/")
    choose_file(
        page, "monday.csv", "sku,quantity,po_number\nRO-001,20,PO-1\nNOPE-9,10,PO-1\nRO-002,15,PO-1\nRO-003,30,PO-2\n"
    )
    screenshot("upload-form")

    page.click("#upload-submit")

    page.wait_for_selector("#upload-progress[data-status=invalid]")
    page.wait_for_selector("#report-table")  # fetched once the upload has finished
    rows = page.locator("#report-table tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().split("\t")[:2] == ["3", "NOPE-9"]
    assert "Line 3: NOPE-9 is not in the catalogue." in rows.nth(0).inner_text()
    assert "Line 4: RO-002 comes in cases of 10; 15 is not a multiple of 10." in rows.nth(1).inner_text()
    assert "Rejected: nothing was placed" in page.inner_text("#upload-progress")
    screenshot("upload-report")
    assert not Order.objects.exists()


def test_a_ten_thousand_line_file_advances_the_progress_bar_to_done(page, screenshot, buyer, catalogue, upload_worker):
    # 1,000 purchase orders of 10 lines: a few seconds of work, long enough to watch.
    text = "sku,quantity,po_number\n" + "".join(f"RO-{n % 100:03d},10,PO-{n // 10:04d}\n" for n in range(10_000))
    log_in(page, "fernbuyer", "bouquet-test", login_path="/accounts/login/")
    choose_file(page, "big.csv", text)
    page.click("#upload-submit")
    page.wait_for_url("**/upload/*/")
    loaded_at = page.evaluate("performance.timeOrigin")

    values: list[int] = []
    started = time.monotonic()
    while time.monotonic() - started < 60 and not page.locator("#upload-progress[data-status=done]").count():
        values.append(int(page.locator("#upload-bar").get_attribute("value")))
        if 0 < values[-1] < 10_000 and not any(0 < v < 10_000 for v in values[:-1]):
            screenshot("upload-progress")  # the first time the bar is part-way
        page.wait_for_timeout(300)
    elapsed = time.monotonic() - started

    page.wait_for_selector("#upload-progress[data-status=done]")
    page.wait_for_selector("#orders-table", state="attached")  # fetched once the upload has finished (folded)
    screenshot("upload-done")
    assert any(0 < v < 10_000 for v in values), f"no intermediate progress seen: {values}"
    assert values == sorted(values)
    assert page.inner_text("#rows-processed") == "10,000" and page.inner_text("#orders-created") == "1,000"
    assert page.locator("#orders-table tbody tr").count() == 1_000
    # htmx swapped the partial in place: the page itself was never reloaded.
    assert page.evaluate("performance.timeOrigin") == loaded_at
    assert Order.objects.count() == 1_000 and CsvUpload.objects.get().status == CsvUpload.Status.DONE
    print(f"\n10,000 lines -> 1,000 orders, done on screen after {elapsed:.1f} s")
