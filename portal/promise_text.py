"""How the portal words the delivery promise (fulfillment.promise): a date, an order-by
moment on its warehouse's clock, an option of the date picker, and the home page's
"Order within 2 h 10 min for delivery tomorrow (Tue 1 Dec)". Pure functions of what
they are given, the moment `now` included, so that a controlled clock tests them."""

from datetime import UTC, date, datetime, timedelta

from django.conf import settings

from fulfillment.promise import DeliveryOption


def day_text(day: date) -> str:
    """A date as "Tue 1 Dec"."""
    return f"{day:%a} {day.day} {day:%b}"


def order_by_text(moment: datetime) -> str:
    """The order-by moment on the clock it is given in (the warehouse's): "Mon 30 Nov,
    14:00", with the zone's abbreviation when it is not the supplier's own zone
    ("Mon 30 Nov, 10:00 GMT" for a London warehouse)."""
    text = f"{day_text(moment.date())}, {moment:%H:%M}"
    zone = getattr(moment.tzinfo, "key", None)
    if zone is not None and zone != settings.TIME_ZONE:
        text = f"{text} {moment.tzname()}"
    return text


def option_label(option: DeliveryOption) -> str:
    """An option of the date picker: "Tue 1 Dec — order by Mon 30 Nov, 14:00"."""
    return f"{day_text(option.date)} — order by {order_by_text(option.order_by)}"


def time_left_text(now: datetime, until: datetime) -> str:
    """The time from `now` to `until` in whole minutes, rounded down (never promising
    a minute that is not there): "2 h 10 min", "45 min", "1 day 3 h"."""
    # In UTC: two moments on one zone's clock subtract as wall-clock times, and a
    # daylight-saving change would add or lose an hour.
    minutes = max(int((until.astimezone(UTC) - now.astimezone(UTC)) // timedelta(minutes=1)), 0)
    if minutes < 1:
        return "less than a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min"


def when_text(day: date, today: date) -> str:
    """The delivery date as the buyer says it: "today (Mon 30 Nov)", "tomorrow (Tue 1
    Dec)", else "on Thu 3 Dec"."""
    if day == today:
        return f"today ({day_text(day)})"
    if day == today + timedelta(days=1):
        return f"tomorrow ({day_text(day)})"
    return f"on {day_text(day)}"


def order_within_text(option: DeliveryOption, now: datetime) -> str:
    """The home page's promise for the earliest option: "Order within 2 h 10 min for
    delivery tomorrow (Tue 1 Dec)". Today and tomorrow are the warehouse's, the clock
    the option's order-by moment is given on."""
    today = now.astimezone(option.order_by.tzinfo).date()
    return f"Order within {time_left_text(now, option.order_by)} for delivery {when_text(option.date, today)}"
