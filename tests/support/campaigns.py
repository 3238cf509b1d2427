"""Campaign worlds for tests: a campaign saved through its service, partners with a
ship-to each, and pre-books placed through the pre-book service."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from orders.campaigns import save_campaign
from orders.models import Campaign, Prebook
from orders.prebooks import place_prebook
from partners.factories import ShipToAddressFactory
from partners.models import Partner, ShipToAddress

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def campaign_date(days_ahead: int = 10) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days_ahead)


def make_campaign(code: str = "VDAY", *, caps: dict | None = None, skus=(), delivery_date=None, opens_at=None,
                  closes_at=None, name: str = "Valentine's Day") -> Campaign:  # fmt: skip
    """A campaign of these SKUs (`caps` maps a SKU to its cap per partner), open now
    for a day unless told otherwise."""
    now = timezone.now()
    caps = caps or {}
    products = [{"sku": sku, "cap_per_partner": caps.get(sku)} for sku in dict.fromkeys([*skus, *caps])]
    campaign, _ = save_campaign(
        code=code,
        name=name,
        delivery_date=delivery_date or campaign_date(),
        opens_at=opens_at or now - HOUR,
        closes_at=closes_at or now + DAY,
        products=products,
    )
    return campaign


def ship_to_of(partner: Partner) -> ShipToAddress:
    """The partner's first address, made on its home warehouse's route if it has none."""
    return ShipToAddress.objects.filter(partner=partner).order_by("id").first() or ShipToAddressFactory(
        partner=partner, is_default=True
    )


def user_named(username: str):
    """The user of that name: a pre-book placed by them is theirs to see as a buyer."""
    return get_user_model().objects.get(username=username)


def prebook(campaign: Campaign, partner: Partner, lines: dict, *, ship_to=None, **kwargs) -> Prebook:
    """Pre-book {sku: quantity} for the partner through the service."""
    return place_prebook(
        campaign=campaign,
        partner=partner,
        lines=[{"sku": sku, "quantity": quantity} for sku, quantity in lines.items()],
        ship_to=ship_to or ship_to_of(partner),
        **kwargs,
    ).prebook
