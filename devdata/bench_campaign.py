"""The benchmark's peak campaign, already allocated: the data set looks like a peak
week (docs/DESIGN.md section 12), so intake checks every line against the campaign's
pre-book-only pairs as it does then, and the journey carries the allocation's orders.

A campaign on the third delivery date ahead of five SKUs of its own (`BV-`, which the
bench's traffic never orders, so no bench order is refused as pre-book only), each in a
lot bought forward for the date; pre-books from twenty bench partners, half by card,
asking more than the lots hold; its window closed an hour before the build, and one
committed allocation run, whose orders wait for the journey's workers like any other.
Made once: a later build finds it and leaves it alone."""

import datetime
from decimal import Decimal

from django.utils import timezone

from inventory.models import Product, Warehouse
from inventory.stock_sync import set_on_hand
from orders.campaign_runs import run_allocation
from orders.campaigns import save_campaign
from orders.intake_cache import catalogue_changed
from orders.models import Campaign, Order
from orders.prebooks import place_prebook
from partners.models import Partner

CODE = "BENCH-PEAK"
DAYS_AHEAD = 2  # the third delivery date: the bench's routes deliver every day
SKUS = tuple(f"BV-ROS-{index:05d}" for index in range(1, 6))
UNITS_BOUGHT_FORWARD = 2_000
PREBOOKING_PARTNERS = 20
UNITS_PREBOOKED = 200  # by each partner, of each SKU: twice what the lots hold


def _campaign_products(day: datetime.date) -> list[Product]:
    warehouse = Warehouse.objects.order_by("priority", "code").first()
    products = []
    for sku in SKUS:
        product, created = Product.objects.get_or_create(
            sku=sku,
            defaults={
                "name": f"Bench peak rose {sku[-1]}",
                "category": "roses",
                "case_pack": 10,
                "min_order_qty": 0,
                "list_price": Decimal("1.20"),
            },
        )
        if created:
            set_on_hand(
                product=product,
                warehouse=warehouse,
                lot="BV-FWD",
                on_hand=UNITS_BOUGHT_FORWARD,
                available_from=day,
                expires_on=day + datetime.timedelta(days=10),
                expected_version=0,
                actor="bench_data",
                note="bought forward for the bench's peak",
            )
        products.append(product)
    catalogue_changed()
    return products


def ensure_bench_campaign() -> dict:
    """Make and allocate the bench's campaign unless it exists; return its figures."""
    campaign = Campaign.objects.filter(code=CODE).first()
    if campaign is None:
        now = timezone.now()
        day = timezone.localdate(now) + datetime.timedelta(days=DAYS_AHEAD)
        opens_at = now - datetime.timedelta(days=3)
        products = _campaign_products(day)
        campaign, _ = save_campaign(
            code=CODE,
            name="Bench peak",
            delivery_date=day,
            opens_at=opens_at,
            closes_at=now - datetime.timedelta(hours=1),
            products=[{"sku": product.sku, "cap_per_partner": None} for product in products],
        )
        partners = Partner.objects.filter(code__startswith="BP").order_by("code")[:PREBOOKING_PARTNERS]
        for partner in partners:
            place_prebook(
                campaign=campaign,
                partner=partner,
                lines=[{"sku": product.sku, "quantity": UNITS_PREBOOKED} for product in products],
                idempotency_key="bench-data",
                source="bench",
                now=opens_at + datetime.timedelta(hours=1),
            )
        run_allocation(campaign=campaign, dry_run=False, actor="bench_data")
    return {
        "campaign": campaign.code,
        "delivery_date": campaign.delivery_date.isoformat(),
        "allocation_orders": Order.objects.filter(source=Order.Source.PREBOOK).count(),
    }
