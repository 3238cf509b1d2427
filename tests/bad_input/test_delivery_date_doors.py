"""The same bad delivery date through every door: the API, the portal's checkout and
quick order, a CSV upload in the portal and `manage.py import_orders`. Each gives code
delivery_date_unavailable with the same reason and next available date (the promise's
one detail, naming the date), and places nothing. Orders without a date get the
earliest option through each door; an order accepted before a holiday keeps its date,
route and order-by moment, and the next order cannot take that date.

The clock: Monday 30 Nov 2026, 14:30 in Amsterdam. FERN's garden centre (its default
address) is on AMS-NL (Mon-Sat, order by 14:00 the day before), with a holiday on
Thursday 3 Dec: Tuesday's order-by time has passed, Wednesday is the earliest option."""

import io
import uuid
from datetime import date, time

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils.html import escape

from fulfillment.routes import set_date_exception, upsert_route
from orders.cart import add_to_cart, get_or_create_cart
from orders.intake_answer import delivery_snapshot
from orders.models import CsvUpload, Order
from tests.support.bad_input import nothing_changes
from tests.support.routes import amsterdam, put_on
from uploads.processing import process_csv_upload
from uploads.reports import bad_rows

pytestmark = pytest.mark.django_db

DOORS = ["api", "checkout", "quick order", "csv upload", "import_orders"]
CSV_HEADER = "sku,quantity,po_number,ship_to,requested_delivery_date\n"
BAD_DATES = [
    pytest.param(
        "2026-12-01",
        "cutoff_passed",
        "2026-12-02",
        "requested_delivery_date 2026-12-01 is not available: its order-by time has passed; the next available "
        "date is 2026-12-02.",
        id="order-by time passed",
    ),
    pytest.param(
        "2026-12-03",
        "holiday",
        "2026-12-04",
        "requested_delivery_date 2026-12-03 is not available: route AMS-NL does not deliver that day (a holiday); "
        "the next available date is 2026-12-04.",
        id="a holiday on the route",
    ),
    pytest.param(
        "2026-12-06",
        "no_delivery_day",
        "2026-12-07",
        "requested_delivery_date 2026-12-06 is not available: route AMS-NL does not deliver on Sundays; the next "
        "available date is 2026-12-07.",
        id="a weekday the route skips",
    ),
]


@pytest.fixture
def clock():
    with time_machine.travel(amsterdam(2026, 11, 30, 14, 30), tick=False) as traveller:
        yield traveller


@pytest.fixture
def ams(clock, world, warehouses):
    """World's default address on AMS-NL with a holiday on 3 Dec; one line in the cart."""
    route = put_on("AMS-NL", warehouses, world.ship_tos[0])
    set_date_exception(route=route, day=date(2026, 12, 3), delivers=False, note="closed")
    add_to_cart(user=world.buyer, sku="ROSE-RED", quantity=20)
    world.route = route
    return world


def through(door: str, world, day: str, tmp_path) -> dict:
    """Ask for delivery on `day` (None: no date) through `door`; return what it said:
    the API's and the CSV report's code, reason, next_available and detail, the
    portal's page, the command's output."""
    if door == "api":
        body = {"lines": [{"sku": "ROSE-RED", "quantity": 20}], **({"requested_delivery_date": day} if day else {})}
        answer = world.api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        return {"status": answer.status_code, **answer.json()}
    if door in ("checkout", "quick order"):
        cart = get_or_create_cart(world.buyer)
        fields = {"ship_to": world.ship_tos[0].id, "requested_delivery_date": day or ""}
        if door == "checkout":
            page = world.portal.post(
                "/cart/", {"action": "checkout", "idempotency_key": cart.idempotency_key, "po_number": "", **fields}
            )
        else:
            page = world.portal.post("/quick-order/", {"sku_1": "FERN-LEAF", "quantity_1": "20", **fields})
        return {"status": page.status_code, "page": page.content.decode()}
    raw = f"{CSV_HEADER}ROSE-RED,20,,,{day or ''}\n".encode()
    if door == "csv upload":
        page = world.portal.post("/upload/", {"file": SimpleUploadedFile("orders.csv", raw, content_type="text/csv")})
        upload = process_csv_upload(upload_id=int(page.url.rstrip("/").rsplit("/", 1)[-1]))
        report = world.portal.get(f"/upload/{upload.id}/").content.decode()
        return {"upload": upload, "rows": bad_rows(upload), "page": report}
    path = tmp_path / "orders.csv"
    path.write_bytes(raw)
    out = io.StringIO()
    try:
        call_command("import_orders", str(path), "--partner", "FERN", stdout=out)
    except CommandError as error:
        return {"upload": CsvUpload.objects.latest("id"), "output": out.getvalue(), "refusal": str(error)}
    return {"upload": CsvUpload.objects.latest("id"), "output": out.getvalue()}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(("day", "reason", "next_available", "detail"), BAD_DATES)
