"""The back office in real Chromium: a clerk finds FERN's credit-held order from the
admin home, releases the hold and sees the order reach CONFIRMED."""

import pytest
from django.core.management import call_command

from inventory.models import Product, Stock
from orders.models import Order, OrderStatus
from partners.models import Partner
from tests.support.browser import log_in
from tests.support.journey import drive_journey, place

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def fern_order_over_the_limit() -> Order:
    """FERN owes 4,600.00 of 5,000.00: an order of more than 400.00 goes on credit hold."""
    fern = Partner.objects.get(code="FERN")
    stock = (
        Stock.objects.filter(warehouse=fern.home_warehouse, product__active=True, product__list_price__gte=1)
        .select_related("product")
        .order_by("-on_hand")
        .first()
    )
    product: Product = stock.product
    quantity = product.case_pack * max(1, product.min_order_qty // product.case_pack)
    while quantity * product.list_price <= 450 and quantity + product.case_pack <= stock.on_hand:
        quantity += product.case_pack
    order = place(fern, {product.sku: quantity}, po_number="PO-BROWSER-HOLD")
    drive_journey()
    order.refresh_from_db()
    assert (order.status, order.hold) == (OrderStatus.CREATED, Order.Hold.CREDIT), order.total
    return order


def test_a_clerk_releases_a_credit_hold_from_the_admin_home(page, screenshot, breaker_reset):
    call_command("demo_data", even_with_debug_off=True)
    order = fern_order_over_the_limit()

    log_in(page, "backoffice", "bouquet-demo", login_path="/admin/login/")
    page.wait_for_selector("#health")
    assert page.inner_text("#health").count("Credit holds") == 1
    screenshot("backoffice-home")

    page.click("#health-credit-holds")
    page.wait_for_selector(f"text={order.number}")
    page.check(f"tr:has-text('{order.number}') input.action-select")
    page.select_option("select[name=action]", "release_credit_holds")
    page.click("button[name=index]")
    page.wait_for_selector(f"text=Credit hold released: {order.number}")

    drive_journey()
    # Released, the order has left the credit-holds list; open it from the orders list.
    page.goto("/admin/orders/order/")
    page.click(f"a:text('{order.number}')")
    assert page.inner_text(".field-status .readonly").strip() == "Confirmed"
    assert "CONFIRMED" in page.inner_text("#events-group")  # the timeline's last step
    screenshot("backoffice-order-confirmed")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_a_stale_stock_edit_shows_the_conflict(page, screenshot):
    call_command("demo_data", even_with_debug_off=True)
    stock = Stock.objects.select_related("product", "warehouse").filter(reserved=0, lot="").first()

    log_in(page, "backoffice", "bouquet-demo", login_path="/admin/login/")
    page.goto(f"/admin/inventory/stock/{stock.pk}/change/")
    from inventory.stock_sync import set_on_hand

    set_on_hand(
        product=stock.product,
        warehouse=stock.warehouse,
        lot=stock.lot,
        on_hand=stock.on_hand + 5,
        expected_version=stock.version,
        actor="erp",
    )
    page.fill("input[name=on_hand]", str(stock.on_hand + 10))
    page.click("input[name=_save]")

    page.wait_for_selector("text=was changed by someone else")
    screenshot("backoffice-stock-conflict")
