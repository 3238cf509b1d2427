"""What a bad input must leave as it was, and the inputs too large to accept."""

from contextlib import contextmanager
from datetime import timedelta

from django.utils import timezone

from inventory.models import Product, Stock, StockMovement
from orders.models import Cart, CartLine, CsvUpload, IdempotencyRecord, Order, OrderEvent, OrderLine
from partners.models import Partner, PartnerPrice, ShipToAddress

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
        "products": list(
            Product.objects.order_by("id").values_list(
                "sku", "name", "category", "unit", "case_pack", "min_order_qty", "list_price", "active"
            )
        ),
        "prices": list(
            PartnerPrice.objects.order_by("id").values_list("partner_id", "product_id", "min_quantity", "unit_price")
        ),
        "partners": list(Partner.objects.order_by("id").values_list("code", "name", "active", "home_warehouse_id")),
        "ship-to addresses": list(ShipToAddress.objects.order_by("id").values_list("partner_id", "label")),
        "carts": list(
            Cart.objects.order_by("id").values_list(
                "id", "ship_to_id", "po_number", "requested_delivery_date", "idempotency_key"
            )
        ),
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


def today() -> str:
    """Today where the supplier delivers: the first date a test warehouse's every-day
    route offers (until 23:59:59)."""
    return timezone.localdate().isoformat()


def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def fifty_megabytes_of_csv() -> bytes:
    """A CSV of order lines just over 50 MB, built by repetition (no loop, no disk)."""
    line = b"ROSE-RED,10\n"
    return b"sku,quantity\n" + line * (FIFTY_MEGABYTES // len(line) + 1)
