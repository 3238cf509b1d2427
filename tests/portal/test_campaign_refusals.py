"""A campaign's products on its date are pre-book only until its first committed run:
the portal's cart and a CSV file of orders refuse them, naming the line or row and
linking to the campaign's page; other dates go through."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.cart import add_to_cart
from orders.models import CsvUpload, Order
from tests.support.uploads import run

pytestmark = pytest.mark.django_db

LINK = '<a href="/campaigns/VDAY/">/campaigns/VDAY/</a>'


@pytest.fixture
def filled_cart(buyer, products, ship_tos):
    add_to_cart(user=buyer, sku="FERN-LEAF", quantity=20)
    add_to_cart(user=buyer, sku="ROSE-RED", quantity=100)
    return buyer


def checkout(portal, key, ship_to, day):
    data = {"action": "checkout", "idempotency_key": key, "ship_to": ship_to.id, "po_number": ""}
    return portal.post("/cart/", {**data, "requested_delivery_date": day.isoformat()})


def test_the_cart_names_the_line_and_links_to_the_campaign(portal, rose_campaign, filled_cart, ship_tos, cart_key):
    response = checkout(portal, cart_key(), ship_tos[0], rose_campaign.delivery_date)

    page = response.content.decode()
    error = page[page.index('id="line-error-2"') :]
    assert error.startswith(
        f'id="line-error-2">ROSE-RED for {rose_campaign.delivery_date.isoformat()} is sold through pre-books of '
        f"campaign VDAY (Valentine&#x27;s Day) until it is allocated; pre-book at {LINK}."
    )
    assert 'id="line-error-1"' not in page  # the fern is not in the campaign
    assert not Order.objects.exists()


def test_the_cart_places_the_campaigns_products_for_another_date(
    portal, rose_campaign, filled_cart, ship_tos, cart_key
):
    response = checkout(portal, cart_key(), ship_tos[0], rose_campaign.delivery_date - timedelta(days=1))

    assert response.status_code == 302 and Order.objects.count() == 1


def order_file(campaign) -> str:
    other_day = (timezone.localdate() + timedelta(days=2)).isoformat()
    return (
        "sku,quantity,requested_delivery_date\n"
        f"TULIP-YEL,100,{other_day}\n"
        f"ROSE-RED,100,{campaign.delivery_date.isoformat()}\n"
        f"ROSE-RED,100,{other_day}\n"
    )


def test_a_file_of_orders_names_the_row_and_places_nothing(portal, rose_campaign, account_buyer, ship_tos):
    upload = run(account_buyer, order_file(rose_campaign))

    assert upload.status == CsvUpload.Status.INVALID and not Order.objects.exists()
    assert upload.problems == [
        {
            "line": 3,
            "sku": "ROSE-RED",
            "code": "campaign_prebook_only",
            "detail": f"Line 3: ROSE-RED for {rose_campaign.delivery_date.isoformat()} is sold through pre-books of "
            "campaign VDAY (Valentine's Day) until it is allocated; pre-book at /campaigns/VDAY/.",
            "campaign": "VDAY",
            "prebook_url": "/campaigns/VDAY/",
        }
    ]


def test_the_report_links_the_row_to_the_campaign(portal, rose_campaign, account_buyer, ship_tos, buyer):
    upload = run(account_buyer, order_file(rose_campaign), mode=CsvUpload.Mode.VALID_ROWS)
    CsvUpload.objects.filter(id=upload.id).update(uploaded_by=buyer)

    page = portal.get(f"/upload/{upload.id}/").content.decode()

    assert upload.status == CsvUpload.Status.DONE and Order.objects.count() == 1
    assert [(line.sku, line.quantity) for line in Order.objects.get().lines.all()] == [
        ("TULIP-YEL", 100),
        ("ROSE-RED", 100),
    ]
    assert '<td class="num">3</td><td>ROSE-RED</td>' in page
    assert '<a href="/campaigns/VDAY/">Pre-book for VDAY</a>' in page
