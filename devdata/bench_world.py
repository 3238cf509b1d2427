"""The benchmark's data set: hundreds of partners and thousands of SKUs, not the demo's
handful, so that catalogue, price and stock reads meet realistic table sizes.

Stock is dated supply (docs/DESIGN.md section 11): every SKU lies in each warehouse in
two or three lots that expire on different days, all far enough ahead that the bench
partners' freshness rules (2 to 4 days left at delivery) never refuse an order, and each
lot holds plenty: the reserve step walks several lots first-expiring-first, as in
production, and no order runs short for a reason the benchmark does not measure.

Built in bulk inside one transaction (lots and their opening ledger movements
together, so the ledger still sums to every lot). Deterministic, and safe to run twice:
a second run finds the world in place and only refreshes what the stand-in forgot
(Stripe customers), what a previous benchmark consumed (stock) and what aged since
(a lot's expiry moves forward, never back, so no reservation on it turns unfit)."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from devdata.bench_campaign import ensure_bench_campaign
from devdata.bench_history import ensure_order_history
from devdata.world import CHARGED_TEST_CARD, WAREHOUSES
from fulfillment.models import Route
from inventory.models import Product, Stock, StockMovement, Warehouse
from orders.intake_cache import catalogue_changed, partner_catalogue_changed
from partners.models import CreditAccount, Membership, Partner, PartnerPrice, ShipToAddress
from partners.tokens import issue_api_token
from payments import gateway
from payments.cards_on_file import set_up_test_card

CATEGORIES = ("roses", "tulips", "chrysanthemums", "plants", "sundries")
CASE_PACKS = {
    "roses": (20, 50),
    "tulips": (50,),
    "chrysanthemums": (10, 20, 25),
    "plants": (1, 6),
    "sundries": (1, 5, 10),
}
STOCK_PER_ROW = 1_000_000  # plenty in every lot: the benchmark measures throughput, not shortage
# (lot code, days of life from the day it is built); every other SKU has the third lot.
BENCH_LOTS = (("BL1", 20), ("BL2", 40), ("BL3", 60))
# A lot closer than this to its expiry is given its full life again on the next build.
REFRESH_BELOW_DAYS = 10
PASSWORD = "bench-only"


BENCH_SKU_PATTERN = r"^BX-[A-Z]{3}-[0-9]{5}$"


def bench_partner_code(index: int) -> str:
    return f"BP{index:04d}"


@transaction.atomic
def _build_rows(*, partners: int, skus: int) -> None:
    rng = random.Random(20260214)
    warehouses = [
        Warehouse.objects.update_or_create(
            code=code, defaults={"name": name, "priority": priority, "is_open": True, "timezone": zone}
        )[0]
        for code, name, priority, zone in WAREHOUSES
    ]
    products = _bench_products(rng, skus=skus)
    _opening_stock(products, warehouses)
    routes = {warehouse.id: _bench_route(warehouse) for warehouse in warehouses}
    for index in range(partners):
        _bench_partner(rng, index, warehouses=warehouses, products=products, routes=routes)
    # A benchmark places hundreds of thousands of orders for a few hundred partners and
    # never ships them: an open-order limit would soon refuse them all, and summing
    # ever more open orders would slow intake down run after run. No limits.
    Partner.objects.filter(code__startswith="BP").update(max_order_value=None, max_open_order_value=None)


def _bench_products(rng: random.Random, *, skus: int) -> list[Product]:
    if not Product.objects.filter(sku__regex=BENCH_SKU_PATTERN).exists():
        products = []
        for index in range(skus):
            category = CATEGORIES[index % len(CATEGORIES)]
            products.append(
                Product(
                    sku=f"BX-{category[:3].upper()}-{index:05d}",
                    name=f"Bench {category} {index}",
                    category=category,
                    case_pack=rng.choice(CASE_PACKS[category]),
                    min_order_qty=0,
                    list_price=Decimal(rng.randint(20, 900)) / 100,
                )
            )
        Product.objects.bulk_create(products, batch_size=1000)
        # bulk_create sends no post_save: tell running processes' intake caches.
        catalogue_changed()
    # Only the generated SKUs: the scenarios add hot SKUs of their own under BX-.
    return list(Product.objects.filter(sku__regex=BENCH_SKU_PATTERN))


def bench_partner_min_days(index: int) -> int:
    """A bench partner's freshness rule: 2, 3 or 4 days left at delivery."""
    return 2 + index % 3


def bench_lots(product: Product) -> tuple[tuple[str, int], ...]:
    """The (lot code, days of life) a bench SKU has in each warehouse: two or three."""
    return BENCH_LOTS if int(product.sku[-5:]) % 2 == 0 else BENCH_LOTS[:2]


def _opening_stock(products: list[Product], warehouses: list[Warehouse]) -> None:
    today = timezone.localdate()
    existing = set(Stock.objects.filter(product__in=products).values_list("product_id", "warehouse_id", "lot"))
    new_stock = [
        Stock(
            product=p,
            warehouse=w,
            lot=lot,
            expires_on=today + datetime.timedelta(days=life),
            on_hand=STOCK_PER_ROW,
        )
        for p in products
        for w in warehouses
        for lot, life in bench_lots(p)
        if (p.id, w.id, lot) not in existing
    ]
    Stock.objects.bulk_create(new_stock, batch_size=2000)
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                product=s.product,
                warehouse=s.warehouse,
                lot=s.lot,
                kind=StockMovement.Kind.RECEIPT,
                on_hand_delta=s.on_hand,
                actor="bench_data",
                note="benchmark opening stock",
            )
            for s in new_stock
        ],
        batch_size=2000,
    )


