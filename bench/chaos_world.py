"""The chaos run's hot SKU in dated lots (docs/DESIGN.md section 11): one rose that half
of the orders ask for, in three lots at Aalsmeer that expire on different days. The
first is too old for the partners that want 4 days, the first two run out during the
run, so lines split over lots and land on the lot each buyer's rule allows, while
workers die and services stop; the audit then checks every lot (ledger, reservations,
oversold, fitness)."""

from datetime import timedelta

from bench.scenarios import Traffic

HOT_SKU = "BX-CHAOS-HOT"
# (lot code, days of life, units): bench partners want 2 to 4 days left at delivery,
# and their routes deliver the same day.
HOT_LOTS = (("CH-3D", 3, 3000), ("CH-7D", 7, 4000), ("CH-14D", 14, 60000))


def add_hot_lots() -> None:
    """Create the hot SKU and its lots through the version-checked write, once."""
    from django.utils import timezone

    from inventory.models import Product, Warehouse
    from inventory.stock_sync import set_on_hand

    product, created = Product.objects.get_or_create(
        sku=HOT_SKU,
        defaults={
            "name": "Rose Red Naomi, the chaos run's favourite",
            "category": "roses",
            "case_pack": 1,
            "list_price": "0.50",
        },
    )
    if not created:
        return
    warehouse = Warehouse.objects.get(code="AMS")
    today = timezone.localdate()
    for lot, days, units in HOT_LOTS:
        set_on_hand(
            product=product,
            warehouse=warehouse,
            lot=lot,
            on_hand=units,
            expected_version=0,
            expires_on=today + timedelta(days=days),
            actor="chaos",
            note="the chaos run's hot SKU",
        )


class ChaosTraffic(Traffic):
    """The bench's orders, half of them with a line of the hot SKU besides."""

    def __init__(self, base_url: str, seed: int = 7):
        super().__init__(base_url, seed)
        self.products = [(sku, pack) for sku, pack in self.products if sku != HOT_SKU]

    def body(self) -> dict:
        body = super().body()
        if self.rng.random() < 0.5:
            body["lines"].append({"sku": HOT_SKU, "quantity": self.rng.randint(1, 5)})
        return body
