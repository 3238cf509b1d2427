"""Quick order: rows and pasted lines checked with intake's rules, good ones into the cart."""

import pytest

from orders.models import CartLine

pytestmark = pytest.mark.django_db


def cart_of(user) -> dict:
    return dict(CartLine.objects.filter(cart__user=user).values_list("product__sku", "quantity"))


def test_puts_good_rows_into_the_cart(portal, buyer, products):
    response = portal.post(
        "/quick-order/",
        {
            "sku_1": "ROSE-RED",
            "quantity_1": "40",
            "sku_2": "TULIP-YEL",
            "quantity_2": "100",
            "sku_3": "",
            "quantity_3": "",
        },
    )

    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert cart_of(buyer) == {"ROSE-RED": 40, "TULIP-YEL": 100}


@pytest.mark.parametrize("separator", ["\t", ",", ";"])
def test_reads_lines_pasted_from_a_spreadsheet(portal, buyer, products, separator):
    paste = f"sku{separator}quantity\nROSE-RED{separator}20\n\nTULIP-YEL{separator}150{separator}note\n"

    response = portal.post("/quick-order/", {"paste": paste})

    assert response.status_code == 302
    assert cart_of(buyer) == {"ROSE-RED": 20, "TULIP-YEL": 150}


def test_keeps_bad_rows_with_the_reason_next_to_each(portal, buyer, products):
    response = portal.post(
        "/quick-order/",
        {
            "sku_1": "ROSE-RED",
            "quantity_1": "20",
            "sku_2": "NOPE-9",
            "quantity_2": "10",
            "sku_3": "GONE-1",
            "quantity_3": "10",
            "sku_4": "ROSE-RED",
            "quantity_4": "10",
            "paste": "TULIP-YEL\t75\nFERN-LEAF;20\nTULIP-YEL,50\nFERN-LEAF2",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert cart_of(buyer) == {"ROSE-RED": 20, "FERN-LEAF": 20}
    assert "2 lines added to your cart." in page
    assert "6 lines could not be added" in page
    # each reason beside its row, the row kept for correcting
    for row, (sku, quantity, reason) in enumerate(
        [
            ("NOPE-9", "10", "NOPE-9 is not in the catalogue."),
            ("GONE-1", "10", "GONE-1 is no longer sold."),
            ("ROSE-RED", "10", "ROSE-RED is already on line 1; put it on one line."),
            ("TULIP-YEL", "75", "TULIP-YEL comes in cases of 50; 75 is not a multiple of 50."),
            ("TULIP-YEL", "50", "TULIP-YEL is already on line 5; put it on one line."),
            ("FERN-LEAF2", "", "FERN-LEAF2 is not in the catalogue."),
        ],
        start=1,
    ):
        assert f'name="sku_{row}" value="{sku}"' in page
        assert f'name="quantity_{row}" value="{quantity}"' in page
        assert f'<span id="err_{row}" class="error-text">{reason}' in page


def test_explains_a_minimum_order(portal, buyer, products):
    page = portal.post("/quick-order/", {"sku_1": "TULIP-YEL", "quantity_1": "50"}).content.decode()

    assert "the minimum order for TULIP-YEL is 100; got 50." in page
    assert cart_of(buyer) == {}


def test_explains_a_missing_or_malformed_quantity(portal, buyer, products):
    page = portal.post("/quick-order/", {"paste": "ROSE-RED\nTULIP-YEL;-50"}).content.decode()

    assert '<span id="err_1" class="error-text">quantity for ROSE-RED must be a whole number from 1 to 1000000.' in page
    assert (
        '<span id="err_2" class="error-text">quantity for TULIP-YEL must be a whole number from 1 to 1000000.' in page
    )
    assert cart_of(buyer) == {}


def test_asks_for_at_least_one_line(portal, products):
    page = portal.post("/quick-order/", {"sku_1": "", "quantity_1": "", "paste": "  \n"}).content.decode()

    assert "Enter at least one SKU and quantity" in page


def test_shows_labelled_empty_rows(portal):
    page = portal.get("/quick-order/").content.decode()

    assert '<label class="visually-hidden" for="sku_8">SKU, row 8</label>' in page
    assert 'for="id_paste"' in page
