"""Prices: a partner's own price per product, with optional quantity breaks, over the
product's list price. `price_for_quantity` is the rule; the rest read or write the
price list for intake, the catalogue and the cart."""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction

from config.errors import NotFoundError, summarise_errors
from config.limits import CENT, MAX_PRICE, MAX_WHOLE_NUMBER
from partners.exceptions import PartnerError
from partners.models import Partner, PartnerPrice


def price_for_quantity(breaks: Sequence[tuple[int, Decimal]], quantity: int, list_price: Decimal) -> Decimal:
    """Return the unit price for `quantity` from a product's quantity breaks for a
    partner (lowest first, as `price_table` gives them): the price of the highest
    break reached, else the product's list price."""
    price = list_price
    for min_quantity, unit_price in breaks:
        if min_quantity > quantity:
            break
        price = unit_price
    return price


def prices_for(*, partner_id: int, quantities: dict[int, int], list_prices: dict[int, Decimal]) -> dict[int, Decimal]:
    """Return the unit price per product id for the quantity ordered: the partner's
    price from the highest quantity break reached, else the product's list price.
    One query, however many lines."""
    table = price_table(partner_id=partner_id, product_ids=quantities)
    return {
        product_id: price_for_quantity(table.get(product_id, ()), quantity, list_prices[product_id])
        for product_id, quantity in quantities.items()
    }


def price_table(*, partner_id: int, product_ids: Iterable[int] | None) -> dict[int, list[tuple[int, Decimal]]]:
    """Return each product's quantity breaks for the partner, lowest first (for
    showing prices in the catalogue, and for `price_for_quantity`); product_ids None
    gives the partner's whole price list."""
    prices = PartnerPrice.objects.filter(partner_id=partner_id)
    if product_ids is not None:
        prices = prices.filter(product_id__in=list(product_ids))
    table: dict[int, list[tuple[int, Decimal]]] = {}
    for product_id, min_quantity, unit_price in prices.values_list("product_id", "min_quantity", "unit_price").order_by(
        "product_id", "min_quantity"
    ):
        table.setdefault(product_id, []).append((min_quantity, unit_price))
    return table


def catalogue_prices(*, products, partner) -> dict:
    """Return, per product id, the unit price when buying one case and the quantity
    breaks, for the partner (list price and no breaks without one): one query for a
    whole page of products. One case, not the smallest orderable quantity: the API
    documents `price` as the price of one case, and `price_breaks` give the rest."""
    if partner is None or not products:
        return {p.id: (p.list_price, []) for p in products}
    breaks = price_table(partner_id=partner.id, product_ids=[p.id for p in products])
    return {
        p.id: (price_for_quantity(breaks.get(p.id, ()), p.case_pack, p.list_price), breaks.get(p.id, []))
        for p in products
    }


def set_partner_price(
    *, partner: Partner, product, unit_price: Decimal, min_quantity: int = 1
) -> tuple[PartnerPrice, bool]:
    """Set the partner's unit price for the product from `min_quantity` units up (one
    quantity break; 1 is the plain price), and return the row with whether it was
    created. Raise PartnerError naming the field for a price below 0, with more than
    2 decimals, or a break below 1. Orders already placed keep their prices."""
    errors = []
    if (
        not isinstance(unit_price, Decimal)
        or not unit_price.is_finite()
        or not 0 <= unit_price <= MAX_PRICE
        or unit_price != unit_price.quantize(CENT)
    ):
        errors.append(
            {
                "field": "unit_price",
                "code": "invalid_price",
                "detail": f"unit_price must be an amount from 0 to {MAX_PRICE} with at most 2 decimals.",
            }
        )
    if isinstance(min_quantity, bool) or not isinstance(min_quantity, int) or not 1 <= min_quantity <= MAX_WHOLE_NUMBER:
        errors.append(
            {
                "field": "min_quantity",
                "code": "invalid_min_quantity",
                "detail": "min_quantity must be a whole number of at least 1.",
            }
        )
    if errors:
        raise PartnerError(
            summarise_errors(errors, subject="the price"),
            code="invalid_price",
            errors=errors,
        )
    key = {"partner": partner, "product": product, "min_quantity": min_quantity}
    with transaction.atomic():
        price = PartnerPrice.objects.select_for_update().filter(**key).first()
        if price is None:
            try:
                # A savepoint: a concurrent writer of the same break may win the
                # insert, and then this one updates the row it made.
                with transaction.atomic():
                    return PartnerPrice.objects.create(**key, unit_price=unit_price), True
            except IntegrityError:
                price = PartnerPrice.objects.select_for_update().get(**key)
        price.unit_price = unit_price
        price.save(update_fields=["unit_price", "updated_at"])
    return price, False


def remove_partner_price(*, partner: Partner, product, min_quantity: int = 1) -> None:
    """Delete the partner's price break for the product at `min_quantity`; without
    any break left the product sells to the partner at its list price. Raise
    NotFoundError (`price_not_found`) naming the break when there is none."""
    deleted, _ = PartnerPrice.objects.filter(partner=partner, product=product, min_quantity=min_quantity).delete()
    if not deleted:
        raise NotFoundError(
            f"Partner {partner.code} has no price for {product.sku} from {min_quantity} units.", code="price_not_found"
        )
