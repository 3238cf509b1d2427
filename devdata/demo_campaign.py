"""The demo world's peak campaign (docs/DESIGN.md section 7, the VDAY row): Valentine's
Day, delivered on the 13th of February ahead, a dozen red roses and tulips, its window
open from the moment it is made until a week before, a cap per partner on the scarcest
rose; a lot of each bought forward for the date; and pre-books from BLOOM, FERN and
THORN that ask half as much again of the scarcest rose as there is, so that a dry run
in the back office shows the fair share at once.

The date's routes deliver on it: where the 13th is not a delivery day of a demo
partner's route (AMS-NL delivers Monday to Saturday, RTM-NL Monday to Friday), the
route gets an exception that makes it one, through fulfillment.routes. The campaign,
its lots and its pre-books are made once and then left alone, like the stock lots:
staff change, withdraw, run and commit them, and a later run of demo_data puts none of
that back."""

import datetime
import math

from django.utils import timezone

from devdata.demo_lots import peak_lot
from devdata.demo_tables import CATALOGUE, PARTNERS
from fulfillment.models import Route, RouteException
from fulfillment.routes import set_date_exception
from inventory.freshness import lot_serves
from inventory.models import Product, Stock, Warehouse
from inventory.stock_sync import set_on_hand
from orders.campaigns import save_campaign
from orders.models import Campaign
from orders.prebooks import place_prebook
from partners.models import Membership, Partner, ShipToAddress

CODE, NAME = "VDAY", "Valentine's Day"
# The window closes a week before the date, at the end of the working day.
CLOSES_DAYS_BEFORE, CLOSES_AT = 7, datetime.time(18, 0)
# Where the forward buys come in: the auction's own warehouse.
PEAK_WAREHOUSE = "AMS"
SCARCEST_ROSE = "RO-NAOMI-60"
# (SKU, stems bought forward for the date): red roses and tulips.
PRODUCTS = (
    ("RO-NAOMI-50", 3000),
    (SCARCEST_ROSE, 400),
    ("RO-NAOMI-70", 1000),
    ("RO-FREEDOM-50", 2500),
    ("RO-FREEDOM-60", 1200),
    ("RO-FREEDOM-70", 800),
    ("RO-EXPLORER-50", 2000),
    ("RO-EXPLORER-60", 1000),
    ("RO-EXPLORER-70", 600),
    ("TU-ILEDEFRANCE", 5000),
    ("TU-BARCELONA", 3000),
    ("TU-DYNASTY", 3000),
)
# Each partner's pre-book: its sixths of the scarcest rose's demand, and its other lines.
PREBOOKS = (
    ("BLOOM", 3, (("RO-NAOMI-50", 1000), ("TU-ILEDEFRANCE", 1000))),
    ("FERN", 2, (("RO-FREEDOM-60", 400), ("TU-BARCELONA", 500))),
    ("THORN", 1, (("RO-EXPLORER-60", 200),)),
)
# The cap on the scarcest rose, in sixths of its demand: BLOOM's three and one more.
CAP_SIXTHS = 4
# The demo's pre-books carry this key, as an API client's would.
PREBOOK_KEY = "demo-data"


def vday_date(now: datetime.datetime) -> datetime.date:
    """The 13th of February whose pre-booking window is still open at `now`."""
    year = timezone.localtime(now).year
    for candidate in (datetime.date(year, 2, 13), datetime.date(year + 1, 2, 13)):
        if now < closes_at(candidate):
            return candidate
    raise AssertionError("unreachable: next year's window is always ahead")


def closes_at(delivery_date: datetime.date) -> datetime.datetime:
    day = delivery_date - datetime.timedelta(days=CLOSES_DAYS_BEFORE)
    return timezone.make_aware(datetime.datetime.combine(day, CLOSES_AT))


