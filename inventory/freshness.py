"""Freshness: whether a lot can serve a delivery date for a partner (docs/DESIGN.md
section 11), in one place, in the two forms the platform needs: a predicate for the
lots the reserve step has locked, and a filter for the queries that count what is
available. The property test holds the two together.

A lot serves delivery date D when its `available_from` is empty or not after D, and
its `expires_on` is empty or at least the required days after D: exactly the required
days qualifies, one fewer does not. The days required are the partner's rule, else
the product's default, else 0; so a lot that expired before D never serves."""

from datetime import date, timedelta

from django.db.models import DateField, Expression, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce


def required_days(partner_days: int | None, product_days: int | None) -> int:
    """The days of life a lot must have left at delivery: the partner's rule, else the
    product's default, else none."""
    if partner_days is not None:
        return partner_days
    return product_days or 0


def lot_serves(
    *, available_from: date | None, expires_on: date | None, delivery_date: date, required_days: int
) -> bool:
    """Whether a lot with these dates can serve this delivery date."""
    if available_from is not None and available_from > delivery_date:
        return False
    return expires_on is None or (expires_on - delivery_date).days >= required_days


def serving_lots(
    delivery_date: date, partner_days: int | None, *, product_days: Expression | None = None, prefix: str = ""
) -> Q:
    """A filter on stock lots (`prefix` leads to them, such as "stock__") keeping those
    that can serve this delivery date for a partner with this rule. Without a rule of
    the partner's, each lot's product default applies: `product_days` names it (the
    lot's own product, unless given, as an OuterRef to it in a subquery)."""
    if partner_days is not None:
        last_fit_day: Expression | date = delivery_date + timedelta(days=partner_days)
    else:
        days = product_days if product_days is not None else F(f"{prefix}product__min_days_at_delivery")
        last_fit_day = ExpressionWrapper(Value(delivery_date) + Coalesce(days, Value(0)), output_field=DateField())
    return (Q(**{f"{prefix}available_from__isnull": True}) | Q(**{f"{prefix}available_from__lte": delivery_date})) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": last_fit_day})
    )


def days_left(expires_on: date | None, delivery_date: date) -> int | None:
    """The days of life a lot has left on the delivery date (None: it does not perish)."""
    return None if expires_on is None else (expires_on - delivery_date).days