def _bench_route(warehouse: Warehouse) -> Route:
    """A route that delivers every day, ordered for until 23:59 the same day: the bench
    asks for no date, so every order gets the earliest, whatever the hour."""
    return Route.objects.get_or_create(
        code=f"{warehouse.code}-BENCH",
        defaults={
            "name": f"{warehouse.name}, benchmark",
            "warehouse": warehouse,
            "delivery_weekdays": [1, 2, 3, 4, 5, 6, 7],
            "order_by_time": datetime.time(23, 59),
            "lead_days": 0,
        },
    )[0]


def _bench_partner(
    rng: random.Random, index: int, *, warehouses: list[Warehouse], products: list[Product], routes: dict[int, Route]
) -> None:
    code = bench_partner_code(index)
    home = warehouses[index % len(warehouses)]
    on_account = index % 2 == 1
    partner, created = Partner.objects.get_or_create(
        code=code,
        defaults={
            "name": f"Bench partner {index}",
            "home_warehouse": home,
            "payment_method": Partner.PaymentMethod.ACCOUNT if on_account else Partner.PaymentMethod.CARD,
            "min_days_at_delivery": bench_partner_min_days(index),
        },
    )
    if not created:
        return
    CreditAccount.objects.create(partner=partner, credit_limit=Decimal("100000000.00"))
    ShipToAddress.objects.create(
        partner=partner,
        label="Shop",
        line1="Bench street 1",
        postcode="1000 AA",
        city="Amsterdam",
        is_default=True,
        route=routes[home.id],
    )
    user = get_user_model().objects.create_user(username=code.lower(), password=None)
    Membership.objects.create(user=user, partner=partner)
    PartnerPrice.objects.bulk_create(
        [
            PartnerPrice(
                partner=partner,
                product=product,
                min_quantity=1,
                unit_price=(product.list_price * Decimal("0.9")).quantize(Decimal("0.01")),
            )
            for product in rng.sample(products, 20)
        ]
    )
    partner_catalogue_changed(partner.id)


def _top_up_stock() -> None:
    """Put every bench lot back to plenty and to its full life where it ran low or
    aged, through the ledger. Its expiry only moves forward: a reservation fit for its
    date stays fit."""
    from inventory.stock_sync import set_on_hand

    today = timezone.localdate()
    life = dict(BENCH_LOTS)
    stale = today + datetime.timedelta(days=REFRESH_BELOW_DAYS)
    low = list(
        Stock.objects.filter(product__sku__regex=BENCH_SKU_PATTERN, lot__in=life)
        .filter(Q(on_hand__lt=STOCK_PER_ROW // 2) | Q(expires_on__lt=stale))
        .select_related("product", "warehouse")
    )
    for stock in low:
        full_life = today + datetime.timedelta(days=life[stock.lot])
        set_on_hand(
            product=stock.product,
            warehouse=stock.warehouse,
            lot=stock.lot,
            on_hand=max(stock.on_hand, STOCK_PER_ROW),
            expires_on=max(stock.expires_on, full_life) if stock.expires_on else full_life,
            expected_version=stock.version,
            actor="bench_data",
            note="benchmark top-up",
        )


def _ensure_cards() -> None:
    """A card on file for each card-paying bench partner that Stripe does not know (the
    stand-in forgets everything when it restarts), set up as the portal's page does."""
    for partner in Partner.objects.filter(code__startswith="BP", payment_method=Partner.PaymentMethod.CARD):
        if partner.stripe_customer_id and gateway.find_customer(partner.stripe_customer_id):
            continue
        partner.stripe_customer_id = ""
        set_up_test_card(partner, CHARGED_TEST_CARD)


def issue_bench_tokens() -> dict[str, str]:
    """Give each benchmark partner's user a new API token, revoking its earlier ones,
    and return the keys by partner code. Keys are stored hashed, so the load generator
    asks for fresh ones rather than reading them back."""
    memberships = Membership.objects.filter(partner__code__startswith="BP").select_related("user", "partner")
    with transaction.atomic():
        return {
            membership.partner.code: issue_api_token(user=membership.user, label="benchmark", replace=True).key
            for membership in memberships
        }


def build_bench_world(*, partners: int = 200, skus: int = 2000, history: int = 0) -> dict:
    _build_rows(partners=partners, skus=skus)
    _top_up_stock()
    _ensure_cards()
    campaign = ensure_bench_campaign()
    return {
        "history_orders": ensure_order_history(orders=history),
        "partners": Partner.objects.filter(code__startswith="BP").count(),
        "products": Product.objects.filter(sku__regex=BENCH_SKU_PATTERN).count(),
        "stock_lots": Stock.objects.filter(product__sku__regex=BENCH_SKU_PATTERN).count(),
        **campaign,
    }
