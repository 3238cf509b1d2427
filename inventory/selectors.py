"""Reads of the catalogue and of stock levels.

A product's availability is what open warehouses hold beyond their reservations:
routing never serves from a closed warehouse, so its stock is not offered. For a
delivery date it counts only the lots that can serve that date (inventory.availability);
every door of the catalogue passes one."""

from datetime import date

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from config.errors import NotFoundError
from inventory.availability import annotate_availability
from inventory.models import NO_LOT, Product, Stock, Warehouse


def _usable_key(value: str) -> bool:
    # PostgreSQL text cannot hold NUL; such a key names nothing, and asking the
    # database about it would fail instead of answering "not found".
    return bool(value) and "\x00" not in value


def _available_in_open_warehouses() -> Coalesce:
    per_product = (
        Stock.objects.filter(product=OuterRef("pk"), warehouse__is_open=True)
        .order_by()
        .values("product")
        .annotate(total=Sum(F("on_hand") - F("reserved")))
        .values("total")
    )
    return Coalesce(Subquery(per_product, output_field=IntegerField()), Value(0))


def catalogue(
    *,
    include_inactive: bool,
    q: str = "",
    category: str = "",
    active: bool | None = None,
    delivery_date: date | None = None,
    partner_days: int | None = None,
) -> QuerySet[Product]:
    """Return products by SKU, each annotated with `available` (open warehouses,
    on hand less reserved), in one query. With a `delivery_date`, only the lots that
    can serve it for the partner's rule (`partner_days`; None: each product's default)
    count, and `expires_first` and `expires_last` are annotated too
    (inventory.availability). `q` matches SKU or name, `category` the category, both
    ignoring case; inactive products only when `include_inactive`."""
    if delivery_date is None:
        products = Product.objects.annotate(available=_available_in_open_warehouses())
    else:
        products = annotate_availability(Product.objects.all(), delivery_date=delivery_date, partner_days=partner_days)
    products = products.order_by("sku")
    if not include_inactive:
        products = products.filter(active=True)
    if active is not None:
        products = products.filter(active=active)
    if q:
        products = products.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    if category:
        products = products.filter(category__iexact=category)
    return products


def get_product(
    *, sku: str, include_inactive: bool, delivery_date: date | None = None, partner_days: int | None = None
) -> Product:
    """Return the product annotated as `catalogue` annotates it; raise NotFoundError
    (`product_not_found`) naming the SKU when there is none, or when it is inactive
    and inactive products are not asked for."""
    products = catalogue(include_inactive=include_inactive, delivery_date=delivery_date, partner_days=partner_days)
    product = products.filter(sku=sku).first() if _usable_key(sku) else None
    if product is None:
        raise NotFoundError(f"Product {sku} not found.", code="product_not_found")
    return product


def find_product(*, sku: str) -> Product | None:
    return Product.objects.filter(sku=sku).first() if _usable_key(sku) else None


def find_warehouse(*, code: str) -> Warehouse | None:
    return Warehouse.objects.filter(code=code).first() if _usable_key(code) else None


def get_warehouse(*, code: str) -> Warehouse:
    """Return the warehouse; raise NotFoundError (`warehouse_not_found`) naming it."""
    warehouse = find_warehouse(code=code)
    if warehouse is None:
        raise NotFoundError(f"Warehouse {code} not found.", code="warehouse_not_found")
    return warehouse


def stock_levels(
    *,
    product: Product | None = None,
    warehouse: Warehouse | None = None,
    lot: str | None = None,
    expires_before: date | None = None,
) -> QuerySet[Stock]:
    """Return lots by SKU, then warehouse code, then lot code, each with its product
    and warehouse; only the given product's, warehouse's or lot code's when named, and
    only lots expiring before `expires_before` when given (the ERP's clearance)."""
    rows = Stock.objects.select_related("product", "warehouse").order_by("product__sku", "warehouse__code", "lot")
    if product is not None:
        rows = rows.filter(product=product)
    if warehouse is not None:
        rows = rows.filter(warehouse=warehouse)
    if lot is not None:
        rows = rows.filter(lot=lot)
    if expires_before is not None:
        rows = rows.filter(expires_on__lt=expires_before)
    return rows


def get_stock(*, product: Product, warehouse: Warehouse, lot: str = NO_LOT) -> Stock:
    """Return the lot of the product in the warehouse (lot "": the stock without a
    lot code); raise NotFoundError (`stock_not_found`) when the warehouse has never
    held it."""
    row = stock_levels(product=product, warehouse=warehouse, lot=lot).first() if _usable_key(lot or "-") else None
    if row is None:
        label = f"{product.sku}@{warehouse.code}" + (f" lot {lot}" if lot else "")
        raise NotFoundError(f"No stock row for {label}.", code="stock_not_found")
    return row
