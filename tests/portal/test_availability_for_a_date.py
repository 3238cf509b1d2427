"""The portal shows stock for the cart's delivery date (docs/DESIGN.md section 11): the
catalogue follows the date chosen in its picker and says how long the flowers last in
the vase; the cart and quick order warn of a line asking more than that date has, and
refuse nothing for it."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.cart import add_to_cart, get_or_create_cart

pytestmark = pytest.mark.django_db

# Monday 1 March 2027, 09:00: FERN's addresses are on RTM's every-day test route.
MONDAY = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
WEDNESDAY = date(2027, 3, 3)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def peonies(warehouses, make_product, products):
    """At RTM: 30 expiring Thursday the 4th; 100 arriving Wednesday, expiring the 10th."""
    return make_product(
        "PEONY",
        name="Pink peony",
        category="peonies",
        case_pack=10,
        lots=[
            {"warehouse": warehouses["RTM"], "lot": "THU", "on_hand": 30, "expires_on": date(2027, 3, 4)},
            {
                "warehouse": warehouses["RTM"],
                "lot": "FRESH",
                "on_hand": 100,
                "available_from": WEDNESDAY,
                "expires_on": date(2027, 3, 10),
            },
        ],
    )


def product_card(page: str, sku: str) -> str:
    [card] = [card for card in re.findall(r'<li class="product">.*?</li>', page, re.S) if f"{sku} ·" in card]
    return card


def choose_date(portal, ship_tos, day: date):
    return portal.post(
        "/catalogue/",
        {"ship_to": ship_tos[0].id, "requested_delivery_date": day.isoformat(), "next": "/catalogue/?q=peony"},
    )


def test_the_catalogue_shows_the_stock_and_vase_life_of_the_date_chosen(portal, buyer, ship_tos, peonies):
    today = portal.get("/catalogue/").content.decode()
    chosen = choose_date(portal, ship_tos, WEDNESDAY)
    wednesday = portal.get(chosen["Location"]).content.decode()

    assert "Stock shown for delivery on <strong>Mon 1 Mar</strong>" in today
    monday_card = product_card(today, "PEONY")
    assert "Low stock" in monday_card and "At least 3 days in the vase</p>" in monday_card
    assert (chosen.status_code, chosen["Location"]) == (302, "/catalogue/?q=peony")
    assert "Stock shown for delivery on <strong>Wed 3 Mar</strong>" in wednesday
    wednesday_card = product_card(wednesday, "PEONY")
    assert "In stock" in wednesday_card and "At least 1 day in the vase (up to 7)" in wednesday_card
    assert get_or_create_cart(buyer).requested_delivery_date == WEDNESDAY


def test_a_product_that_does_not_perish_says_nothing_of_the_vase(portal, ship_tos, peonies):
    assert "in the vase" not in product_card(portal.get("/catalogue/").content.decode(), "ROSE-RED")


def test_a_date_the_route_does_not_offer_is_refused_naming_it(portal, buyer, ship_tos, peonies):
    answer = choose_date(portal, ship_tos, date(2027, 2, 26))

    page = portal.get(answer["Location"]).content.decode()
    assert "2027-02-26" in page and "in the past" in page
    assert get_or_create_cart(buyer).requested_delivery_date is None


def test_the_cart_warns_of_a_line_the_date_cannot_cover_and_keeps_it(portal, buyer, ship_tos, peonies):
    add_to_cart(user=buyer, sku="PEONY", quantity=50)

    monday = portal.get("/cart/").content.decode()
    choose_date(portal, ship_tos, WEDNESDAY)
    wednesday = portal.get("/cart/").content.decode()

    assert "PEONY: 30 available for delivery on Mon 1 Mar, fewer than the 50 asked" in monday
    assert "Stock checked for delivery on <strong>Wed 3 Mar</strong>" in wednesday
    assert "stock-warning" not in wednesday


def test_quick_order_adds_a_line_the_date_cannot_cover_and_the_cart_warns_of_it(portal, buyer, ship_tos, peonies):
    answer = portal.post("/quick-order/", {"sku_1": "PEONY", "quantity_1": "50"}, follow=True)

    assert answer.redirect_chain[-1][0].endswith("/cart/")
    assert "PEONY: 30 available for delivery on Mon 1 Mar" in answer.content.decode()
    assert get_or_create_cart(buyer).lines.get().quantity == 50


def test_quick_order_warns_beside_the_rows_it_could_not_add(portal, buyer, ship_tos, peonies):
    answer = portal.post("/quick-order/", {"sku_1": "PEONY", "quantity_1": "50", "sku_2": "NOPE", "quantity_2": "10"})

    page = answer.content.decode()
    assert answer.status_code == 200 and "NOPE" in page
    assert "PEONY: 30 available for delivery on Mon 1 Mar, fewer than the 50 asked" in page


def count_queries(portal, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert portal.get(path).status_code == 200
    return len(queries)


def test_the_cart_reads_availability_in_the_same_queries_however_many_lines(portal, buyer, ship_tos, peonies, products):
    add_to_cart(user=buyer, sku="PEONY", quantity=10)
    portal.get("/cart/")
    one_line = count_queries(portal, "/cart/")
    add_to_cart(user=buyer, sku="ROSE-RED", quantity=10)
    add_to_cart(user=buyer, sku="TULIP-YEL", quantity=100)

    assert count_queries(portal, "/cart/") == one_line


def test_a_route_west_of_the_site_late_in_its_evening_still_shows_its_catalogue(portal, warehouses, ship_tos, peonies):
    """New York's Monday evening is Amsterdam's Tuesday night: the route's earliest
    option, Monday, is counted for, not judged to be in the past on the site's clock."""
    warehouses["RTM"].timezone = "America/New_York"
    warehouses["RTM"].save()

    with time_machine.travel(datetime(2027, 3, 2, 3, 0, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False):
        page = portal.get("/catalogue/?q=peony")

    assert page.status_code == 200
    assert "Mon 1 Mar" in page.content.decode()
