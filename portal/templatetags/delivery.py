"""The delivery promise on the portal's pages, worded by portal.promise_text: an order's
delivery date, and the order-by moment it was accepted under on its route's warehouse
clock. Filters return plain text; the template escapes it."""

from django import template

from orders.delivery import order_by_on_warehouse_clock
from portal.promise_text import day_text, order_by_text

register = template.Library()


@register.filter
def delivery_day(day) -> str:
    """A date as "Tue 1 Dec 2026"; "" for none."""
    return f"{day_text(day)} {day.year}" if day else ""


@register.filter
def order_by_on_route_clock(order) -> str:
    """The order's order-by moment on its route's warehouse clock ("Mon 30 Nov, 14:00",
    "Mon 30 Nov, 10:00 GMT" for London); "" for an order placed before routes."""
    moment = order_by_on_warehouse_clock(order)
    return "" if moment is None else order_by_text(moment)
