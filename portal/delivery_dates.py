"""The delivery dates the portal offers for one of the partner's addresses: the options
of the promise (orders.delivery.delivery_promise_for, the one rule), labelled for the
date picker by portal.promise_text; and the home page's line about the earliest one.
No rule here: what is an option is the promise's to say."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from orders.delivery import delivery_promise_for
from partners.models import Partner
from portal.promise_text import option_label, order_within_text


@dataclass(frozen=True)
class DeliveryDates:
    # (ISO date, label), earliest first: the picker's choices
    choices: list[tuple[str, str]]
    earliest: date | None
    route: str | None  # the route's code; None when no route serves the address

    def offers(self, day: date | None) -> bool:
        return day is not None and any(value == day.isoformat() for value, _ in self.choices)

    def chosen(self, day: date | None) -> date | None:
        """The date to show chosen: `day` while it is an option, else the earliest."""
        return day if self.offers(day) else self.earliest


def delivery_dates(*, partner: Partner, address_id: int | None, now: datetime | None = None) -> DeliveryDates:
    """The options for the address (one of the partner's, checked by the caller; None:
    the default address)."""
    promise = delivery_promise_for(partner=partner, address_id=address_id, now=now or timezone.now())
    if promise is None:
        return DeliveryDates(choices=[], earliest=None, route=None)
    return DeliveryDates(
        choices=[(option.date.isoformat(), option_label(option)) for option in promise.options],
        earliest=promise.options[0].date if promise.options else None,
        route=promise.route.code,
    )


def home_promise(*, partner: Partner, now: datetime | None = None) -> str | None:
    """The line "Order within 2 h 10 min for delivery tomorrow (Tue 1 Dec)" for the default
    address's earliest option; None when it has none."""
    now = now or timezone.now()
    promise = delivery_promise_for(partner=partner, address_id=None, now=now)
    if promise is None or not promise.options:
        return None
    return order_within_text(promise.options[0], now)


def with_dates(form, *, partner: Partner):
    """Offer on `form` (portal.forms.DeliveryChoiceForm) the dates of its chosen
    address; an unbound form gets the date it was given chosen while that is still an
    option, else the earliest. Return the form."""
    dates = delivery_dates(partner=partner, address_id=form.chosen_ship_to_id())
    form.offer_dates(dates)
    if not form.is_bound:
        form.initial["requested_delivery_date"] = dates.chosen(form.initial.get("requested_delivery_date"))
    return form
