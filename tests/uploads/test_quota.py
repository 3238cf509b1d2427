"""A partner's upload quota (uploads/quota.py; review M-3): one upload queued or
processing at a time, UPLOAD_QUOTA_PER_HOUR started an hour, held by the portal and by
`manage.py import_orders` alike, and two uploads at once cannot both start."""

import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from orders.models import CsvUpload
from partners.models import Partner
from uploads.exceptions import UploadInFlightError, UploadQuotaExceededError
from uploads.processing import create_csv_upload, process_csv_upload

pytestmark = pytest.mark.django_db


def file_number(n: int) -> bytes:
    return f"sku,quantity,po_number\nROSE,10,PO-{n}\n".encode()


@pytest.fixture
def bouquet(settings):
    settings.BOUQUET = {**settings.BOUQUET}
    return settings.BOUQUET


def finished_uploads(partner, count: int, *, ago=timedelta(0)) -> None:
    for n in range(count):
        upload = create_csv_upload(partner=partner, filename=f"{n}.csv", raw=file_number(n))
        CsvUpload.objects.filter(id=upload.id).update(status=CsvUpload.Status.DONE, created_at=timezone.now() - ago)


def test_a_second_upload_while_one_is_queued_is_refused_naming_it(account_buyer, catalogue):
    first = create_csv_upload(partner=account_buyer, filename="monday.csv", raw=file_number(1))

    with pytest.raises(UploadInFlightError) as refused:
        create_csv_upload(partner=account_buyer, filename="tuesday.csv", raw=file_number(2))

    assert refused.value.code == "upload_in_flight"
    assert refused.value.message == (
        f"Upload #{first.id} (monday.csv) is still being processed; upload the next file once it has finished."
    )
    assert CsvUpload.objects.count() == 1


def test_the_next_upload_starts_once_the_first_has_finished(account_buyer, catalogue, warehouses):
    first = create_csv_upload(partner=account_buyer, filename="monday.csv", raw=file_number(1))
    process_csv_upload(upload_id=first.id)

    assert create_csv_upload(partner=account_buyer, filename="tuesday.csv", raw=file_number(2)).status == "queued"


def test_another_partners_upload_in_flight_does_not_count(account_buyer, other_partner_user, catalogue):
    ivy = Partner.objects.get(code="IVY")
    create_csv_upload(partner=ivy, filename="ivy.csv", raw=file_number(1))

    assert create_csv_upload(partner=account_buyer, filename="fern.csv", raw=file_number(1)).status == "queued"


def test_the_hours_quota_refuses_the_next_upload_and_says_when(account_buyer, catalogue, bouquet):
    bouquet["UPLOAD_QUOTA_PER_HOUR"] = 3
    finished_uploads(account_buyer, 3)

    with pytest.raises(UploadQuotaExceededError) as refused:
        create_csv_upload(partner=account_buyer, filename="fourth.csv", raw=file_number(4))

    assert refused.value.code == "upload_quota_exceeded"
    assert refused.value.message.startswith(
        "FERN has started 3 uploads in the last hour, the most an hour takes; the next one can start at "
    )
    assert CsvUpload.objects.count() == 3


def test_uploads_older_than_an_hour_leave_the_quota(account_buyer, catalogue, bouquet):
    bouquet["UPLOAD_QUOTA_PER_HOUR"] = 3
    finished_uploads(account_buyer, 3, ago=timedelta(minutes=61))

    assert create_csv_upload(partner=account_buyer, filename="fourth.csv", raw=file_number(4)).status == "queued"


def test_the_default_quota_is_twenty_an_hour(account_buyer, catalogue):
    finished_uploads(account_buyer, 20)

    with pytest.raises(UploadQuotaExceededError):
        create_csv_upload(partner=account_buyer, filename="21st.csv", raw=file_number(21))


def test_the_portal_refuses_an_upload_in_flight_with_a_link_to_it(portal, products, account_buyer, buyer):
    first = create_csv_upload(
        partner=account_buyer, user=buyer, filename="monday.csv", raw=b"sku,quantity\nROSE-RED,20\n"
    )

    response = portal.post("/upload/", {"file": SimpleUploadedFile("tuesday.csv", b"sku,quantity\nROSE-RED,30\n")})

    html = response.content.decode()
    assert response.status_code == 409
    assert f"Upload #{first.id} (monday.csv) is still being processed" in html
    assert f'href="/upload/{first.id}/"' in html


def test_the_portal_refuses_an_upload_past_the_quota_with_429(portal, products, account_buyer, bouquet):
    bouquet["UPLOAD_QUOTA_PER_HOUR"] = 1
    finished_uploads(account_buyer, 1)

    response = portal.post("/upload/", {"file": SimpleUploadedFile("b.csv", b"sku,quantity\nROSE-RED,30\n")})

    assert response.status_code == 429
    assert "FERN has started 1 uploads in the last hour" in response.content.decode()


def test_the_command_keeps_the_quota_unless_told_to_ignore_it(account_buyer, catalogue, warehouses, bouquet, tmp_path):
    bouquet["UPLOAD_QUOTA_PER_HOUR"] = 1
    finished_uploads(account_buyer, 1)
    path = tmp_path / "backlog.csv"
    path.write_bytes(file_number(9))

    with pytest.raises(CommandError, match="FERN has started 1 uploads in the last hour"):
        call_command("import_orders", str(path), "--partner", "FERN")
    call_command("import_orders", str(path), "--partner", "FERN", "--ignore-quota")

    assert CsvUpload.objects.latest("id").status == CsvUpload.Status.DONE


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_uploads_of_one_partner_started_at_once_on_several_threads_start_one(account_buyer, catalogue):
    threads_count = 6
    start = threading.Barrier(threads_count)
    outcomes: list[str] = []

    def upload(n: int):
        try:
            start.wait()
            create_csv_upload(partner=account_buyer, filename=f"{n}.csv", raw=file_number(n))
            outcomes.append("started")
        except UploadInFlightError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused"] * (threads_count - 1) + ["started"]
    assert CsvUpload.objects.count() == 1
