"""The delivery date picker in checkout and quick order, the home page's promise and the
order pages, on the demo routes with a controlled clock: Monday 30 Nov 2026, 11:50 in
Amsterdam. FERN's garden centre (the default) is on AMS-NL (Mon-Sat, order by 14:00
the day before), its market stall on LHR-UK (Tue and Fri, by 10:00 London time two
days before)."""

from datetime import date

import pytest
import time_machine
from django.utils.html import escape

from fulfillment.routes import set_date_exception
from orders.cart import add_to_cart, get_or_create_cart
from orders.models import CartLine, Order
from tests.support.bad_input import nothing_changes
from tests.support.routes import amsterdam, put_on

pytestmark = pytest.mark.django_db

TUESDAY = "Tue 1 Dec — order by Mon 30 Nov, 14:00"
HOLIDAY = (
    "requested_delivery_date 2026-12-01 is not available: route AMS-NL does not deliver that day (a holiday); "
    "the next available date is 2026-12-02."
)


@pytest.fixture
def monday(account_buyer, ship_tos, warehouses):
    routes = {"AMS-NL": put_on("AMS-NL", warehouses, ship_tos[0]), "LHR-UK": put_on("LHR-UK", warehouses, ship_tos[1])}
    with time_machine.travel(amsterdam(2026, 11, 30, 11, 50), tick=False):
        yield routes


@pytest.fixture
def cart(monday, buyer, products):
    add_to_cart(user=buyer, sku="ROSE-RED", quantity=100)
    return get_or_create_cart(buyer)


def checkout(portal, cart, **fields):
    data = {"action": "checkout", "idempotency_key": cart.idempotency_key, "po_number": "", **fields}
    return portal.post("/cart/", data)


def test_checkout_offers_the_default_addresss_dates_with_their_order_by_times_earliest_chosen(portal, cart):
    page = portal.get("/cart/").content.decode()

    assert f'<option value="2026-12-01" selected>{TUESDAY}</option>' in page
    assert '<option value="2026-12-02">Wed 2 Dec — order by Tue 1 Dec, 14:00</option>' in page
    assert '<option value="2026-12-06"' not in page  # AMS-NL does not deliver on Sundays
    assert 'hx-get="/delivery-dates/"' in page and 'hx-target="#delivery-date-field"' in page


def test_changing_the_ship_to_brings_its_routes_dates(portal, monday, ship_tos):
    fragment = portal.get("/delivery-dates/", {"ship_to": ship_tos[1].id}, HTTP_HX_REQUEST="true").content.decode()

    assert '<option value="2026-12-01" selected>Tue 1 Dec — order by Sun 29 Nov, 10:00 GMT</option>' not in fragment
    assert '<option value="2026-12-04" selected>Fri 4 Dec — order by Wed 2 Dec, 10:00 GMT</option>' in fragment
    assert "Route LHR-UK" in fragment and "<html" not in fragment


def test_another_partners_address_gets_the_default_addresss_dates(portal, monday, other_partner_user):
    from partners.factories import ShipToAddressFactory

    foreign = ShipToAddressFactory(partner=other_partner_user.membership.partner)

    fragment = portal.get("/delivery-dates/", {"ship_to": foreign.id}).content.decode()

    assert f'<option value="2026-12-01" selected>{TUESDAY}</option>' in fragment


def test_without_javascript_show_dates_posts_the_form_and_saves_nothing(portal, cart, ship_tos):
    with nothing_changes():
        page = portal.post(
            "/cart/",
            {
                "action": "checkout",
                "show_dates": "1",
                "idempotency_key": cart.idempotency_key,
                "ship_to": ship_tos[1].id,
                "po_number": "PO-9",
                "requested_delivery_date": "2026-12-01",
            },
        ).content.decode()

    assert '<option value="2026-12-04" selected>Fri 4 Dec — order by Wed 2 Dec, 10:00 GMT</option>' in page
    assert f'<option value="{ship_tos[1].id}" selected>' in page and 'value="PO-9"' in page


def test_checkout_places_the_order_for_the_date_picked_and_the_order_page_shows_it(portal, cart, ship_tos):
    response = checkout(portal, cart, ship_to=ship_tos[0].id, requested_delivery_date="2026-12-02")

    order = Order.objects.get()
    assert (order.requested_delivery_date, order.route.code) == (date(2026, 12, 2), "AMS-NL")
    assert order.order_by == amsterdam(2026, 12, 1, 14, 0)
    detail = portal.get(response["Location"]).content.decode()
    assert '<dd id="delivery-date">Wed 2 Dec 2026</dd>' in detail
    assert '<dd id="delivery-route">AMS-NL, ordered by Tue 1 Dec, 14:00</dd>' in detail
    assert 'Wed 2 Dec 2026<br><span class="muted">AMS-NL, ordered by Tue 1 Dec, 14:00</span>' in (
        portal.get("/orders/").content.decode()
    )


