"""Availability for a delivery date (docs/DESIGN.md section 11): what a product's lots
that can serve the date for a partner's freshness rule hold beyond their
reservations, in open warehouses (routing never serves from a closed one), as the
reserve step (inventory.stock.reserve_stock) would count it. Which lots serve is
inventory.freshness's to say; here it is only summed.

Beside the quantity, the expiry span of the serving lots with stock left: the
earliest `expires_on` is what a buyer gets (the reserve step takes lots first
expiring first), the latest what the freshest of them has. Both are expressions on a
Product queryset, so a page of the catalogue costs one query."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    DateField,
    Expression,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from inventory.freshness import days_left, required_days, serving_lots
from inventory.models import Product, Stock

# Stands for "does not perish" inside MAX(), so one undated lot makes the latest expiry
# empty rather than being skipped as SQL's MAX skips NULL.
_NEVER = date.max


def _serving_lots_of_outer_product(delivery_date: date, partner_days: int | None) -> QuerySet[Stock]:
    """The lots of the outer query's product, in open warehouses, that can serve the
    date for the partner's rule (None: the product's default)."""
    return (
        Stock.objects.filter(
            serving_lots(delivery_date, partner_days, product_days=OuterRef("min_days_at_delivery")),
            product=OuterRef("pk"),
            warehouse__is_open=True,
        )
        .order_by()
        .values("product")
    )


def available_on(delivery_date: date, partner_days: int | None) -> Expression:
    """An expression on Product: the units its serving lots hold beyond their
    reservations for this date and rule (0 when none)."""
    total = (
        _serving_lots_of_outer_product(delivery_date, partner_days)
        .annotate(total=Sum(F("on_hand") - F("reserved")))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def expiry_span(delivery_date: date, partner_days: int | None) -> dict[str, Expression]:
    """Expressions on Product, by annotation name: `expires_first`, the earliest expiry
    among its serving lots with stock left (None when none of them perishes), and
    `expires_last`, the latest (None when one of them does not perish, or none has
    stock)."""
    with_stock = _serving_lots_of_outer_product(delivery_date, partner_days).filter(on_hand__gt=F("reserved"))
    first = with_stock.annotate(day=Min("expires_on")).values("day")
    last = with_stock.annotate(
        day=NullIf(Max(Coalesce(F("expires_on"), Value(_NEVER))), Value(_NEVER), output_field=DateField())
    ).values("day")
    return {
        "expires_first": Subquery(first, output_field=DateField()),
        "expires_last": Subquery(last, output_field=DateField()),
    }


def annotate_availability(
    products: QuerySet[Product], *, delivery_date: date, partner_days: int | None
) -> QuerySet[Product]:
    """Return the products annotated with `available`, `expires_first` and
    `expires_last` for the date and the partner's rule (None: each product's default)."""
    return products.annotate(
        available=available_on(delivery_date, partner_days), **expiry_span(delivery_date, partner_days)
    )


@dataclass(frozen=True)
class Availability:
    """One product's availability for a date, as a buyer reads it."""

    delivery_date: date
    available: int
    required_days: int  # the freshness rule counted: the partner's, else the product's
    # Days of life on the delivery date of the earliest- and latest-expiring serving lot
    # with stock; None: it does not perish (or nothing is left).
    days_at_least: int | None
    days_up_to: int | None


def availability_of(product: Product, *, delivery_date: date, partner_days: int | None) -> Availability:
    """Read one product annotated by `annotate_availability` for the same date and rule."""
    first, last = product.expires_first, product.expires_last
    return Availability(
        delivery_date=delivery_date,
        available=product.available,
        required_days=required_days(partner_days, product.min_days_at_delivery),
        days_at_least=days_left(first, delivery_date),
        days_up_to=days_left(last, delivery_date) if first is not None else None,
    )


def availability_by_product(
    *, product_ids: list[int], delivery_date: date, partner_days: int | None
) -> dict[int, Availability]:
    """Return each product's availability for the date and rule, by product id, in one
    query."""
    if not product_ids:
        return {}
    products = annotate_availability(
        Product.objects.filter(id__in=product_ids), delivery_date=delivery_date, partner_days=partner_days
    )
    return {
        product.id: availability_of(product, delivery_date=delivery_date, partner_days=partner_days)
        for product in products
    }
