"""What intake needs to know about the catalogue, kept in this process between
requests so that placing an order reads none of it from PostgreSQL: products by SKU
(id, name, active, case pack, minimum, list price), and per partner its price breaks
and ship-to addresses.

Products are read as orders ask for them (a catalogue can be large, and the SKUs
ordered are a small part of it); a partner's price list and addresses are read whole
the first time an order of the partner needs them (a list is tens to a few thousand
rows, and most products a partner orders have no partner price at all: reading them
one by one would ask again and again for rows that do not exist).

Every entry is labelled with a version read from Redis (config.cache_versions): one
key for the catalogue, one per partner, and the delivery calendar's
(fulfillment.calendar), all three read in one round trip per order, about a tenth of
a millisecond: the API request's first look at Redis (config/api/first_look.py), or
one MGET. A write that changes what intake reads gives the key a new value once its
transaction commits, and the next order anywhere reads the new value, drops what it
held under the old one and reads PostgreSQL again. So a deactivated SKU, a changed
price or a new holiday is seen by the first order placed after the write's commit
(strictly: after its on_commit callback, which runs before the writing request answers).
A local time-to-live would save the round trip but let an order use a price for that
long after its change was committed. Without Redis, intake reads PostgreSQL as it did
before this cache existed.

The model signals below are the one place that turns a save or delete of a Product,
PartnerPrice or ShipToAddress into a bump: services, the admin, imports, the API and
the data commands all save through the models."""

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models.signals import post_delete, post_save
from redis.exceptions import RedisError

from config.cache_versions import MAX_AGE_SECONDS, bump_on_commit, read_versions, writes_pending_here
from fulfillment.calendar import CALENDAR_KEY, RouteCalendar, calendars_under, forget_local_calendar
from inventory.models import Product
from orders.campaign_blocks import CampaignBlock, load_campaign_blocks
from orders.models import Campaign, CampaignProduct
from partners.models import PartnerPrice, ShipToAddress
from partners.pricing import price_for_quantity, price_table

logger = logging.getLogger("bouquet.orders")

CATALOGUE_KEY = "bouquet:intake:catalogue"
# Unknown SKUs are remembered too (a client retrying a typo costs no query); these
# bounds keep a client sending endless made-up SKUs, or many partners, from growing
# a worker without limit.
MAX_ENTRIES = 200_000
MAX_PARTNERS = 20_000
# No product's SKU is longer (Product.sku), so a longer one is unknown without asking.
MAX_SKU_LENGTH = Product._meta.get_field("sku").max_length


def partner_key(partner_id: int) -> str:
    return f"bouquet:intake:partner:{partner_id}"


@dataclass(frozen=True, slots=True)
class CatalogueProduct:
    """A product as intake sees it: what the rules check and the line copies."""

    id: int
    sku: str
    name: str
    active: bool
    case_pack: int
    min_order_qty: int
    list_price: Decimal


PRODUCT_FIELDS = ("id", "sku", "name", "active", "case_pack", "min_order_qty", "list_price")
# What intake's answer shows of the address an order ships to.
ADDRESS_FIELDS = ("id", "label", "line1", "postcode", "city", "country")


class _Shelf:
    """Entries read while the version key held `version`."""

    __slots__ = ("version", "stocked_at", "products", "price_breaks", "ship_tos", "campaign_blocks")

    def __init__(self, version: bytes | None, now: float = 0.0):
        self.version = version
        self.stocked_at = now
        self.products: dict[str, CatalogueProduct | None] = {}
        self.price_breaks: dict[int, list[tuple[int, Decimal]]] | None = None
        self.ship_tos: dict[int, dict] | None = None  # by id, the default first
        self.campaign_blocks: dict[tuple[int, date], CampaignBlock] | None = None

    def holds(self, version: bytes | None, now: float) -> bool:
        return version is not None and self.version == version and now - self.stocked_at < MAX_AGE_SECONDS


