"""The catalogue at the partner's prices with availability, and adding to the cart."""

from decimal import Decimal

import pytest

from inventory.factories import ProductFactory, StockFactory
from orders.models import CartLine
from partners.factories import PartnerPriceFactory

pytestmark = pytest.mark.django_db


def test_shows_active_products_with_own_prices_packs_and_availability(portal, products):
    page = portal.get("/catalogue/").content.decode()

    assert "Red rose 60 cm" in page and "Yellow tulip" in page
    assert "Discontinued lily" not in page
    # FERN's own price from a case, and the break at 100
    assert "€ 0.70 / stem" in page and "from 100" in page and "€ 0.60 / stem" in page
    assert "Case of 50 stems · minimum 100" in page
    assert 'min="100" step="50"' in page
    assert "In stock" in page and "Low stock" in page and "Out of stock" in page


def test_searches_by_name_or_sku(portal, products):
    by_name = portal.get("/catalogue/", {"q": "tulip"}).content.decode()
    by_sku = portal.get("/catalogue/", {"q": "rose-red"}).content.decode()

    assert "Yellow tulip" in by_name and "Red rose" not in by_name
    assert "Red rose 60 cm" in by_sku and "Yellow tulip" not in by_sku


def test_filters_by_category(portal, products):
    page = portal.get("/catalogue/", {"category": "greens"}).content.decode()

    assert "Leatherleaf fern" in page and "Red rose" not in page
    assert '<option value="greens" selected>' in page


def test_says_when_nothing_matches(portal, products):
    assert "No products match" in portal.get("/catalogue/", {"q": "orchid"}).content.decode()


def test_pages_through_the_catalogue(portal, products):
    for n in range(30):
        ProductFactory(sku=f"ZZ-{n:03d}", name=f"Zinnia {n}", category="zinnias")

    first = portal.get("/catalogue/").content.decode()
    second = portal.get("/catalogue/", {"page": 2}).content.decode()

    assert "Page 1 of 2" in first and "ZZ-029" not in first
    assert "ZZ-029" in second


def test_reads_a_page_in_the_same_number_of_queries_however_many_products(
    portal, products, account_buyer, warehouses, django_assert_num_queries
):
    portal.get("/catalogue/")  # the session and cart exist
    # session, user, membership, categories, the cart; the address's dates (addresses,
    # route calendars: a warm process keeps them); count, the page with availability for
    # the date, prices; the picker's default address and its addresses; cart count
    with django_assert_num_queries(15):
        portal.get("/catalogue/")
    for n in range(20):
        product = ProductFactory(sku=f"MORE-{n:02d}", category="roses")
        StockFactory(product=product, warehouse=warehouses["AMS"], on_hand=40)
        PartnerPriceFactory(partner=account_buyer, product=product, unit_price=Decimal("0.50"))

    with django_assert_num_queries(15):
        portal.get("/catalogue/")


def test_adds_a_product_in_case_pack_steps(portal, buyer, products):
    response = portal.post("/cart/add/", {"sku": "ROSE-RED", "quantity": "30", "next": "/catalogue/?q=rose"})
    portal.post("/cart/add/", {"sku": "ROSE-RED", "quantity": "20"})

    assert response.status_code == 302 and response["Location"] == "/catalogue/?q=rose"
    assert CartLine.objects.get(cart__user=buyer).quantity == 50
    assert 'Cart (<span id="cart-count">1</span>)' in portal.get("/catalogue/").content.decode()


@pytest.mark.parametrize(
    ("sku", "quantity", "message"),
    [
        ("ROSE-RED", "15", "ROSE-RED comes in cases of 10; 15 is not a multiple of 10."),
        ("TULIP-YEL", "50", "the minimum order for TULIP-YEL is 100; got 50."),
        ("GONE-1", "10", "GONE-1 is no longer sold."),
        ("NOPE-1", "10", "NOPE-1 is not in the catalogue."),
        ("ROSE-RED", "ten", "quantity for ROSE-RED must be a whole number"),
    ],
)
def test_refuses_a_bad_quantity_or_product_with_the_reason(portal, buyer, products, sku, quantity, message):
    response = portal.post("/cart/add/", {"sku": sku, "quantity": quantity}, follow=True)

    assert message in response.content.decode()
    assert not CartLine.objects.filter(cart__user=buyer).exists()


def test_answers_htmx_with_a_fragment_and_the_new_cart_count(portal, buyer, products):
    ok = portal.post("/cart/add/", {"sku": "ROSE-RED", "quantity": "20"}, HTTP_HX_REQUEST="true")
    bad = portal.post("/cart/add/", {"sku": "ROSE-RED", "quantity": "25"}, HTTP_HX_REQUEST="true")

    assert ok.status_code == 200
    assert "Added 20 × ROSE-RED; 20 in your cart." in ok.content.decode()
    assert '<span id="cart-count" hx-swap-oob="true">1</span>' in ok.content.decode()
    assert "comes in cases of 10; 25 is not a multiple of 10." in bad.content.decode()
    assert CartLine.objects.get(cart__user=buyer).quantity == 20


def test_does_not_redirect_to_another_site(portal, products):
    response = portal.post("/cart/add/", {"sku": "ROSE-RED", "quantity": "10", "next": "https://evil.example/"})

    assert response["Location"] == "/catalogue/"
