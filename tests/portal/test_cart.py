"""The cart page: quantities, removal, checkout details, and placing one order per key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.cart import add_to_cart
from orders.exceptions import OrderValidationError
from orders.models import CartLine, IdempotencyRecord, Order
from partners.factories import ShipToAddressFactory
from partners.models import Partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled_cart(buyer, products, ship_tos):
    add_to_cart(user=buyer, sku="ROSE-RED", quantity=100)
    add_to_cart(user=buyer, sku="TULIP-YEL", quantity=100)
    return buyer


def checkout(portal, key, *, follow=False, **fields):
    data = {"action": "checkout", "idempotency_key": key, "ship_to": "", "po_number": "", "requested_delivery_date": ""}
    data.update(fields)
    return portal.post("/cart/", data, follow=follow)


def test_shows_lines_with_prices_and_the_checkout_form(portal, filled_cart, ship_tos, cart_key):
    page = portal.get("/cart/").content.decode()

    assert "Red rose 60 cm" in page and "€ 0.60" in page and "€ 60.00" in page  # the break at 100
    assert "Estimated total" in page and "€ 90.00" in page
    assert f'name="idempotency_key" value="{cart_key()}"' in page
    assert f'<option value="{ship_tos[0].id}" selected>' in page
    assert "Market stall" in page
    assert 'for="id_po_number"' in page and 'for="id_requested_delivery_date"' in page


def test_says_when_the_cart_is_empty(portal, buyer):
    assert "Your cart is empty" in portal.get("/cart/").content.decode()


def test_changes_quantities(portal, filled_cart, products):
    response = portal.post(
        "/cart/",
        {"action": "update", f"quantity_{products['rose'].id}": "40", f"quantity_{products['tulip'].id}": "150"},
    )

    assert response.status_code == 302
    assert dict(CartLine.objects.values_list("product__sku", "quantity")) == {"ROSE-RED": 40, "TULIP-YEL": 150}


def test_a_quantity_of_zero_removes_the_line(portal, filled_cart, products):
    portal.post("/cart/", {"action": "update", f"quantity_{products['rose'].id}": "0"})

    assert list(CartLine.objects.values_list("product__sku", flat=True)) == ["TULIP-YEL"]


@pytest.mark.parametrize(
    ("product", "quantity", "message"),
    [
        ("rose", "35", "ROSE-RED comes in cases of 10; 35 is not a multiple of 10."),
        ("tulip", "50", "the minimum order for TULIP-YEL is 100; got 50."),
        ("rose", "lots", "quantity for ROSE-RED must be a whole number from 1 to 1000000."),
    ],
)
def test_explains_a_bad_quantity_next_to_its_line(portal, filled_cart, products, product, quantity, message):
    response = portal.post("/cart/", {"action": "update", f"quantity_{products[product].id}": quantity})

    page = response.content.decode()
    assert response.status_code == 200
    position = 1 if product == "rose" else 2
    assert f'<span class="error-text" id="line-error-{position}">{message}</span>' in page
    assert f'value="{quantity}" aria-invalid="true"' in page
    assert dict(CartLine.objects.values_list("product__sku", "quantity")) == {"ROSE-RED": 100, "TULIP-YEL": 100}


def test_removes_a_line(portal, filled_cart, products):
    response = portal.post("/cart/", {"remove": str(products["tulip"].id)}, follow=True)

    assert "Line removed from your cart." in response.content.decode()
    assert list(CartLine.objects.values_list("product__sku", flat=True)) == ["ROSE-RED"]


def test_places_the_order_and_empties_the_cart(portal, filled_cart, ship_tos, cart_key, account_buyer):
    key = cart_key()
    delivery = timezone.localdate() + timedelta(days=2)

    response = checkout(
        portal, key, ship_to=ship_tos[1].id, po_number="PO-0213", requested_delivery_date=delivery.isoformat()
    )

    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/"
    assert (order.partner, order.source, order.po_number, order.ship_to, order.requested_delivery_date) == (
        account_buyer,
        "portal",
        "PO-0213",
        ship_tos[1],
        delivery,
    )
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("ROSE-RED", 100), ("TULIP-YEL", 100)]
    assert IdempotencyRecord.objects.get().key == key
    assert not CartLine.objects.exists()
    assert cart_key() != key
    assert f"Order {order.number} placed." in portal.get(response["Location"]).content.decode()


def test_a_double_submit_of_the_same_form_places_one_order(portal, filled_cart, ship_tos, cart_key):
    key = cart_key()

    first = checkout(portal, key, po_number="PO-1")
    second = checkout(portal, key, po_number="PO-1")

    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"] == f"/orders/{Order.objects.get().number}/"
    assert CartLine.objects.count() == 0


def test_an_outdated_form_that_placed_nothing_is_refused(portal, filled_cart, ship_tos):
    response = checkout(portal, "not-the-carts-key", follow=True)

    assert "This checkout form is out of date" in response.content.decode()
    assert Order.objects.count() == 0
    assert CartLine.objects.count() == 2


def test_a_delivery_date_in_the_past_is_named(portal, filled_cart, ship_tos, cart_key):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = checkout(portal, cart_key(), ship_to=ship_tos[0].id, requested_delivery_date=yesterday.isoformat())

    assert response.status_code == 200
    assert f"requested_delivery_date {yesterday.isoformat()} is not available: it is in the past;" in (
        response.content.decode()
    )
    assert Order.objects.count() == 0 and CartLine.objects.count() == 2


def test_another_partners_address_is_refused(portal, filled_cart, ship_tos, cart_key, other_partner_user):
    foreign = ShipToAddressFactory(partner=other_partner_user.membership.partner, label="Not yours")

    response = checkout(portal, cart_key(), ship_to=foreign.id)

    assert "Choose one of your own addresses." in response.content.decode()
    assert Order.objects.count() == 0


def test_a_line_that_became_unavailable_is_named_at_checkout(portal, filled_cart, ship_tos, cart_key, products):
    products["tulip"].active = False
    products["tulip"].save()

    response = checkout(portal, cart_key(), ship_to=ship_tos[0].id)

    page = response.content.decode()
    assert '<span class="error-text" id="line-error-2">TULIP-YEL is no longer sold.</span>' in page
    assert Order.objects.count() == 0 and CartLine.objects.count() == 2


def test_an_empty_cart_cannot_be_placed(portal, buyer, ship_tos, cart_key):
    response = checkout(portal, cart_key(), ship_to=ship_tos[0].id)

    assert "An order needs at least one line." in response.content.decode()
    assert Order.objects.count() == 0


def test_a_too_long_po_number_is_named(portal, filled_cart, ship_tos, cart_key):
    response = checkout(portal, cart_key(), ship_to=ship_tos[0].id, po_number="P" * 65)

    assert "Ensure this value has at most 64 characters" in response.content.decode()
    assert Order.objects.count() == 0


def test_adding_past_the_quantity_cap_is_refused_naming_the_sku_and_keeps_the_line(portal, buyer, products):
    add_to_cart(user=buyer, sku="ROSE-RED", quantity=999_990)

    page = portal.post("/cart/add/", {"sku": "ROSE-RED", "quantity": "20"}, HTTP_HX_REQUEST="true")
    with pytest.raises(OrderValidationError) as refused:
        add_to_cart(user=buyer, sku="ROSE-RED", quantity=20)

    assert refused.value.code == "invalid_quantity" and "ROSE-RED" in refused.value.message
    assert "ROSE-RED" in page.content.decode() and "1000000" in page.content.decode()
    assert CartLine.objects.get(cart__user=buyer, product__sku="ROSE-RED").quantity == 999_990


def test_an_order_over_the_partners_maximum_is_explained_at_checkout(portal, filled_cart, ship_tos, cart_key):
    Partner.objects.filter(id=ship_tos[0].partner_id).update(max_order_value="10.00")

    response = checkout(portal, cart_key(), ship_to=ship_tos[0].id, follow=True)

    page = response.content.decode()
    assert "maximum order value (10.00)" in page and "The order comes to" in page
    assert Order.objects.count() == 0 and CartLine.objects.count() == 2


def test_an_order_past_the_open_order_limit_is_explained_at_checkout(portal, filled_cart, ship_tos, cart_key):
    Partner.objects.filter(id=ship_tos[0].partner_id).update(max_open_order_value="10.00")

    response = checkout(portal, cart_key(), ship_to=ship_tos[0].id, follow=True)

    page = response.content.decode()
    assert "has 0.00 in open orders" in page and "open-order limit (10.00)" in page
    assert Order.objects.count() == 0 and CartLine.objects.count() == 2
