"""Stock per lot in the back office: the list with each lot's dates and freshness
filter, the forms writing on_hand and dates through the version-checked service, and
import and export by (sku, warehouse, lot) with the dates; every bad lot row named."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from inventory.factories import StockFactory
from inventory.models import Stock, StockMovement
from inventory.routing import Demand
from inventory.stock import OrderDemands, reserve_stock
from tests.admin.test_imports import confirm, csv_file, preview, problems, text
from tests.support.admin import change_url, changelist

pytestmark = pytest.mark.django_db

HEADER = "sku,warehouse,lot,available_from,expires_on,on_hand,version\n"


@pytest.fixture
def dated(rose, warehouses):
    """Lot A of the rose at RTM: 300 from 12 to 22 February 2027, version 1."""
    return StockFactory(
        product=rose,
        warehouse=warehouses["RTM"],
        lot="A",
        on_hand=300,
        available_from=date(2027, 2, 12),
        expires_on=date(2027, 2, 22),
    )


@pytest.fixture
def reserved_dated(dated, rose, warehouses):
    """100 of lot A reserved for a delivery on 15 February needing 5 days of life."""
    reserved = reserve_stock(
        order=OrderDemands(
            1, (Demand(1, rose.id, 100),), warehouses["RTM"].id, delivery_date=date(2027, 2, 15), partner_days=5
        )
    )
    assert [r.lot for r in reserved] == ["A"]
    return dated


def fresh(stock) -> Stock:
    return Stock.objects.get(pk=stock.pk)


def test_the_list_shows_each_lot_with_its_dates_and_filters_the_expired(staff_client, clerk, dated):
    with time_machine.travel(date(2027, 2, 23), tick=False):
        staff_client.force_login(clerk)  # a session from today's clock would have lapsed
        page = staff_client.get(changelist("inventory.stock"))
        expired = staff_client.get(changelist("inventory.stock"), {"freshness": "expired"})
        perishable = staff_client.get(changelist("inventory.stock"), {"freshness": "perishable"})
    with time_machine.travel(date(2027, 2, 22), tick=False):
        staff_client.force_login(clerk)
        on_its_last_day = staff_client.get(changelist("inventory.stock"), {"freshness": "expired"})

    for column in ("column-lot", "column-available_from", "column-expires_on"):
        assert column in page.content.decode()
    assert [s.lot for s in expired.context["cl"].result_list] == ["A"]
    assert [s.lot for s in perishable.context["cl"].result_list] == ["A"]
    assert on_its_last_day.context["cl"].result_count == 0
    assert page.context["cl"].result_count == 3


def test_the_form_sets_on_hand_and_dates_through_the_service(staff_client, dated):
    response = staff_client.post(
        change_url(dated),
        {"on_hand": 280, "available_from": "2027-02-12", "expires_on": "2027-02-25", "version": 1},
    )

    assert response.status_code == 302
    changed = fresh(dated)
    assert (changed.on_hand, changed.expires_on, changed.version) == (280, date(2027, 2, 25), 2)
    movement = StockMovement.objects.latest("id")
    assert (movement.lot, movement.on_hand_delta, movement.actor) == ("A", -20, "clerk")


def test_a_new_lot_is_added_with_its_code_and_dates(staff_client, rose, warehouses):
    response = staff_client.post(
        reverse("admin:inventory_stock_add"),
        {"product": rose.pk, "warehouse": warehouses["AMS"].pk, "lot": "FH-9", "on_hand": 50,
         "available_from": "", "expires_on": "2027-03-01", "version": 0},
    )  # fmt: skip

    assert response.status_code == 302
    added = Stock.objects.get(lot="FH-9")
    assert (added.on_hand, added.available_from, added.expires_on) == (50, None, date(2027, 3, 1))


def test_dates_leaving_a_reservation_unfit_are_refused_on_the_form(staff_client, reserved_dated):
    response = staff_client.post(
        change_url(reserved_dated),
        {"on_hand": 300, "available_from": "2027-02-12", "expires_on": "2027-02-19", "version": 1},
    )

    assert response.status_code == 200 and "would leave unfit for their delivery dates" in text(response)
    assert (fresh(reserved_dated).expires_on, fresh(reserved_dated).version) == (date(2027, 2, 22), 1)


def test_an_expiry_before_availability_is_refused_on_its_field(staff_client, dated):
    response = staff_client.post(
        change_url(dated),
        {"on_hand": 300, "available_from": "2027-02-12", "expires_on": "2027-02-10", "version": 1},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["expires_on"] == [
        "expires_on 2027-02-10 for RO-RED-50@RTM lot A is before its available_from 2027-02-12."
    ]
    assert fresh(dated).expires_on == date(2027, 2, 22)


def test_a_lot_file_is_imported_per_lot_with_its_dates(staff_client, dated, warehouses):
    upload = csv_file(f"{HEADER}RO-RED-50,RTM,A,2027-02-12,2027-02-24,310,1\nRO-RED-50,AMS,B,,2027-03-02,70,0\n")

    done = confirm(staff_client, "inventory.stock", preview(staff_client, "inventory.stock", upload))

    assert done.status_code == 200
    assert (fresh(dated).on_hand, fresh(dated).expires_on) == (310, date(2027, 2, 24))
    new = Stock.objects.get(lot="B")
    assert (new.warehouse.code, new.on_hand, new.available_from, new.expires_on) == ("AMS", 70, None, date(2027, 3, 2))
    assert Stock.objects.get(product=dated.product, warehouse=warehouses["RTM"], lot="").on_hand == 1000


def test_a_file_without_the_lot_columns_sets_lot_empty_and_keeps_its_dates(staff_client, dated, warehouses):
    upload = csv_file("sku,warehouse,on_hand,version\nRO-RED-50,RTM,900,1\n")

    confirm(staff_client, "inventory.stock", preview(staff_client, "inventory.stock", upload))

    assert Stock.objects.get(product=dated.product, warehouse=warehouses["RTM"], lot="").on_hand == 900
    assert (fresh(dated).on_hand, fresh(dated).expires_on) == (300, date(2027, 2, 22))


def test_an_empty_date_cell_clears_the_date_and_a_missing_column_keeps_it(staff_client, dated):
    upload = csv_file("sku,warehouse,lot,available_from,on_hand,version\nRO-RED-50,RTM,A,,300,1\n")

    confirm(staff_client, "inventory.stock", preview(staff_client, "inventory.stock", upload))

    assert (fresh(dated).available_from, fresh(dated).expires_on) == (None, date(2027, 2, 22))


@pytest.mark.parametrize(
    "row, message",
    [
        pytest.param(
            "RO-RED-50,RTM,A,2027-02-12,22/02/2027,300,1",
            "row 1: expires_on: expires_on '22/02/2027' for RO-RED-50@RTM lot A is not a date (YYYY-MM-DD).",
            id="a bad date",
        ),
        pytest.param(
            "RO-RED-50,RTM,A,2027-02-12,2027-02-30,300,1",
            "row 1: expires_on: expires_on '2027-02-30' for RO-RED-50@RTM lot A is not a date (YYYY-MM-DD).",
            id="a day that does not exist",
        ),
        pytest.param(
            "RO-RED-50,RTM,A,2027-02-12,2027-02-11,300,1",
            "row 1: expires_on: expires_on 2027-02-11 for RO-RED-50@RTM lot A is before its available_from 2027-02-12.",
            id="expires before available",
        ),
        pytest.param(
            "RO-RED-50,RTM,two words,,,300,0",
            "row 1: lot: RO-RED-50@RTM: lot 'two words' must be empty or 1 to 40 printable ASCII characters "
            'without spaces or "/".',
            id="a bad lot code",
        ),
        pytest.param(
            "RO-RED-50,RTM,FH/2027/07,,,300,0",
            "row 1: lot: RO-RED-50@RTM: lot 'FH/2027/07' must be empty or 1 to 40 printable ASCII characters "
            'without spaces or "/".',
            id="a lot code the API could not address",
        ),
        pytest.param(
            "RO-RED-50,RTM,A,2027-02-12,2027-02-19,300,1",
            "row 1: expires_on: Lot RO-RED-50@RTM lot A holds 1 reservation(s)",
            id="lot in use",
        ),
        pytest.param(
            "RO-RED-50,RTM,A,2027-02-16,2027-02-22,300,1",
            "row 1: available_from: Lot RO-RED-50@RTM lot A holds 1 reservation(s)",
            id="lot in use by its availability",
        ),
    ],
)
def test_a_bad_lot_row_is_named_by_row_and_column_and_nothing_is_imported(staff_client, reserved_dated, row, message):
    movements = StockMovement.objects.count()

    response = preview(staff_client, "inventory.stock", csv_file(f"{HEADER}{row}\n"))

    assert response.context.get("confirm_form") is None
    assert any(problem.startswith(message) for problem in problems(response)), problems(response)
    assert (fresh(reserved_dated).version, StockMovement.objects.count()) == (1, movements)


def test_the_same_lot_twice_in_a_file_is_a_bad_row_but_two_lots_are_not(staff_client, dated):
    upload = csv_file(f"{HEADER}RO-RED-50,RTM,A,,,300,1\nRO-RED-50,RTM,,,,1000,1\nRO-RED-50,RTM,A,,,200,1\n")

    response = preview(staff_client, "inventory.stock", upload)

    assert problems(response) == [
        "row 3: sku: RO-RED-50@RTM lot A appears again (first on row 1); give each stock row once."
    ]


def test_the_export_gives_each_lot_with_its_dates(staff_client, dated):
    response = staff_client.post(
        reverse("admin:inventory_stock_export"),
        {"format": "0", "resource": "0", **{f"stockresource_{f}": True for f in (
            "sku", "warehouse", "lot", "available_from", "expires_on", "on_hand", "reserved", "available",
            "version")}},
    )  # fmt: skip

    lines = response.content.decode().splitlines()
    assert lines[0] == "sku,warehouse,lot,available_from,expires_on,on_hand,reserved,available,version"
    assert "RO-RED-50,RTM,A,2027-02-12,2027-02-22,300,0,300,1" in lines
    assert "RO-RED-50,RTM,,,,1000,0,1000,1" in lines
