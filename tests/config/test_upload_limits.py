"""A file over its door's size limit is refused while it streams, before it is written
anywhere (config/upload_limits.py; review L-7): the portal's CSV upload and the back
office's imports. A recording handler after Django's own counts what would have been
written to disk."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import override_settings
from django.utils.html import escape

from inventory.models import Stock
from orders.models import CsvUpload
from partners.factories import UserFactory

pytestmark = pytest.mark.django_db

RECORDING = ["tests.config.test_upload_limits.RecordingHandler"]


class RecordingHandler(TemporaryFileUploadHandler):
    """Django's handler that writes uploads to disk, counting the bytes it was given."""

    written: list[int] = []

    def receive_data_chunk(self, raw_data, start):
        RecordingHandler.written.append(len(raw_data))
        return super().receive_data_chunk(raw_data, start)


@pytest.fixture(autouse=True)
def recorded():
    RecordingHandler.written = []
    with override_settings(FILE_UPLOAD_HANDLERS=RECORDING):
        yield RecordingHandler.written


@pytest.fixture
def bouquet(settings):
    settings.BOUQUET = {**settings.BOUQUET}
    return settings.BOUQUET


def csv_of(size: int) -> SimpleUploadedFile:
    header = b"sku,quantity\n"
    return SimpleUploadedFile("orders.csv", header + b"ROSE-RED,10\n" * ((size - len(header)) // 12 + 1))


def test_a_portal_upload_over_the_limit_is_refused_before_a_byte_is_written(portal, recorded):
    response = portal.post("/upload/", {"file": csv_of(8 * 1024 * 1024)})

    assert response.status_code == 413
    assert escape("The upload is 8.0 MB; a file may be at most 5.0 MB. Split it into smaller files.") in (
        response.content.decode()
    )
    assert "This field is required" not in response.content.decode()
    assert recorded == [] and not CsvUpload.objects.exists()


def test_a_portal_file_that_outgrows_the_limit_as_it_streams_is_stopped_at_the_limit(portal, recorded, bouquet):
    # Under the limit and the form's allowance by Content-Length, over the limit by count.
    bouquet["CSV_UPLOAD_MAX_BYTES"] = 100_000

    response = portal.post("/upload/", {"file": csv_of(120_000)})

    assert response.status_code == 413
    assert "The file is larger than 0.1 MB, the most a file may be." in response.content.decode()
    assert 0 < sum(recorded) <= 100_000 and not CsvUpload.objects.exists()


def test_a_portal_upload_under_the_limit_goes_through(portal, products, recorded):
    response = portal.post("/upload/", {"file": SimpleUploadedFile("a.csv", b"sku,quantity\nROSE-RED,20\n")})

    assert response.status_code == 302 and CsvUpload.objects.count() == 1


def test_an_admin_import_over_the_limit_is_refused_before_a_byte_is_written(client, recorded):
    client.force_login(UserFactory(username="clerk", is_staff=True, is_superuser=True))

    response = client.post(
        "/admin/inventory/stock/import/",
        {"format": "0", "resource": "0", "import_file": csv_of(12 * 1024 * 1024)},
    )

    assert response.status_code == 200 and response.context.get("confirm_form") is None
    assert [str(e) for e in response.context["form"].errors["import_file"]] == [
        "The upload is 12.0 MB; a file may be at most 10.0 MB. Split it into smaller files. Nothing was stored."
    ]
    assert recorded == [] and not Stock.objects.exists()
