"""CSV imports run on a queue and a cluster of their own (review M-3): an upload's task
is enqueued on settings.Q_IMPORTS_CLUSTER, which the journey's workers never read, and
`manage.py run_workers --imports` (the Procfile's `imports`) serves it."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_q.brokers import get_broker

from orders.models import CsvUpload, Order, OrderStatus
from tests.support.journey import place
from tests.support.processes import environment_of_this_run, start_manage_command
from uploads.processing import create_csv_upload, enqueue_csv_upload

ROOT = Path(__file__).resolve().parents[2]


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds:.0f}s")


@pytest.mark.django_db
def test_an_upload_is_enqueued_on_the_imports_queue_not_the_journeys(
    portal, products, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post("/upload/", {"file": SimpleUploadedFile("a.csv", b"sku,quantity\nROSE-RED,20\n")})

    assert response.status_code == 302
    assert get_broker(settings.Q_IMPORTS_CLUSTER).queue_size() == 1
    assert get_broker().queue_size() == 0


@pytest.fixture
def start_workers(tmp_path):
    """Start `manage.py run_workers` with the given arguments against the test database
    and Redis; stop every one started when the test ends."""
    env = environment_of_this_run(Q_WORKERS="1")
    env.pop("Q_CLUSTER_NAME", None)
    started: list[subprocess.Popen] = []

    def start(*arguments: str) -> subprocess.Popen:
        log = tmp_path / f"workers{len(started)}.log"
        with log.open("wb") as out:
            process = start_manage_command(["run_workers", *arguments], env=env, log=out)
        started.append(process)
        return process

    yield start
    for process in started:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_journeys_workers_leave_an_import_to_the_imports_workers(
    start_workers, account_buyer, make_product, warehouses
):
    rose = make_product("ROSE", stock={warehouses["RTM"]: 500}, case_pack=10)
    upload = create_csv_upload(partner=account_buyer, filename="a.csv", raw=b"sku,quantity,po_number\nROSE,10,PO-1\n")
    enqueue_csv_upload(upload.id)
    start_workers()

    # The journey's cluster is up and working: it moves an order to the end...
    order = place(account_buyer, {rose.sku: 20})
    wait_for(lambda: Order.objects.get(id=order.id).status == OrderStatus.CONFIRMED, 90, "the journey moved no order")
    # ...and has left the import where it was.
    assert CsvUpload.objects.get(id=upload.id).status == CsvUpload.Status.QUEUED
    assert get_broker(settings.Q_IMPORTS_CLUSTER).queue_size() == 1

    start_workers("--imports")

    wait_for(
        lambda: CsvUpload.objects.get(id=upload.id).status == CsvUpload.Status.DONE,
        90,
        "the imports cluster did not import the upload",
    )
    assert Order.objects.filter(po_number="PO-1", source=Order.Source.CSV).count() == 1
