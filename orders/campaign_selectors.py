"""Reads of campaigns and pre-books (docs/DESIGN.md section 12), for every door that
shows them.

- What campaigns offer a partner: each product with its list price and the partner's
  own, its cap per partner, and how much of the cap the partner's open pre-books
  leave, counted as orders.prebooks checks it.
- Pre-books, scoped as every door scopes them: a partner's user reaches its own
  partner's only (another's is not found, as an order of another partner is), staff
  every partner's. Withdrawn pre-books are gone from every read; they are kept for the
  record only."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from orders.campaign_standings import LineStanding, line_standings
from orders.exceptions import PrebookNotFoundError
from orders.models import Campaign, CampaignProduct, Prebook, PrebookLine
from partners.models import Partner
from partners.pricing import catalogue_prices

# A bigint's digits: a longer number names no row (and would overflow the column).
MAX_ID_DIGITS = 18


def campaigns_ahead(*, today: date) -> QuerySet[Campaign]:
    """Every campaign delivering from `today` on, the soonest first: open, about to
    open, closed and waiting for its allocation, or allocated."""
    return Campaign.objects.filter(delivery_date__gte=today).order_by("delivery_date", "code")


def campaign_products(campaign: Campaign) -> list[CampaignProduct]:
    """The campaign's products with their caps, in the order staff listed them."""
    return list(campaign.products.select_related("product").order_by("id"))


def cap_left(cap: int, booked: int) -> int:
    """What a partner may still pre-book of a product capped at `cap` when its open
    pre-books ask `booked` (never below 0)."""
    return max(cap - booked, 0)


def booked_quantities(
    campaign: Campaign, partner: Partner, *, product_ids: Sequence[int] | None = None, leaving_out: int | None = None
) -> dict[int, int]:
    """Return the units the partner's open pre-books of the campaign ask per product
    (of `product_ids` when given; without pre-book `leaving_out`): what its caps count,
    across ship-tos and users."""
    open_lines = PrebookLine.objects.filter(
        prebook__campaign=campaign, prebook__partner=partner, prebook__withdrawn_at__isnull=True
    ).exclude(prebook_id=leaving_out)
    if product_ids is not None:
        open_lines = open_lines.filter(product_id__in=product_ids)
    return dict(open_lines.values("product_id").annotate(total=Sum("quantity")).values_list("product_id", "total"))


def caps_left(campaign: Campaign, partner: Partner, products: list[CampaignProduct]) -> dict[int, int]:
    """Return, per capped product id, the units the partner may still pre-book."""
    capped = {entry.product_id: entry.cap_per_partner for entry in products if entry.cap_per_partner is not None}
    if not capped:
        return {}
    booked = booked_quantities(campaign, partner, product_ids=list(capped))
    return {product_id: cap_left(cap, booked.get(product_id, 0)) for product_id, cap in capped.items()}


def list_campaigns() -> QuerySet[Campaign]:
    """Every campaign, the latest delivery date first (partners see them all too)."""
    return Campaign.objects.order_by("-delivery_date", "code")


@dataclass(frozen=True)
class CampaignOffer:
    sku: str
    name: str
    case_pack: int
    min_order_qty: int
    cap_per_partner: int | None
    list_price: Decimal
    # The partner's price for one case (the list price without a partner).
    price: Decimal
    # What the partner may still pre-book under the cap (None: no cap, or no partner).
    cap_left: int | None


def prebooked_by_product(campaign_ids: Sequence[int], partner: Partner) -> dict[tuple[int, int], int]:
    """The units the partner's open pre-books ask for, per (campaign id, product id)."""
    rows = (
        PrebookLine.objects.filter(
            prebook__campaign_id__in=list(campaign_ids), prebook__partner=partner, prebook__withdrawn_at__isnull=True
        )
        .values("prebook__campaign_id", "product_id")
        .annotate(total=Sum("quantity"))
        .values_list("prebook__campaign_id", "product_id", "total")
    )
    return {(campaign_id, product_id): total for campaign_id, product_id, total in rows}