def test_a_london_order_shows_its_order_by_on_the_london_clock(portal, cart, ship_tos):
    response = checkout(portal, cart, ship_to=ship_tos[1].id, requested_delivery_date="2026-12-04")

    detail = portal.get(response["Location"]).content.decode()
    assert '<dd id="delivery-route">LHR-UK, ordered by Wed 2 Dec, 10:00 GMT</dd>' in detail


def test_a_date_that_stopped_being_an_option_is_named_on_the_field_and_the_cart_kept(portal, cart, monday, ship_tos):
    portal.get("/cart/")  # the page offered Tue 1 Dec; then it became a holiday
    set_date_exception(route=monday["AMS-NL"], day=date(2026, 12, 1), delivers=False, note="Sinterklaas drill")

    with nothing_changes():
        response = checkout(portal, cart, ship_to=ship_tos[0].id, requested_delivery_date="2026-12-01")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="error-text" id="id_requested_delivery_date-error" role="alert">{escape(HOLIDAY)}</p>' in page
    assert '<option value="2026-12-01"' not in page and '<option value="2026-12-02">' in page
    assert CartLine.objects.count() == 1


def test_a_hand_edited_date_on_a_day_the_route_skips_is_refused_by_intake(portal, cart, ship_tos):
    with nothing_changes():
        page = checkout(portal, cart, ship_to=ship_tos[1].id, requested_delivery_date="2026-12-02").content.decode()

    assert (
        escape(
            "requested_delivery_date 2026-12-02 is not available: route LHR-UK does not deliver on Wednesdays; "
            "the next available date is 2026-12-04."
        )
        in page
    )


def test_checkout_without_a_date_places_the_order_for_the_earliest(portal, cart, ship_tos):
    checkout(portal, cart, ship_to=ship_tos[0].id, requested_delivery_date="")

    assert Order.objects.get().requested_delivery_date == date(2026, 12, 1)


def test_quick_order_offers_the_dates_and_keeps_the_choice_with_the_cart(portal, monday, buyer, products, ship_tos):
    assert f'<option value="2026-12-01" selected>{TUESDAY}</option>' in portal.get("/quick-order/").content.decode()

    response = portal.post(
        "/quick-order/",
        {"sku_1": "ROSE-RED", "quantity_1": "20", "ship_to": ship_tos[1].id, "requested_delivery_date": "2026-12-04"},
    )

    cart = get_or_create_cart(buyer)
    assert response["Location"] == "/cart/"
    assert (cart.ship_to, cart.requested_delivery_date, cart.lines.count()) == (ship_tos[1], date(2026, 12, 4), 1)
    page = portal.get("/cart/").content.decode()
    assert '<option value="2026-12-04" selected>Fri 4 Dec — order by Wed 2 Dec, 10:00 GMT</option>' in page


def test_quick_order_refuses_a_date_that_is_no_option_keeping_the_rows_and_adding_nothing(
    portal, monday, buyer, products, ship_tos
):
    get_or_create_cart(buyer)
    set_date_exception(route=monday["AMS-NL"], day=date(2026, 12, 1), delivers=False)

    with nothing_changes():
        response = portal.post(
            "/quick-order/",
            {
                "sku_1": "ROSE-RED",
                "quantity_1": "20",
                "ship_to": ship_tos[0].id,
                "requested_delivery_date": "2026-12-01",
            },
        )

    page = response.content.decode()
    assert response.status_code == 200
    assert escape(HOLIDAY) in page
    assert 'name="sku_1" value="ROSE-RED"' in page and 'name="quantity_1" value="20"' in page


def test_the_home_page_says_until_when_to_order_for_the_earliest_date(portal, monday):
    page = portal.get("/").content.decode()

    assert "Order within 2 h 10 min for delivery tomorrow (Tue 1 Dec)" in page


def test_with_no_default_address_the_address_shown_first_is_the_one_whose_dates_are_offered(
    portal, monday, buyer, products, ship_tos
):
    # Neither is the default; by label "Garden centre" would come first, by id (intake's
    # order for an order naming no address) it does too, so name them the other way round.
    ship_tos[0].is_default = False
    ship_tos[0].label = "Zeist garden"
    ship_tos[0].save(update_fields=["is_default", "label"])

    page = portal.get("/quick-order/").content.decode()

    assert f'<option value="{ship_tos[0].id}" selected>' in page
    assert f'<option value="2026-12-01" selected>{TUESDAY}</option>' in page  # AMS-NL's, not LHR-UK's
