"""What a partner's user sees of peak campaigns (docs/DESIGN.md section 12): the
campaigns ahead, a campaign's products, the cap each leaves the partner, and the
open pre-books the user may see and change. As with orders (partners.roles), a buyer
sees the pre-books they placed and a partner admin the company's; caps count the whole
company's, whoever placed them (orders.prebooks)."""

from datetime import date

from django.db.models import QuerySet

from orders.exceptions import PrebookNotFoundError
from orders.models import Campaign, CampaignProduct, Prebook
from orders.prebooks import booked_quantities
from partners.models import Partner


def campaigns_ahead(*, today: date) -> QuerySet[Campaign]:
    """Every campaign delivering from `today` on, the soonest first: open, about to
    open, closed and waiting for its allocation, or allocated."""
    return Campaign.objects.filter(delivery_date__gte=today).order_by("delivery_date", "code")


def campaign_products(campaign: Campaign) -> list[CampaignProduct]:
    """The campaign's products with their caps, in the order staff listed them."""
    return list(campaign.products.select_related("product").order_by("id"))


def caps_left(campaign: Campaign, partner: Partner, products: list[CampaignProduct]) -> dict[int, int]:
    """Return, per capped product id, the units the partner may still pre-book: its cap
    less what the partner's open pre-books already ask (never below 0)."""
    capped = {entry.product_id: entry.cap_per_partner for entry in products if entry.cap_per_partner is not None}
    if not capped:
        return {}
    booked = booked_quantities(campaign, partner, product_ids=list(capped))
    return {product_id: max(cap - booked.get(product_id, 0), 0) for product_id, cap in capped.items()}


def visible_prebooks(campaign: Campaign, *, partner: Partner, placed_by=None) -> QuerySet[Prebook]:
    """The partner's open pre-books of the campaign in pre-book order, with their
    ship-to; only those `placed_by` placed, when given (a buyer's own)."""
    prebooks = Prebook.objects.filter(campaign=campaign, partner=partner, withdrawn_at__isnull=True)
    if placed_by is not None:
        prebooks = prebooks.filter(placed_by=placed_by)
    return prebooks.select_related("ship_to").order_by("created_at", "id")


def visible_prebook(campaign: Campaign, prebook_id, *, partner: Partner, placed_by=None) -> Prebook:
    """Return one of the pre-books `visible_prebooks` gives, or raise
    PrebookNotFoundError: another partner's, another buyer's and a withdrawn one are
    all simply not there."""
    found = None
    if str(prebook_id).isascii() and str(prebook_id).isdigit() and len(str(prebook_id)) <= 18:
        found = visible_prebooks(campaign, partner=partner, placed_by=placed_by).filter(id=int(prebook_id)).first()
    if found is None:
        raise PrebookNotFoundError(f"No open pre-book {prebook_id} in campaign {campaign.code}.")
    return found