def campaign_offers(campaigns: Sequence[Campaign], partner: Partner | None) -> dict[int, list[CampaignOffer]]:
    """Each campaign's products as the partner sees them (staff: partner None), by
    campaign id, in the order the campaign lists them: three queries for a whole page."""
    rows = list(
        CampaignProduct.objects.filter(campaign_id__in=[c.id for c in campaigns])
        .select_related("product")
        .order_by("campaign_id", "id")
    )
    products = list({row.product_id: row.product for row in rows}.values())
    prices = catalogue_prices(products=products, partner=partner)
    booked = prebooked_by_product([c.id for c in campaigns], partner) if partner is not None else {}
    offers: dict[int, list[CampaignOffer]] = defaultdict(list)
    for row in rows:
        product, cap = row.product, row.cap_per_partner
        left = None
        if partner is not None and cap is not None:
            left = cap_left(cap, booked.get((row.campaign_id, product.id), 0))
        offers[row.campaign_id].append(
            CampaignOffer(
                sku=product.sku,
                name=product.name,
                case_pack=product.case_pack,
                min_order_qty=product.min_order_qty,
                cap_per_partner=cap,
                list_price=product.list_price,
                price=prices[product.id][0],
                cap_left=left,
            )
        )
    return {campaign.id: offers.get(campaign.id, []) for campaign in campaigns}


def open_prebooks(campaign: Campaign, *, partner: Partner | None, placed_by=None) -> QuerySet[Prebook]:
    """The campaign's open pre-books in pre-book order, with partner and ship-to: a
    partner's own when given (staff: None), and only those `placed_by` placed when
    given (a buyer limited to their own, partners.roles)."""
    prebooks = Prebook.objects.filter(campaign=campaign, withdrawn_at__isnull=True).select_related("partner", "ship_to")
    if partner is not None:
        prebooks = prebooks.filter(partner=partner)
    if placed_by is not None:
        prebooks = prebooks.filter(placed_by=placed_by)
    return prebooks.order_by("created_at", "id")


def get_open_prebook(campaign: Campaign, prebook_id, *, partner: Partner | None, placed_by=None) -> Prebook:
    """One of the pre-books `open_prebooks` gives, by id (a number, or its digits), or
    PrebookNotFoundError: another partner's, another buyer's, a withdrawn one and an id
    that is no id are all simply not there."""
    text = str(prebook_id)
    found = None
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        found = open_prebooks(campaign, partner=partner, placed_by=placed_by).filter(id=int(text)).first()
    if found is None:
        raise PrebookNotFoundError(f"No open pre-book {prebook_id} in campaign {campaign.code}.")
    return found


def was_withdrawn(campaign: Campaign, prebook_id: int, *, partner: Partner | None) -> bool:
    """Whether the pre-book exists, withdrawn, and is the partner's (any, for None)."""
    withdrawn = Prebook.objects.filter(campaign=campaign, id=prebook_id, withdrawn_at__isnull=False)
    if partner is not None:
        withdrawn = withdrawn.filter(partner=partner)
    return withdrawn.exists()


def standings_by_prebook(campaign: Campaign, prebooks: Iterable[Prebook]) -> dict[int, list[LineStanding]]:
    """Each pre-book's lines where they stand, by pre-book id. Places in line count
    every partner's lines, so the whole campaign is read once."""
    prebooks = list(prebooks)
    wanted = {prebook.id for prebook in prebooks}
    partners = {prebook.partner_id for prebook in prebooks}
    lines: dict[int, list[LineStanding]] = defaultdict(list)
    only = next(iter(partners)) if len(partners) == 1 else None
    for standing in line_standings(campaign, partner_id=only):
        if standing.prebook_id in wanted:
            lines[standing.prebook_id].append(standing)
    return {prebook_id: lines.get(prebook_id, []) for prebook_id in wanted}
