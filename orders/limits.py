"""A partner's order limits (Partner.max_order_value, Partner.max_open_order_value;
new partners take PARTNER_MAX_ORDER_VALUE and PARTNER_MAX_OPEN_ORDER_VALUE): what one
buyer may order at once and have open, so that no buyer can tie up the catalogue or
a credit line with orders nobody will pay for (issue 14). Intake checks both for
every door (orders.intake): the first from the priced lines, the second in the
statement that writes the order, against the partner's orders not yet shipped or
cancelled. An empty limit is no limit (the bench world's partners), and then
intake does not sum the open orders at all.

The open-order limit is a soft cap under concurrency: each intake sums the open
orders committed when its statement starts, so N requests of one partner in flight
at once can each pass it, and the partner's open value can go past the limit by at
most the totals of N - 1 orders (each at most its maximum order value). Making it
exact would take a lock per partner on the hot path."""

from decimal import Decimal

from orders.exceptions import OpenOrdersLimitError


def order_value_problems(*, total: Decimal, partner_code: str, max_order_value: Decimal | None) -> list[dict]:
    """Return a problem (`order_too_large`, on `total`) when the order comes to more
    than the partner may order at once (None: no limit), else none."""
    if max_order_value is None or total <= max_order_value:
        return []
    return [
        {
            "field": "total",
            "code": "order_too_large",
            "detail": f"The order comes to {total}, more than partner {partner_code}'s maximum order value "
            f"({max_order_value}); split it or ask Bouquet to raise the limit.",
        }
    ]


def open_orders_limit_error(*, partner, open_value: Decimal, total: Decimal) -> OpenOrdersLimitError:
    """The error for an order that would take the partner's open orders past its
    open-order limit, naming the limit and what is open."""
    detail = (
        f"Partner {partner.code} has {open_value} in open orders (not yet shipped or cancelled); this order's "
        f"{total} would take that past its open-order limit ({partner.max_open_order_value})."
    )
    return OpenOrdersLimitError(
        detail,
        errors=[{"field": "total", "code": "open_orders_limit", "detail": detail}],
        open_order_value=str(open_value),
        max_open_order_value=str(partner.max_open_order_value),
    )
