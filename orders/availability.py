"""Which delivery date and freshness rule the catalogue counts availability for, for
every door that shows it (the API's products, the portal's catalogue, quick order and
cart): a date asked for, else the earliest option of the delivery promise for the
address (orders.delivery, the one rule of dates); the partner's rule, else each
product's default (inventory.freshness). The counting is inventory.availability's."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from config.errors import UnprocessableError
from config.supplier_day import supplier_today
from fulfillment.promise import MAX_DAYS_AHEAD, next_available
from inventory.availability import Availability, availability_by_product
from orders.delivery import route_for_address
from orders.intake_cache import intake_reads
from partners.models import Partner


class CatalogueDateError(UnprocessableError):
    """A delivery date the catalogue cannot count for: before today or more than
    MAX_DAYS_AHEAD ahead (no order can be for it). `errors` names the field."""

    code = "invalid_delivery_date"


@dataclass(frozen=True)
class CatalogueBasis:
    """What availability is counted for: the delivery date and the partner's rule
    (None: each product's default). `partner` is None for staff asking for none."""

    delivery_date: date
    partner: Partner | None

    @property
    def partner_days(self) -> int | None:
        return None if self.partner is None else self.partner.min_days_at_delivery


def earliest_delivery_date(*, partner: Partner, address_id: int | None, now: datetime) -> date:
    """Return the earliest option of the promise for the partner's address (None: its
    default address), as intake would give an order asking for no date; today when no
    route serves the address or its route has no date ahead."""
    route = route_for_address(reads=intake_reads(partner_id=partner.id), partner=partner, address_id=address_id)
    option = next_available(route, now) if route is not None else None
    return option.date if option is not None else supplier_today(now)


def _refuse(field: str, code: str, detail: str) -> CatalogueDateError:
    return CatalogueDateError(detail, code=code, errors=[{"field": field, "code": code, "detail": detail}])


def catalogue_basis(
    *,
    partner: Partner | None,
    address_id: int | None = None,
    requested: date | None = None,
    now: datetime | None = None,
    field: str = "delivery_date",
) -> CatalogueBasis:
    """Return the date and rule to count availability for. `requested`, when given,
    must be from today to MAX_DAYS_AHEAD days on (else CatalogueDateError naming
    `field`: `delivery_date_in_past` or `delivery_date_too_far_ahead`); without it,
    the partner's earliest option for the address (checked by the caller to be the
    partner's). Staff asking for no partner get today, the date the reserve step
    takes for an order without one, and each product's default rule."""
    now = now or timezone.now()
    today = supplier_today(now)
    if requested is not None:
        if requested < today:
            raise _refuse(
                field, "delivery_date_in_past", f"{field} {requested.isoformat()} is in the past (today is {today})."
            )
        if requested > today + timedelta(days=MAX_DAYS_AHEAD):
            raise _refuse(
                field,
                "delivery_date_too_far_ahead",
                f"{field} {requested.isoformat()} is more than {MAX_DAYS_AHEAD} days ahead.",
            )
        return CatalogueBasis(delivery_date=requested, partner=partner)
    if partner is None:
        return CatalogueBasis(delivery_date=today, partner=None)
    return CatalogueBasis(
        delivery_date=earliest_delivery_date(partner=partner, address_id=address_id, now=now), partner=partner
    )


def availability_for(*, basis: CatalogueBasis, product_ids: list[int]) -> dict[int, Availability]:
    """Return each product's availability on the basis, by product id, in one query."""
    return availability_by_product(
        product_ids=product_ids, delivery_date=basis.delivery_date, partner_days=basis.partner_days
    )
