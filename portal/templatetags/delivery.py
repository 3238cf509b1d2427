"""The delivery promise on the portal's pages, worded by portal.promise_text: an order's
delivery date, and the order-by moment it was accepted under on its route's warehouse
clock. Filters return plain text; the template escapes it."""

import zoneinfo

from django import template

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
    if order.order_by is None or order.route_id is None:
        return ""
    return order_by_text(order.order_by.astimezone(zoneinfo.ZoneInfo(order.route.warehouse.timezone)))
