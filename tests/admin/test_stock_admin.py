"""Stock in the back office: on_hand is edited through the version-checked service."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from inventory.models import Stock, StockMovement
from inventory.stock_sync import set_on_hand
from tests.support.admin import change_url, changelist

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(rose, warehouses):
    return Stock.objects.get(product=rose, warehouse=warehouses["RTM"])


def test_the_list_shows_on_hand_reserved_available_and_version(staff_client, stock):
    page = staff_client.get(changelist("inventory.stock")).content.decode()

    for column in ("column-on_hand", "column-reserved", "column-available", "column-version"):
        assert column in page


def test_saving_on_hand_goes_through_the_service_and_writes_the_ledger(staff_client, stock):
    response = staff_client.post(change_url(stock), {"on_hand": 1200, "version": stock.version})

    assert response.status_code == 302
    stock.refresh_from_db()
    assert (stock.on_hand, stock.version) == (1200, 2)
    movement = StockMovement.objects.filter(product=stock.product, warehouse=stock.warehouse).last()
    assert (movement.on_hand_delta, movement.actor) == (200, "clerk")
    assert LogEntry.objects.filter(object_id=str(stock.pk)).exists()


def test_a_stale_version_shows_the_conflict_and_saves_nothing(staff_client, stock):
    read_version = stock.version
    set_on_hand(
        product=stock.product, warehouse=stock.warehouse, on_hand=900, expected_version=read_version, actor="erp"
    )

    response = staff_client.post(change_url(stock), {"on_hand": 1200, "version": read_version})

    assert response.status_code == 200
    assert "was changed by someone else (version 2, you sent 1); read it again." in response.content.decode()
    stock.refresh_from_db()
    assert (stock.on_hand, stock.version) == (900, 2)


def test_on_hand_below_reserved_is_refused_on_the_form(staff_client, reserved_order, stock):
    stock.refresh_from_db()

    response = staff_client.post(change_url(stock), {"on_hand": 100, "version": stock.version})

    assert response.status_code == 200
    assert "is below the 600 units reserved for orders." in response.content.decode()
    stock.refresh_from_db()
    assert stock.on_hand == 1000


def test_only_on_hand_is_editable(staff_client, stock):
    page = staff_client.get(change_url(stock)).content.decode()

    assert 'name="on_hand"' in page and 'type="hidden" name="version"' in page
    assert 'name="reserved"' not in page


def test_the_stock_page_shows_its_ledger_and_links_to_the_movements(staff_client, stock):
    page = staff_client.get(change_url(stock)).content.decode()
    assert 'id="stock-ledger"' in page and "factory" in page

    response = staff_client.get(
        reverse("admin:inventory_stockmovement_changelist"),
        {"product__id__exact": stock.product_id, "warehouse__id__exact": stock.warehouse_id},
    )
    assert [m.warehouse_id for m in response.context["cl"].result_list] == [stock.warehouse_id]


def test_adding_a_stock_row_goes_through_the_service_with_version_0(staff_client, make_product, warehouses):
    tulip = make_product("TU-YELLOW")

    response = staff_client.post(
        reverse("admin:inventory_stock_add"),
        {"product": tulip.pk, "warehouse": warehouses["LHR"].pk, "on_hand": 50, "version": 0},
    )

    assert response.status_code == 302
    stock = Stock.objects.get(product=tulip, warehouse=warehouses["LHR"])
    assert (stock.on_hand, stock.version) == (50, 1)


def test_adding_a_row_that_exists_is_a_conflict(staff_client, stock):
    response = staff_client.post(
        reverse("admin:inventory_stock_add"),
        {"product": stock.product_id, "warehouse": stock.warehouse_id, "on_hand": 5, "version": 0},
    )

    assert response.status_code == 200
    assert "read it again" in response.content.decode()
    stock.refresh_from_db()
    assert stock.on_hand == 1000


def test_stock_rows_cannot_be_deleted(staff_client, stock):
    assert (
        staff_client.post(reverse("admin:inventory_stock_delete", args=[stock.pk]), {"post": "yes"}).status_code == 403
    )
