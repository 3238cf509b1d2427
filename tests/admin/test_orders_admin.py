"""The orders back office: list, filters, search, the read-only detail and the actions
that move orders through the services."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulfillment.factories import ShipmentFactory
from journey.runner import run_step
from orders.credit_holds import release_credit_hold
from orders.factories import DeadLetterFactory, OrderFactory, OrderLineFactory
from orders.models import Order, OrderStatus
from tests.support.admin import change_url, changelist, messages_of, run_action
from tests.support.journey import drive_journey, place, run_step_alone
from uploads.processing import create_csv_upload, process_csv_upload

pytestmark = pytest.mark.django_db

ORDERS = "orders.order"


def listed_numbers(response) -> set[str]:
    return {o.number for o in response.context["cl"].result_list}


def test_the_list_shows_number_partner_status_total_and_dates(staff_client, held_order):
    response = staff_client.get(changelist(ORDERS))

    page = response.content.decode()
    assert response.status_code == 200
    assert held_order.number in page and "FERN" in page and "CREATED" in page and "6000.00" in page
    for column in ("column-created_at", "column-updated_at", "column-total"):
        assert column in page


def test_filters_by_status_hold_partner_and_warehouse(staff_client, held_order, rose, warehouses):
    other = OrderFactory(status=OrderStatus.CANCELLED)
    ShipmentFactory(order=other, warehouse=warehouses["LHR"])
    within_limit = place(held_order.partner, {rose.sku: 100})
    run_step("reserve")

    assert listed_numbers(staff_client.get(changelist(ORDERS), {"status__exact": "CANCELLED"})) == {other.number}
    assert listed_numbers(staff_client.get(changelist(ORDERS), {"hold__exact": "credit"})) == {held_order.number}
    assert listed_numbers(staff_client.get(changelist(ORDERS), {"partner__id__exact": held_order.partner_id})) == {
        held_order.number,
        within_limit.number,
    }
    # The order within FERN's limit holds stock reserved in Rotterdam; the held one
    # holds none; the other ships from London.
    assert listed_numbers(staff_client.get(changelist(ORDERS), {"warehouse": "RTM"})) == {within_limit.number}
    assert listed_numbers(staff_client.get(changelist(ORDERS), {"warehouse": "LHR"})) == {other.number}
    assert listed_numbers(staff_client.get(changelist(ORDERS), {"warehouse": "AMS"})) == set()


def test_filters_by_created_date(staff_client, held_order):
    # The admin's date filter counts days in the site's time zone, not in UTC.
    today = timezone.localtime(held_order.created_at).date()
    response = staff_client.get(
        changelist(ORDERS),
        {"created_at__year": today.year, "created_at__month": today.month, "created_at__day": today.day},
    )
    assert listed_numbers(response) == {held_order.number}
    response = staff_client.get(changelist(ORDERS), {"created_at__year": today.year - 1})
    assert listed_numbers(response) == set()


def test_the_stuck_filter_lists_orders_past_the_sweeper_threshold(staff_client, settings):
    stuck = OrderFactory(status=OrderStatus.PAID)
    Order.objects.filter(pk=stuck.pk).update(updated_at=stuck.updated_at.replace(year=2020))
    OrderFactory(status=OrderStatus.PAID)  # fresh: not stuck

    assert listed_numbers(staff_client.get(changelist(ORDERS), {"attention": "stuck"})) == {stuck.number}


@pytest.mark.parametrize("term", ["number", "po", "sku"])
def test_search_finds_an_order_by_number_po_and_sku(staff_client, held_order, term):
    OrderLineFactory(order=OrderFactory(po_number="PO-OTHER"))
    query = {"number": held_order.number, "po": "PO-HOLD-1", "sku": "RO-RED-50"}[term]

    assert listed_numbers(staff_client.get(changelist(ORDERS), {"q": query})) == {held_order.number}


def test_the_detail_shows_lines_timeline_payment_shipments_and_dead_letters_read_only(
    staff_client, held_order, warehouses
):
    release_credit_hold(order_id=held_order.id, actor="backoffice")
    run_step_alone("reserve")
    run_step_alone("pay")  # and no further: the test makes the shipment
    ShipmentFactory(order=held_order, warehouse=warehouses["RTM"])
    DeadLetterFactory(order=held_order, error="PaymentGatewayUnavailableError: no answer")

    page = staff_client.get(change_url(held_order)).content.decode()

    assert "RO-RED-50" in page
    assert "INVENTORY_RESERVED" in page and "PAYMENT_PENDING" in page and "PAID" in page  # the timeline
    assert "account" in page and "succeeded" in page  # the payment
    assert "RTM" in page and "waiting for dispatch" in page
    assert "PaymentGatewayUnavailableError: no answer" in page
    assert 'name="_save"' not in page


def test_cancel_asks_for_a_reason_first(staff_client, held_order):
    response = staff_client.post(changelist(ORDERS), {"action": "cancel_orders", "_selected_action": [held_order.pk]})

    assert response.status_code == 200
    assert "Reason" in response.content.decode() and held_order.number in response.content.decode()
    held_order.refresh_from_db()
    assert held_order.status == OrderStatus.CREATED


def test_cancel_with_a_reason_cancels_through_the_service_and_logs_it(staff_client, held_order, rose, warehouses):
    response = run_action(staff_client, ORDERS, "cancel_orders", [held_order], confirm="yes", reason="partner phoned")

    held_order.refresh_from_db()
    assert held_order.status == OrderStatus.CANCELLED
    assert held_order.cancel_detail == "partner phoned"
    assert held_order.events.last().actor == "clerk"
    assert rose.stock.get(warehouse=warehouses["RTM"]).reserved == 0
    assert any(f"Cancelled: {held_order.number}" in m for m in messages_of(response))
    entry = LogEntry.objects.get(object_id=str(held_order.pk))
    assert "Cancelled from the back office" in entry.get_change_message() and entry.user.username == "clerk"


def test_cancel_reports_an_order_past_confirmation_and_cancels_the_others(staff_client, held_order):
    confirmed = OrderFactory(status=OrderStatus.CONFIRMED)

    response = run_action(
        staff_client, ORDERS, "cancel_orders", [held_order, confirmed], confirm="yes", reason="mistake"
    )

    confirmed.refresh_from_db()
    held_order.refresh_from_db()
    assert confirmed.status == OrderStatus.CONFIRMED
    assert held_order.status == OrderStatus.CANCELLED
    assert any(
        f"{confirmed.number}: Order {confirmed.number} is CONFIRMED and can no longer be cancelled." in m
        for m in messages_of(response)
    )
    assert not LogEntry.objects.filter(object_id=str(confirmed.pk)).exists()


def test_release_credit_hold_moves_the_order_on_to_confirmed(staff_client, held_order):
    response = run_action(staff_client, ORDERS, "release_credit_holds", [held_order])

    held_order.refresh_from_db()
    assert (held_order.status, held_order.hold) == (OrderStatus.CREATED, "")
    assert any(f"Credit hold released: {held_order.number}" in m for m in messages_of(response))
    assert "it goes on to reserve its stock" in LogEntry.objects.get(object_id=str(held_order.pk)).change_message
    assert LogEntry.objects.filter(object_id=str(held_order.pk)).count() == 1
    assert held_order.partner.credit.open_balance == Decimal("6000.00")
    drive_journey()
    held_order.refresh_from_db()
    assert held_order.status == OrderStatus.CONFIRMED


def test_release_credit_hold_refuses_an_order_not_on_hold(staff_client, account_buyer, rose):
    order = place(account_buyer, {rose.sku: 10})

    response = run_action(staff_client, ORDERS, "release_credit_holds", [order])

    assert any(f"{order.number}: Order {order.number} is not on credit hold." in m for m in messages_of(response))
    order.refresh_from_db()
    assert order.status == OrderStatus.CREATED


def test_redrive_makes_a_backed_off_order_due_now(staff_client, account_buyer, rose):
    order = place(account_buyer, {rose.sku: 10})
    Order.objects.filter(pk=order.pk).update(next_attempt_at=order.created_at.replace(year=2999))

    response = run_action(staff_client, ORDERS, "redrive_orders", [order])

    order.refresh_from_db()
    assert order.next_attempt_at.year < 2999
    assert any(f"Re-driven: {order.number}" in m for m in messages_of(response))
    assert (
        "Re-driven from the back office (at CREATED)"
        in LogEntry.objects.get(object_id=str(order.pk)).get_change_message()
    )


def test_orders_export_one_row_per_line(staff_client, held_order, rose):
    OrderLineFactory(order=held_order, line_no=2, sku="=HYPERLINK(1)", product_name="@evil")
    from orders.resources import OrderLineExportResource

    dataset = OrderLineExportResource().export(queryset=Order.objects.filter(pk=held_order.pk))

    assert [row[dataset.headers.index("sku")] for row in dataset] == ["RO-RED-50", "=HYPERLINK(1)"]
    assert set(dataset["order"]) == {held_order.number}


def test_orders_export_through_the_admin_escapes_formulas(staff_client, held_order):
    OrderLineFactory(order=held_order, line_no=2, sku="=HYPERLINK(1)", product_name="+cmd|calc")

    response = staff_client.post(
        changelist(ORDERS).rstrip("/") + "/export/",
        {
            "format": "0",
            "resource": "0",
            **{f"orderlineexportresource_{f}": "on" for f in ("order", "sku", "product_name", "quantity")},
        },
    )

    body = response.content.decode()
    assert response.status_code == 200, body[:2000]
    assert "'=HYPERLINK(1)" in body and "'+cmd|calc" in body
    assert held_order.number in body


def test_the_uploads_list_reads_no_file_and_no_report_and_shows_the_problem_count(staff_client, account_buyer):
    upload = create_csv_upload(partner=account_buyer, filename="bad.csv", raw=b"sku,quantity\nNOPE,10\n")
    process_csv_upload(upload_id=upload.id)

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get("/admin/orders/csvupload/")

    assert response.status_code == 200 and "bad.csv" in response.content.decode()
    assert response.context["cl"].list_display[-2:] == ["problem_count", "created_at"]
    upload_reads = [q["sql"] for q in queries.captured_queries if 'FROM "orders_csvupload"' in q["sql"]]
    assert upload_reads and not [sql for sql in upload_reads if '"problems"' in sql or '"report"' in sql]
    page = staff_client.get(f"/admin/orders/csvupload/{upload.id}/change/").content.decode()
    assert "NOPE is not in the catalogue." in page
