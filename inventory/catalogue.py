"""The product catalogue's writes: a product created or changed by the ERP, the admin
or an import, with every field checked and named when it is wrong."""

import logging
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from config.errors import summarise_errors
from config.limits import CENT, MAX_PRICE, MAX_WHOLE_NUMBER, SKU_PATTERN, matches_pattern
from config.unchanged import UNCHANGED, Unchanged
from inventory.exceptions import (
    InventoryError,
)
from inventory.models import MAX_DAYS_AT_DELIVERY, Product

logger = logging.getLogger("bouquet.inventory")


def smallest_orderable_quantity(*, case_pack: int, min_order_qty: int) -> int:
    """Return the smallest quantity of a product that intake accepts: its minimum
    rounded up to whole cases, and at least one case. The catalogue offers it, and the
    CSV sample orders it, so neither suggests a quantity intake would refuse."""
    cases = max(1, -(-min_order_qty // case_pack))
    return cases * case_pack


def _product_field_errors(
    *, sku, name, unit, category, case_pack, min_order_qty, list_price, min_days_at_delivery
) -> list[dict]:
    errors = []

    def bad(field, code, detail):
        errors.append({"field": field, "code": code, "detail": detail})

    if not isinstance(sku, str) or not matches_pattern(SKU_PATTERN, sku):
        bad("sku", "invalid_sku", f"SKU {sku!r} must be 1 to 40 printable ASCII characters without spaces.")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        bad("name", "invalid_name", "name must be 1 to 200 characters.")
    if unit is not None and (not isinstance(unit, str) or not unit.strip() or len(unit) > 20):
        bad("unit", "invalid_unit", "unit must be 1 to 20 characters.")
    if category is not None and (not isinstance(category, str) or len(category) > 40):
        bad("category", "invalid_category", "category must be at most 40 characters.")
    if isinstance(case_pack, bool) or not isinstance(case_pack, int) or not 1 <= case_pack <= MAX_WHOLE_NUMBER:
        bad("case_pack", "invalid_case_pack", "case_pack must be a whole number of at least 1.")
    if (
        isinstance(min_order_qty, bool)
        or not isinstance(min_order_qty, int)
        or not 0 <= min_order_qty <= MAX_WHOLE_NUMBER
    ):
        bad("min_order_qty", "invalid_min_order_qty", "min_order_qty must be a whole number of at least 0.")
    if (
        min_days_at_delivery is not UNCHANGED
        and min_days_at_delivery is not None
        and (
            isinstance(min_days_at_delivery, bool)
            or not isinstance(min_days_at_delivery, int)
            or not 0 <= min_days_at_delivery <= MAX_DAYS_AT_DELIVERY
        )
    ):
        bad(
            "min_days_at_delivery",
            "invalid_min_days_at_delivery",
            f"min_days_at_delivery must be empty or a whole number from 0 to {MAX_DAYS_AT_DELIVERY}.",
        )
    if (
        not isinstance(list_price, Decimal)
        or not list_price.is_finite()
        or not 0 <= list_price <= MAX_PRICE
        or list_price != list_price.quantize(CENT)
    ):
        bad(
            "list_price",
            "invalid_price",
            f"list_price must be an amount from 0 to {MAX_PRICE} with at most 2 decimals.",
        )
    return errors


def upsert_product(
    *,
    sku: str,
    name: str,
    case_pack: int,
    min_order_qty: int,
    list_price: Decimal,
    active: bool,
    unit: str | None = None,
    category: str | None = None,
    min_days_at_delivery: int | None | Unchanged = UNCHANGED,
    actor: str,
) -> tuple[Product, bool]:
    """Create the product with this SKU or overwrite its fields, as the ERP's product
    sync or an import does, and return it with whether it was created. `unit` and
    `category` left as None keep what the product has (a new one gets "stem" and no
    category). Raise InventoryError (`invalid_product`) naming every field at fault;
    nothing is written then.

    Orders placed earlier keep their prices and names: lines copy them at intake."""
    if isinstance(list_price, (int, str)) and not isinstance(list_price, bool):
        try:
            list_price = Decimal(list_price)
        except InvalidOperation:
            pass  # reported below as an invalid price
    errors = _product_field_errors(
        sku=sku,
        name=name,
        unit=unit,
        category=category,
        case_pack=case_pack,
        min_order_qty=min_order_qty,
        list_price=list_price,
        min_days_at_delivery=min_days_at_delivery,
    )
    if errors:
        raise InventoryError(
            summarise_errors(errors, subject=f"product {sku}"),
            code="invalid_product",
            errors=errors,
        )
    fields = {
        "name": name.strip(),
        "case_pack": case_pack,
        "min_order_qty": min_order_qty,
        "list_price": list_price,
        "active": active,
    }
    if unit is not None:
        fields["unit"] = unit.strip()
    if category is not None:
        fields["category"] = category.strip()
    if min_days_at_delivery is not UNCHANGED:
        fields["min_days_at_delivery"] = min_days_at_delivery

    with transaction.atomic():
        product = Product.objects.select_for_update().filter(sku=sku).first()
        created = product is None
        if created:
            try:
                # A savepoint: a concurrent upsert of the same new SKU may win the
                # insert, and then this one updates the row it made.
                with transaction.atomic():
                    product = Product.objects.create(sku=sku, **{"category": "", **fields})
            except IntegrityError:
                product = Product.objects.select_for_update().get(sku=sku)
                created = False
        if not created:
            for field, value in fields.items():
                setattr(product, field, value)
            product.save(update_fields=[*fields, "updated_at"])
    logger.info("product upserted", extra={"sku": sku, "new_product": created, "active": active, "actor": actor})
    return product, created
