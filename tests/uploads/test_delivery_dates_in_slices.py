"""A file placed in several task runs is planned as of its upload, so an order-by time
passing between runs neither rejects a file whose first orders exist nor shifts the
keys its orders are placed under; intake still judges each order when it places it."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fulfillment.factories import RouteFactory
from orders.models import CsvUpload, Order
from partners.factories import ShipToAddressFactory
from uploads.processing import create_csv_upload, process_csv_upload
from uploads.reports import bad_rows, placed_orders

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BEFORE_TWO = datetime(2026, 11, 30, 13, 59, 30, tzinfo=AMSTERDAM)
AFTER_TWO = datetime(2026, 11, 30, 14, 0, 30, tzinfo=AMSTERDAM)


@pytest.fixture
def shop(account_buyer, warehouses):
    route = RouteFactory(
        code="AMS-NL",
        warehouse=warehouses["AMS"],
        delivery_weekdays=[1, 2, 3, 4, 5, 6],
        order_by_time=time(14, 0),
        lead_days=1,
    )
    return ShipToAddressFactory(partner=account_buyer, label="Shop", is_default=True, route=route)


def test_an_order_by_time_passing_between_runs_refuses_only_the_orders_placed_after_it(account_buyer, catalogue, shop):
    text = "sku,quantity,po_number,requested_delivery_date\nROSE,10,PO-A,2026-12-01\nROSE,10,PO-B,2026-12-01\n"
    with time_machine.travel(BEFORE_TWO, tick=False):
        upload = create_csv_upload(partner=account_buyer, filename="orders.csv", raw=text.encode())
        first = process_csv_upload(upload_id=upload.id, time_budget=0)
    assert (first.status, Order.objects.count()) == (CsvUpload.Status.QUEUED, 1)

    with time_machine.travel(AFTER_TWO, tick=False):
        done = process_csv_upload(upload_id=upload.id, time_budget=0)

    placed = Order.objects.get()
    assert (done.status, done.orders_created, placed.po_number) == (CsvUpload.Status.DONE, 1, "PO-A")
    assert [(o["order"], o["po_number"]) for o in placed_orders(done)] == [(placed.number, "PO-A")]
    [refused] = bad_rows(done)
    assert (refused["line"], refused["code"], refused["reason"], refused["next_available"]) == (
        3,
        "delivery_date_unavailable",
        "cutoff_passed",
        "2026-12-02",
    )
    assert refused["detail"].startswith("Line 3: not placed: requested_delivery_date 2026-12-01 is not available")
