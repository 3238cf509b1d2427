"""Bad input through the partner portal's forms: adding to the cart from the catalogue,
quick order, changing a cart quantity, and checkout. Each page names the SKU or field
at fault next to it, and the cart, the orders and the stock stay as they were."""

from urllib.parse import urlencode

import pytest
from django.utils.html import escape

from orders.cart import add_to_cart, get_or_create_cart
from tests.support.bad_input import nothing_changes, today, yesterday

pytestmark = pytest.mark.django_db

WHOLE_NUMBER = "quantity for ROSE-RED must be a whole number from 1 to 1000000."
BAD_LINES = [
    pytest.param("NOPE-1", "10", "NOPE-1 is not in the catalogue.", id="unknown SKU"),
    pytest.param("GONE-1", "10", "GONE-1 is no longer sold.", id="inactive SKU"),
    pytest.param(
        "ROSE-RED", "15", "ROSE-RED comes in cases of 10; 15 is not a multiple of 10.", id="off the case pack"
    ),
    pytest.param("ROSE-RED", "0", WHOLE_NUMBER, id="zero quantity"),
    pytest.param("ROSE-RED", "-10", WHOLE_NUMBER, id="negative quantity"),
    pytest.param("ROSE-RED", "2.5", WHOLE_NUMBER, id="fractional quantity"),
    pytest.param("ROSE-RED", "ten", WHOLE_NUMBER, id="quantity in words"),
    pytest.param("ROSE-RED", "\u00b2", WHOLE_NUMBER, id="superscript two"),
    pytest.param("ROSE-RED", "\u0663\u0660", WHOLE_NUMBER, id="Arabic-Indic digits"),
    pytest.param("TULIP-YEL", "50", "the minimum order for TULIP-YEL is 100; got 50.", id="below the minimum"),
]


@pytest.fixture
def filled_cart(world):
    """The cart holds ROSE-RED 100 (line 1) and TULIP-YEL 100 (line 2)."""
    add_to_cart(user=world.buyer, sku="ROSE-RED", quantity=100)
    add_to_cart(user=world.buyer, sku="TULIP-YEL", quantity=100)
    return world


@pytest.mark.parametrize(("sku", "quantity", "reason"), BAD_LINES)
def test_adding_a_bad_line_from_the_catalogue_says_why_and_adds_nothing(world, sku, quantity, reason):
    with nothing_changes():
        page = world.portal.post("/cart/add/", {"sku": sku, "quantity": quantity}, HTTP_HX_REQUEST="true")

    assert page.status_code == 200 and escape(reason) in page.content.decode()


@pytest.mark.parametrize(
    ("sku", "quantity", "reason"),
    [
        *BAD_LINES,
        # The catalogue's add form refuses more than 12 characters before any rule is asked.
        pytest.param("ROSE-RED", "9" * 5000, WHOLE_NUMBER, id="5000 digits"),
        pytest.param("ROSE\x00RED", "10", "ROSE\x00RED is not in the catalogue.", id="NUL in a SKU"),
    ],
)
def test_a_bad_quick_order_row_keeps_its_reason_beside_it_and_adds_nothing(world, sku, quantity, reason):
    with nothing_changes():
        page = world.portal.post("/quick-order/", {"sku_1": sku, "quantity_1": quantity})

    html = page.content.decode()
    assert page.status_code == 200
    assert f'<span id="err_1" class="error-text">{escape(reason)}' in html
    assert "1 line could not be added" in html


