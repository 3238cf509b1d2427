"""The world every bad input is thrown at, and the check that it stayed as it was.

FERN (on account) with two ship-to addresses, its buyer signed in to the portal with an
empty cart, the buyer's API token, a staff token and a back-office clerk; the portal's
catalogue (ROSE-RED in cases of 10, TULIP-YEL in cases of 50 with a minimum of 100,
GONE-1 no longer sold, FERN-LEAF in cases of 20); and IVY, another partner with an
address of its own."""

from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from inventory.models import Product, Stock, StockMovement
from orders.cart import get_or_create_cart
from orders.models import Cart, CartLine, CsvUpload, IdempotencyRecord, Order, OrderEvent, OrderLine
from partners.factories import ShipToAddressFactory, UserFactory
from partners.models import Partner, PartnerPrice, ShipToAddress
from tests.api.conftest import client_for

# The portal's world, reused as it is.
from tests.portal.conftest import buyer, other_partner_user, portal, products, ship_tos  # noqa: F401

FIFTY_MEGABYTES = 50 * 1024 * 1024


def snapshot_of_world() -> dict:
    """Everything a bad input must leave as it was, table by table."""
    return {
        "orders": list(Order.objects.order_by("id").values_list("id", "status", "po_number")),
        "order lines": OrderLine.objects.count(),
        "order events": OrderEvent.objects.count(),
        "idempotency records": IdempotencyRecord.objects.count(),
        "stock": list(Stock.objects.order_by("id").values_list("id", "on_hand", "reserved", "version")),
        "stock ledger": StockMovement.objects.count(),
        "products": list(Product.objects.order_by("id").values_list(
            "sku", "name", "category", "unit", "case_pack", "min_order_qty", "list_price", "active")),
        "prices": list(PartnerPrice.objects.order_by("id").values_list("partner_id", "product_id", "min_quantity", "unit_price")),
        "partners": list(Partner.objects.order_by("id").values_list("code", "name", "active", "home_warehouse_id")),
        "ship-to addresses": list(ShipToAddress.objects.order_by("id").values_list("partner_id", "label")),
        "carts": list(Cart.objects.order_by("id").values_list("id", "ship_to_id", "po_number", "requested_delivery_date",
                                                            "idempotency_key")),
        "cart lines": list(CartLine.objects.order_by("id").values_list("cart_id", "product_id", "quantity")),
        "csv uploads": CsvUpload.objects.count(),
    }


@contextmanager
def nothing_changes(*, but: tuple[str, ...] = ()):
    """Assert that the block leaves the world as it found it (except the tables named
    in `but`: a refused CSV keeps its upload row, with the report)."""
    before = snapshot_of_world()
    yield
    after = snapshot_of_world()
    for table in but:
        before.pop(table), after.pop(table)
    assert after == before


def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def fifty_megabytes_of_csv() -> bytes:
    """A CSV of order lines just over 50 MB, built by repetition (no loop, no disk)."""
    line = b"ROSE-RED,10\n"
    return b"sku,quantity\n" + line * (FIFTY_MEGABYTES // len(line) + 1)


@pytest.fixture
def world(portal, buyer, products, ship_tos, other_partner_user, account_buyer):
    """Clients for every door and the things the bad inputs name."""
    get_or_create_cart(buyer)  # the cart page would create it: made here, before any snapshot
    clerk = UserFactory(username="clerk", is_staff=True, is_superuser=True)
    back_office = Client()
    back_office.force_login(clerk)
    return SimpleNamespace(
        partner=account_buyer, buyer=buyer, products=products, ship_tos=ship_tos,
        ivy_address=ShipToAddressFactory(partner=other_partner_user.membership.partner, label="Ivy's shop"),
        portal=portal, api=client_for(buyer), staff_api=client_for(UserFactory(username="erp", is_staff=True)),
        back_office=back_office,
    )