_catalogue = _Shelf(None)
_partners: dict[int, _Shelf] = {}


class IntakeReads:
    """One request's view of the catalogue and of one partner's prices and ship-tos:
    what the shelves hold, and one query per kind for what they do not."""

    def __init__(
        self, partner_id: int, catalogue: _Shelf, partner: _Shelf, calendars: Mapping[int, RouteCalendar] | None
    ):
        self.partner_id = partner_id
        self._catalogue = catalogue
        self._partner = partner
        self._calendars = calendars  # None: read when first asked (no version to check it against)

    def products_by_sku(self, skus: Iterable[str]) -> dict[str, CatalogueProduct]:
        """Return the products with these SKUs (unknown SKUs are left out)."""
        known = self._catalogue.products
        found: dict[str, CatalogueProduct] = {}
        missing = []
        for sku in skus:
            if sku in known:
                if known[sku] is not None:
                    found[sku] = known[sku]
            elif len(sku) <= MAX_SKU_LENGTH:
                missing.append(sku)
        if missing:
            loaded = {
                row[1]: CatalogueProduct(*row)
                for row in Product.objects.filter(sku__in=missing).values_list(*PRODUCT_FIELDS)
            }
            _make_room(known, len(missing), MAX_ENTRIES)
            for sku in missing:
                known[sku] = loaded.get(sku)
            found.update(loaded)
        return found

    def campaign_blocks(self) -> dict[tuple[int, date], CampaignBlock]:
        """Return the (product id, date) pairs sold only through a campaign's pre-books
        (orders.campaigns), read once per catalogue version."""
        if self._catalogue.campaign_blocks is None:
            self._catalogue.campaign_blocks = load_campaign_blocks()
        return self._catalogue.campaign_blocks

    def unit_prices(self, *, quantities: dict[int, int], list_prices: dict[int, Decimal]) -> dict[int, Decimal]:
        """Return the partner's unit price per product id for the quantity ordered
        (`partners.pricing.price_for_quantity` decides)."""
        if self._partner.price_breaks is None:
            self._partner.price_breaks = price_table(partner_id=self.partner_id, product_ids=None)
        breaks = self._partner.price_breaks
        return {
            product_id: price_for_quantity(breaks.get(product_id, ()), quantity, list_prices[product_id])
            for product_id, quantity in quantities.items()
        }

    def ship_to_ids(self) -> tuple[int, ...]:
        """Return the ids of the partner's addresses, the default first."""
        return tuple(self._ship_tos())

    def default_ship_to_id(self) -> int | None:
        """Return the id of the address an order naming none ships to: the partner's
        default, else its first by id (None when it has none)."""
        return next(iter(self._ship_tos()), None)

    def ship_to_labels(self) -> dict[str, int]:
        """Return the ids of the partner's addresses by label, lower-cased and stripped."""
        return {row["label"].strip().lower(): address_id for address_id, row in self._ship_tos().items()}

    def ship_to_address(self, address_id: int) -> dict:
        """Return one of the partner's addresses as intake answers it (ADDRESS_FIELDS),
        read with the ids, so that showing it costs no query."""
        return {field: self._ship_tos()[address_id][field] for field in ADDRESS_FIELDS}

    def route_calendar(self, address_id: int) -> RouteCalendar | None:
        """Return the calendar of the route of one of the partner's addresses (None
        when it has none, or the address is not the partner's)."""
        row = self._ship_tos().get(address_id)
        if row is None:
            # Written by another process whose bump has not reached this one yet: read again.
            self._partner.ship_tos = None
            row = self._ship_tos().get(address_id)
        if row is None:
            return None
        return None if row["route_id"] is None else self.calendars().get(row["route_id"])

    def calendars(self) -> Mapping[int, RouteCalendar]:
        """Return every route's calendar by id."""
        if self._calendars is None:
            self._calendars = calendars_under(None)
        return self._calendars

    def _ship_tos(self) -> dict[int, dict]:
        if self._partner.ship_tos is None:
            rows = (
                ShipToAddress.objects.filter(partner_id=self.partner_id)
                .order_by("-is_default", "id")
                .values(*ADDRESS_FIELDS, "route_id")
            )
            self._partner.ship_tos = {row["id"]: row for row in rows}
        return self._partner.ship_tos