@pytest.mark.parametrize(
    ("product", "quantity", "reason"),
    [
        pytest.param(
            "rose", "15", "ROSE-RED comes in cases of 10; 15 is not a multiple of 10.", id="off the case pack"
        ),
        pytest.param("rose", "-10", WHOLE_NUMBER, id="negative quantity"),
        pytest.param("rose", "2.5", WHOLE_NUMBER, id="fractional quantity"),
        pytest.param("rose", "ten", WHOLE_NUMBER, id="quantity in words"),
        pytest.param("rose", "\u00b2", WHOLE_NUMBER, id="superscript two"),
        pytest.param("rose", "\u0663\u0660", WHOLE_NUMBER, id="Arabic-Indic digits"),
        pytest.param("rose", "9" * 5000, WHOLE_NUMBER, id="5000 digits"),
        pytest.param("tulip", "50", "the minimum order for TULIP-YEL is 100; got 50.", id="below the minimum"),
    ],
)
def test_a_bad_cart_quantity_is_named_beside_its_line_and_the_cart_kept(filled_cart, product, quantity, reason):
    world = filled_cart
    line = 1 if product == "rose" else 2

    with nothing_changes():
        page = world.portal.post("/cart/", {"action": "update", f"quantity_{world.products[product].id}": quantity})

    assert page.status_code == 200
    assert f'<span class="error-text" id="line-error-{line}">{escape(reason)}</span>' in page.content.decode()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        pytest.param(
            {"requested_delivery_date": yesterday()},
            f"requested_delivery_date {yesterday()} is not available: it is in the past; the next available date is "
            f"{today()}.",
            id="delivery date in the past",
        ),
        pytest.param(
            {"requested_delivery_date": "2030-02-30"}, "Enter a valid date.", id="delivery date that is no date"
        ),
        pytest.param({"ship_to": "IVY"}, "Choose one of your own addresses.", id="ship-to of another partner"),
        pytest.param({"ship_to": "abc"}, "Choose one of your own addresses.", id="ship-to that is no address"),
        pytest.param({"po_number": "P" * 65}, "Ensure this value has at most 64 characters", id="PO number too long"),
        pytest.param({"po_number": "PO\x001"}, "Null characters are not allowed.", id="NUL in the PO number"),
    ],
)
def test_a_bad_checkout_is_refused_naming_the_field_and_the_cart_kept(filled_cart, fields, reason):
    world = filled_cart
    data = {
        "action": "checkout",
        "idempotency_key": get_or_create_cart(world.buyer).idempotency_key,
        "ship_to": world.ship_tos[0].id,
        "po_number": "",
        "requested_delivery_date": "",
        **fields,
    }
    if data["ship_to"] == "IVY":
        data["ship_to"] = world.ivy_address.id

    with nothing_changes():
        page = world.portal.post("/cart/", data)

    assert page.status_code == 200 and escape(reason) in page.content.decode()


def test_a_line_that_stopped_being_sold_is_named_at_checkout(filled_cart):
    world = filled_cart
    world.products["tulip"].active = False
    world.products["tulip"].save(update_fields=["active"])
    data = {
        "action": "checkout",
        "idempotency_key": get_or_create_cart(world.buyer).idempotency_key,
        "ship_to": world.ship_tos[0].id,
        "po_number": "",
        "requested_delivery_date": "",
    }

    with nothing_changes():
        page = world.portal.post("/cart/", data)

    assert '<span class="error-text" id="line-error-2">TULIP-YEL is no longer sold.</span>' in page.content.decode()


@pytest.mark.parametrize(
    ("paste", "status", "reason"),
    [
        pytest.param(
            "ROSE-RED,10\n" * 20_000,
            200,
            "Ensure this value has at most 200000 characters",
            id="paste over the field's limit",
        ),
        pytest.param(
            "ROSE-RED,10\n" * 300_000,
            413,
            "larger than 2.5 MB, the most one request takes",
            id="a body over the request limit",
        ),
    ],
)
def test_a_paste_too_large_is_refused_saying_so(world, paste, status, reason):
    with nothing_changes():
        page = world.portal.post("/quick-order/", {"paste": paste})

    assert page.status_code == status and reason in page.content.decode()


def test_a_quick_order_row_number_too_long_to_be_a_row_is_ignored(world):
    with nothing_changes():
        page = world.portal.post(
            "/quick-order/",
            urlencode({f"sku_{'9' * 5000}": "ROSE-RED", f"quantity_{'9' * 5000}": "10"}),
            content_type="application/x-www-form-urlencoded",
        )

    assert page.status_code == 200
