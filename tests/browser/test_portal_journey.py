"""The partner portal in real Chromium: sign in, find a product, fill the cart, pick a
delivery date (the picker follows the ship-to), place an order and watch it reach
CONFIRMED; a double click places one order; reorder."""

import re
from decimal import Decimal

import pytest

from inventory.models import Product
from orders.models import CartLine, Order, OrderStatus
from partners.factories import MembershipFactory, PartnerPriceFactory, ShipToAddressFactory, UserFactory
from tests.support.browser import log_in
from tests.support.journey import drive_journey, place
from tests.support.routes import put_on

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def florist(card_buyer, warehouses, make_product):
    """BLOOM's buyer, with two addresses and a small catalogue in stock."""
    user = UserFactory(username="bloombuyer")
    MembershipFactory(user=user, partner=card_buyer)
    ShipToAddressFactory(partner=card_buyer, label="Shop", is_default=True)
    put_on("LHR-UK", warehouses, ShipToAddressFactory(partner=card_buyer, label="Market stall"))
    rose = make_product(
        "RO-NAOMI-50",
        name="Rose Red Naomi 50 cm",
        category="roses",
        case_pack=20,
        list_price=Decimal("0.55"),
        stock={warehouses["AMS"]: 1000},
    )
    PartnerPriceFactory(partner=card_buyer, product=rose, min_quantity=1, unit_price=Decimal("0.48"))
    PartnerPriceFactory(partner=card_buyer, product=rose, min_quantity=200, unit_price=Decimal("0.44"))
    make_product(
        "TU-STRONG-GOLD",
        name="Tulip Strong Gold",
        category="tulips",
        case_pack=50,
        min_order_qty=100,
        list_price=Decimal("0.30"),
        stock={warehouses["AMS"]: 120},
    )
    make_product(
        "CH-BALTICA", name="Chrysanthemum Baltica", category="chrysanthemums", case_pack=10, list_price=Decimal("0.90")
    )
    for n in range(6):
        make_product(
            f"RO-MIX-{n}",
            name=f"Garden rose mix {n}",
            category="roses",
            case_pack=10,
            list_price=Decimal("1.10"),
            stock={warehouses["RTM"]: 300},
        )
    return user


def sign_in(page, user):
    log_in(page, user.username, "bouquet-test", login_path="/accounts/login/")
    page.wait_for_selector("text=Good day")


def add_from_catalogue(page, search: str, sku: str, quantity: int):
    page.goto("/catalogue/")
    page.fill("input[name=q]", search)
    page.press("input[name=q]", "Enter")
    card = page.locator("li.product", has=page.locator(f"text={sku}"))
    card.get_by_label("Quantity").fill(str(quantity))
    card.get_by_role("button", name="Add to cart").click()
    card.locator(".add-ok").wait_for()


def test_a_florist_orders_from_the_catalogue_and_sees_it_confirmed(page, screenshot, florist):
    sign_in(page, florist)
    screenshot("portal-login-home")
    page.goto("/")
    screenshot("portal-home")

    page.goto("/catalogue/")
    screenshot("portal-catalogue")
    add_from_catalogue(page, "naomi", "RO-NAOMI-50", 200)
    assert page.locator("#cart-count").inner_text() == "1"
    screenshot("portal-catalogue-added")

    page.click("text=Cart (")
    page.fill("input[name=po_number]", "PO-0213")
    # The market stall is on LHR-UK: its dates (London time) come in when it is chosen,
    # once htmx (a deferred script) has started.
    page.wait_for_load_state("load")
    page.select_option("select[name=ship_to]", index=1)  # the market stall
    page.locator("#delivery-date-help", has_text="Route LHR-UK").wait_for()
    assert "GMT" in page.locator("#id_requested_delivery_date option").first.inner_text()
    page.select_option("select[name=ship_to]", index=0)  # the shop
    page.locator("#delivery-date-help", has_text="Route AMS-ALL").wait_for()
    second = page.locator("#id_requested_delivery_date option").nth(1)
    day, label = second.get_attribute("value"), second.inner_text()
    page.select_option("#id_requested_delivery_date", value=day)
    screenshot("portal-cart")
    page.click("#place-order")
    page.wait_for_url(re.compile(r"/orders/BQ-\d+/$"))
    order = Order.objects.get()
    assert order.source == "portal" and order.po_number == "PO-0213"
    assert order.requested_delivery_date.isoformat() == day and order.route.code == "AMS-ALL"
    assert page.locator("#delivery-date").inner_text().startswith(label.split(" — ")[0])
    assert [(line.sku, line.quantity, str(line.unit_price)) for line in order.lines.all()] == [
        ("RO-NAOMI-50", 200, "0.44")
    ]

    drive_journey()
    page.reload()

    page.locator(".timeline >> text=CONFIRMED").wait_for()
    assert Order.objects.get().status == OrderStatus.CONFIRMED
    screenshot("portal-order-detail")


def test_a_double_click_on_place_order_places_one_order(page, florist):
    sign_in(page, florist)
    add_from_catalogue(page, "gold", "TU-STRONG-GOLD", 100)
    page.goto("/cart/")

    page.dblclick("#place-order")

    # The second click's post replaces the first's navigation, which the browser then
    # reports aborted: wait for where the page ends up, not for the first navigation.
    from playwright.sync_api import expect

    expect(page).to_have_url(re.compile(r"/orders/BQ-\d+/$"))
    page.wait_for_load_state("networkidle")
    assert Order.objects.count() == 1
    assert page.url.endswith(f"/orders/{Order.objects.get().number}/")
    assert not CartLine.objects.exists()


def test_reorder_fills_the_cart_and_names_what_is_gone(page, screenshot, florist, card_buyer):
    order = place(card_buyer, {"RO-NAOMI-50": 40, "TU-STRONG-GOLD": 100}, user=florist)
    Product.objects.filter(sku="TU-STRONG-GOLD").update(active=False)
    sign_in(page, florist)

    page.goto(f"/orders/{order.number}/")
    page.click("button:has-text('Reorder')")

    page.wait_for_url("**/cart/")
    page.wait_for_selector(f"text=1 of 2 lines of {order.number} added to your cart.")
    page.wait_for_selector("text=TU-STRONG-GOLD (Tulip Strong Gold) is no longer available.")
    assert page.locator("input[name^=quantity_]").input_value() == "40"
    screenshot("portal-cart-after-reorder")