def _make_room(entries: dict, adding: int, limit: int) -> None:
    if len(entries) + adding > limit:
        entries.clear()


def intake_version_keys(partner_id: int) -> tuple[str, str, str]:
    """The version keys of what intake reads for an order of this partner."""
    return CATALOGUE_KEY, partner_key(partner_id), CALENDAR_KEY


def intake_reads(*, partner_id: int, versions_seen: Mapping[str, bytes] | None = None) -> IntakeReads:
    """Return this request's view of the catalogue, the partner's prices and addresses,
    and the delivery calendar: one Redis round trip for the three versions (none when
    the request read them already: `versions_seen`), then whatever the process already
    holds."""
    global _catalogue
    uncached = IntakeReads(partner_id, _Shelf(None), _Shelf(None), None)
    if writes_pending_here():
        return uncached
    keys = intake_version_keys(partner_id)
    try:
        if versions_seen and all(key in versions_seen for key in keys):
            catalogue_version, partner_version, calendar_version = (versions_seen[key] for key in keys)
        else:
            catalogue_version, partner_version, calendar_version = read_versions(*keys)
    except RedisError as exc:
        logger.warning("catalogue versions unreadable; intake reads the database", extra={"error": repr(exc)})
        return uncached
    if catalogue_version is None or partner_version is None:
        return uncached  # flushed meanwhile: nothing safe to file under
    now = time.monotonic()
    if not _catalogue.holds(catalogue_version, now):
        _catalogue = _Shelf(catalogue_version, now)
    shelf = _partners.get(partner_id)
    if shelf is None or not shelf.holds(partner_version, now):
        if len(_partners) >= MAX_PARTNERS:
            _partners.clear()
        shelf = _partners[partner_id] = _Shelf(partner_version, now)
    return IntakeReads(partner_id, _catalogue, shelf, calendars_under(calendar_version))


def forget_local_catalogue() -> None:
    """Drop everything this process holds, the calendar too (the next order reads the
    database again)."""
    global _catalogue
    _catalogue = _Shelf(None)
    _partners.clear()
    forget_local_calendar()


def _forget_locally(key: str) -> None:
    global _catalogue
    if key == CATALOGUE_KEY:
        _catalogue = _Shelf(None)
    else:
        _partners.pop(int(key.rsplit(":", 1)[1]), None)


# --- invalidation --------------------------------------------------------------------------


def catalogue_changed() -> None:
    """Tell every process's intake that products changed, once this transaction commits."""
    bump_on_commit(CATALOGUE_KEY, _forget_locally)


def partner_catalogue_changed(partner_id: int) -> None:
    """Tell every process's intake that the partner's prices or ship-tos changed,
    once this transaction commits."""
    bump_on_commit(partner_key(partner_id), _forget_locally)


def _product_written(sender, instance, **kwargs) -> None:
    catalogue_changed()


def _partner_row_written(sender, instance, **kwargs) -> None:
    partner_catalogue_changed(instance.partner_id)


def connect_invalidation() -> None:
    """Bump on every save and delete of the rows intake caches (OrdersConfig.ready)."""
    for signal in (post_save, post_delete):
        # A campaign's products and its first committed run change what intake refuses.
        for model in (Product, Campaign, CampaignProduct):
            signal.connect(
                _product_written, sender=model, dispatch_uid=f"intake_cache_{model.__name__}_{signal is post_save}"
            )
        for model in (PartnerPrice, ShipToAddress):
            signal.connect(
                _partner_row_written, sender=model, dispatch_uid=f"intake_cache_{model.__name__}_{signal is post_save}"
            )