def test_the_same_bad_date_is_refused_alike_by_every_door_and_places_nothing(
    clock, ams, door, day, reason, next_available, detail, tmp_path
):
    particulars = {
        "field": "requested_delivery_date",
        "code": "delivery_date_unavailable",
        "date": day,
        "reason": reason,
        "next_available": next_available,
    }

    with nothing_changes(but=("csv uploads",)):
        said = through(door, ams, day, tmp_path)

    if door == "api":
        assert said["status"] == 422
        assert {name: said[name] for name in particulars} == particulars
        assert said["detail"] == detail
    elif door in ("checkout", "quick order"):
        # On the date field, the cart (and quick order's rows) kept.
        assert said["status"] == 200
        assert f'id="id_requested_delivery_date-error" role="alert">{escape(detail)}</p>' in said["page"]
    else:
        [row] = bad_rows(said["upload"])
        assert {name: row[name] for name in particulars} == particulars
        assert row["detail"] == f"Line 2: {detail}"
        assert said["upload"].status == CsvUpload.Status.INVALID
        if door == "csv upload":
            assert f"<td>{escape(row['detail'])}</td>" in said["page"]
        else:
            assert f"  Line 2: {detail}\n" in said["output"]
            assert said["refusal"] == "Rejected: 1 bad row; nothing was placed."


@pytest.mark.parametrize("door", DOORS)
def test_an_order_without_a_date_is_placed_for_the_earliest_option_by_every_door(clock, ams, door, tmp_path):
    if door == "quick order":
        through(door, ams, None, tmp_path)  # into the cart, no date chosen
        door = "checkout"

    through(door, ams, None, tmp_path)

    order = Order.objects.get()
    assert (order.requested_delivery_date, order.route, order.order_by) == (
        date(2026, 12, 2),
        ams.route,
        amsterdam(2026, 12, 1, 14, 0),
    )


def test_an_accepted_order_keeps_its_date_route_and_order_by_when_the_calendar_changes(clock, ams, tmp_path):
    answer = through("api", ams, "2026-12-02", tmp_path)
    through("checkout", ams, "2026-12-04", tmp_path)
    before = list(Order.objects.order_by("id").values_list("requested_delivery_date", "route", "order_by"))

    set_date_exception(route=ams.route, day=date(2026, 12, 2), delivers=False, note="storm")
    upsert_route(
        code="AMS-NL",
        name=ams.route.name,
        warehouse=ams.route.warehouse,
        delivery_weekdays=[1, 2, 3, 4, 5, 6],
        order_by_time=time(11, 0),
        lead_days=1,
    )

    assert list(Order.objects.order_by("id").values_list("requested_delivery_date", "route", "order_by")) == before
    api_order, portal_order = Order.objects.order_by("id")
    assert (answer["requested_delivery_date"], answer["route"], answer["order_by"]) == (
        "2026-12-02",
        "AMS-NL",
        "2026-12-01T14:00:00+01:00",
    )
    assert delivery_snapshot(api_order) == {"route": "AMS-NL", "order_by": "2026-12-01T14:00:00+01:00"}
    page = ams.portal.get(f"/orders/{portal_order.number}/").content.decode()
    assert '<dd id="delivery-route">AMS-NL, ordered by Thu 3 Dec, 14:00</dd>' in page
    # The next order cannot take the date that became a holiday.
    add_to_cart(user=ams.buyer, sku="ROSE-RED", quantity=20)
    with nothing_changes():
        refused = through("api", ams, "2026-12-02", tmp_path)
        page = through("checkout", ams, "2026-12-02", tmp_path)["page"]
    assert (refused["status"], refused["reason"], refused["next_available"]) == (422, "holiday", "2026-12-04")
    assert escape(refused["detail"]) in page