def ensure_delivery_day(tally, day: datetime.date) -> None:
    """Make `day` a delivery day of every route a demo partner's address is on."""
    codes = {ship_to[-1] for spec in PARTNERS for ship_to in spec.ship_tos}
    for route in Route.objects.filter(code__in=codes).order_by("code"):
        exception = RouteException.objects.filter(route=route, date=day).first()
        if exception is None and day.isoweekday() in route.delivery_weekdays:
            continue  # a delivery day of its week already
        if exception is not None and exception.delivers:
            tally.add("route exceptions", "unchanged")
            continue
        set_date_exception(route=route, day=day, delivers=True, note=f"{NAME}: the peak delivery")
        tally.add("route exceptions", "created" if exception is None else "updated")


def ensure_peak_lots(tally, day: datetime.date) -> None:
    """Buy each campaign product forward for the date, once (a lot found by its code
    is left as it is: orders may hold it)."""
    warehouse = Warehouse.objects.get(code=PEAK_WAREHOUSE)
    categories = {spec.sku: spec.category for spec in CATALOGUE}
    products = Product.objects.in_bulk([sku for sku, _ in PRODUCTS], field_name="sku")
    for sku, units in PRODUCTS:
        lot = peak_lot(sku=sku, category=categories[sku], units=units, delivery_date=day)
        if Stock.objects.filter(product=products[sku], warehouse=warehouse, lot=lot.lot).exists():
            continue  # counted with the other lots by the stock's own pass
        set_on_hand(
            product=products[sku],
            warehouse=warehouse,
            on_hand=lot.on_hand,
            expected_version=0,
            actor="demo_data",
            lot=lot.lot,
            available_from=lot.available_from,
            expires_on=lot.expires_on,
            note=f"bought forward for {NAME}",
        )
        tally.add("stock lots", "created")


def sixth_of_demand(day: datetime.date) -> int:
    """A sixth of the demand to pre-book for the scarcest rose: half as much again as
    the lots that can serve the date hold, in whole cases."""
    product = Product.objects.get(sku=SCARCEST_ROSE)
    supply = sum(
        max(lot.on_hand - lot.reserved, 0)
        for lot in Stock.objects.filter(product=product)
        if lot_serves(available_from=lot.available_from, expires_on=lot.expires_on, delivery_date=day, required_days=0)
    )
    cases = math.ceil(supply * 3 / 2 / product.case_pack)
    return max(1, math.ceil(cases / 6)) * product.case_pack


def place_prebooks(tally, campaign: Campaign, sixth: int) -> None:
    """Place each demo partner's pre-book, its default address's, by its first user."""
    for code, sixths, others in PREBOOKS:
        partner = Partner.objects.get(code=code)
        lines = [{"sku": SCARCEST_ROSE, "quantity": sixths * sixth}]
        lines += [{"sku": sku, "quantity": quantity} for sku, quantity in others]
        place_prebook(
            campaign=campaign,
            partner=partner,
            lines=lines,
            ship_to=ShipToAddress.objects.get(partner=partner, is_default=True).id,
            user=Membership.objects.filter(partner=partner).order_by("id").first().user,
            idempotency_key=PREBOOK_KEY,
            source="demo",
        )
        tally.add("pre-books", "created")


def ensure_vday(tally) -> Campaign:
    """Make the VDAY campaign with its date's lots and pre-books, unless it exists;
    and keep its date a delivery day of the demo partners' routes while it is ahead."""
    now = timezone.now()
    campaign = Campaign.objects.filter(code=CODE).first()
    day = campaign.delivery_date if campaign is not None else vday_date(now)
    if day >= timezone.localdate():
        ensure_delivery_day(tally, day)
    if campaign is not None:
        tally.add("campaigns", "unchanged")
        return campaign
    ensure_peak_lots(tally, day)
    sixth = sixth_of_demand(day)
    products = [
        {"sku": sku, "cap_per_partner": CAP_SIXTHS * sixth if sku == SCARCEST_ROSE else None} for sku, _ in PRODUCTS
    ]
    campaign, _ = save_campaign(
        code=CODE, name=NAME, delivery_date=day, opens_at=now, closes_at=closes_at(day), products=products
    )
    tally.add("campaigns", "created")
    place_prebooks(tally, campaign, sixth)
    return campaign
