"""Campaigns (docs/DESIGN.md section 12): creating and changing one, which routes
deliver on its date, and the rule that its date is pre-book only for its products
until its first committed allocation run. The staff API, the admin and the demo all
save campaigns here; intake asks `prebook_only_problems` with what its per-process
cache holds (orders.intake_cache), so the rule costs intake no query."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from django.db import connection, transaction

from config.limits import matches_pattern
from config.supplier_day import supplier_today
from fulfillment.calendar import current_calendars
from fulfillment.promise import order_by_moment
from inventory.models import Product
from orders.campaign_blocks import CampaignBlock
from orders.exceptions import (
    CampaignAllocatedError,
    CampaignNotFoundError,
    CampaignPrebookOnlyError,
    InvalidCampaignError,
)
from orders.models import Campaign, CampaignProduct, PrebookLine
from orders.validation import parse_whole_number

MAX_CAMPAIGN_PRODUCTS = 200
# A campaign's code: letters, digits, "-" and "_", up to Campaign.code's length, so
# that it stands as it is at the end of its pre-book page's and the API's paths.
CAMPAIGN_CODE_LENGTH = Campaign._meta.get_field("code").max_length
CAMPAIGN_CODE_PATTERN = rf"^[A-Za-z0-9_-]{{1,{CAMPAIGN_CODE_LENGTH}}}$"


def prebook_page_path(code: str) -> str:
    """Where a buyer pre-books for the campaign (the portal's campaign page)."""
    return f"/campaigns/{code}/"


def prebook_only_problems(
    blocks: Mapping[tuple[int, date], CampaignBlock], lines: Sequence[tuple], delivery_date: date | None
) -> CampaignPrebookOnlyError | None:
    """The error for an order's lines, (product, quantity) each in line order, that ask
    for a campaign's product on its date before it is allocated (None: none do)."""
    if not blocks or delivery_date is None:
        return None
    errors = []
    campaign = None
    for line_no, (product, _quantity) in enumerate(lines, start=1):
        block = blocks.get((product.id, delivery_date))
        if block is None:
            continue
        campaign = campaign or block
        errors.append(
            {
                "line": line_no,
                "sku": product.sku,
                "code": CampaignPrebookOnlyError.code,
                "detail": f"Line {line_no}: {product.sku} for {delivery_date.isoformat()} is sold through "
                f"pre-books of campaign {block.code} ({block.name}) until it is allocated; pre-book at "
                f"{prebook_page_path(block.code)}.",
            }
        )
    if not errors:
        return None
    detail = errors[0]["detail"] if len(errors) == 1 else f"{len(errors)} lines are pre-book only; see errors."
    return CampaignPrebookOnlyError(
        detail, errors=errors, campaign=campaign.code, prebook_url=prebook_page_path(campaign.code)
    )


def routes_not_delivering(day: date) -> list[str]:
    """The codes of the routes that do not deliver on `day` (week and exceptions)."""
    return sorted(calendar.code for calendar in current_calendars().values() if order_by_moment(calendar, day) is None)


def routes_delivering(day: date) -> list[str]:
    return sorted(calendar.code for calendar in current_calendars().values() if order_by_moment(calendar, day))


def get_campaign(code: str) -> Campaign:
    """The campaign with this code, or CampaignNotFoundError (also for a code holding
    a NUL byte, which PostgreSQL text cannot store: asking would fail, not answer)."""
    campaign = Campaign.objects.filter(code=code).first() if "\x00" not in code else None
    if campaign is None:
        raise CampaignNotFoundError(f"No campaign {code!r}.")
    return campaign


def campaign_code_problems(code) -> list[dict]:
    """A problem when `code` could not be the last part of the campaign's addresses."""
    if isinstance(code, str) and matches_pattern(CAMPAIGN_CODE_PATTERN, code):
        return []
    detail = f"Campaign code {code!r} must be 1 to {CAMPAIGN_CODE_LENGTH} letters, digits, '-' or '_' (e.g. VDAY-2027)."
    return [{"field": "code", "code": "invalid_campaign_code", "detail": detail}]


def campaign_problems(
    *, name: str, delivery_date: date | None, opens_at: datetime | None, closes_at: datetime | None
) -> list[dict]:
    """Each problem with a campaign's header, naming its field."""
    problems = []
    if not (name or "").strip():
        problems.append({"field": "name", "code": "required", "detail": "A campaign needs a name."})
    if delivery_date is None:
        problems.append({"field": "delivery_date", "code": "required", "detail": "A campaign needs a delivery date."})
    elif delivery_date < supplier_today():
        problems.append(
            {"field": "delivery_date", "code": "date_in_past", "detail": f"{delivery_date} is in the past."}
        )
    elif not routes_delivering(delivery_date):
        problems.append(
            {
                "field": "delivery_date",
                "code": "no_delivery_day",
                "detail": f"No route delivers on {delivery_date}; add a route exception first.",
            }
        )
    if opens_at is None or closes_at is None:
        problems.append({"field": "closes_at", "code": "required", "detail": "opens_at and closes_at are required."})
    elif closes_at <= opens_at:
        problems.append({"field": "closes_at", "code": "window_empty", "detail": "closes_at must be after opens_at."})
    elif delivery_date is not None and supplier_today(closes_at) >= delivery_date:
        problems.append(
            {
                "field": "closes_at",
                "code": "window_past_delivery",
                "detail": f"Pre-booking must close before the delivery date {delivery_date}.",
            }
        )
    return problems


def prebooked_change_problems(campaign: Campaign, *, delivery_date: date | None, product_ids: set[int]) -> list[dict]:
    """What a change to a campaign with open pre-books may not do: move its date (their
    addresses' routes were checked for it) or drop a product they ask for."""
    open_lines = PrebookLine.objects.filter(prebook__campaign=campaign, prebook__withdrawn_at__isnull=True)
    problems = []
    if delivery_date != campaign.delivery_date and open_lines.exists():
        problems.append(
            {
                "field": "delivery_date",
                "code": "campaign_prebooked",
                "detail": f"Campaign {campaign.code} has open pre-books for {campaign.delivery_date}; "
                "its date can no longer move.",
            }
        )
    dropped = open_lines.exclude(product_id__in=product_ids).values_list("product__sku", flat=True).distinct()
    for sku in sorted(dropped):
        problems.append(
            {
                "field": "products",
                "sku": sku,
                "code": "campaign_prebooked",
                "detail": f"{sku} has open pre-books in campaign {campaign.code}; it cannot be removed.",
            }
        )
    return problems


def _product_rows(products: Iterable[Mapping]) -> tuple[list[tuple[Product, int | None]], list[dict]]:
    """The campaign's products as (product, cap) and a problem per bad entry."""
    products = list(products)
    problems = []
    if not products:
        problems.append({"field": "products", "code": "required", "detail": "A campaign needs at least one product."})
    if len(products) > MAX_CAMPAIGN_PRODUCTS:
        problems.append(
            {"field": "products", "code": "too_many", "detail": f"At most {MAX_CAMPAIGN_PRODUCTS} products."}
        )
        return [], problems
    skus = [str(entry.get("sku") or "").strip() for entry in products]
    known = {product.sku: product for product in Product.objects.filter(sku__in=skus)}
    rows, seen = [], set()
    for index, (sku, entry) in enumerate(zip(skus, products), start=1):
        where = f"Product {index} ({sku or 'no SKU'})"
        cap_raw = entry.get("cap_per_partner")
        cap = None if cap_raw in (None, "") else parse_whole_number(cap_raw)
        if sku not in known:
            problems.append({"line": index, "sku": sku, "code": "unknown_sku", "detail": f"{where}: unknown SKU."})
        elif sku in seen:
            problems.append({"line": index, "sku": sku, "code": "duplicate_sku", "detail": f"{where}: listed twice."})
        elif cap_raw not in (None, "") and (cap is None or cap <= 0):
            problems.append(
                {"line": index, "sku": sku, "code": "invalid_cap", "detail": f"{where}: cap must be above 0."}
            )
        else:
            rows.append((known[sku], cap))
        seen.add(sku)
    return rows, problems


def campaign_product_problems(products: Iterable[Mapping]) -> list[dict]:
    """Each problem with a campaign's products ({"sku", "cap_per_partner"?} each):
    those with a "line" name the product by its place in the list, from 1."""
    return _product_rows(products)[1]


@transaction.atomic
def save_campaign(
    *,
    code: str,
    name: str,
    delivery_date: date | None,
    opens_at: datetime | None,
    closes_at: datetime | None,
    products: Iterable[Mapping],
) -> tuple[Campaign, bool]:
    """Create or change the campaign `code` with its products ({"sku",
    "cap_per_partner"?} each) and return (campaign, created). Raise
    InvalidCampaignError naming each field and product at fault, or
    CampaignAllocatedError once it has a committed run; nothing changes then."""
    problems = campaign_code_problems(code)
    if not problems:
        # Two first saves of one new code wait for each other: the second then changes
        # what the first created instead of failing on the unique code.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"campaign:{code}"])
    campaign = None if problems else Campaign.objects.select_for_update().filter(code=code).first()
    if campaign is not None and campaign.is_allocated:
        raise CampaignAllocatedError(f"Campaign {code} has been allocated; it can no longer be changed.")
    problems += campaign_problems(name=name, delivery_date=delivery_date, opens_at=opens_at, closes_at=closes_at)
    rows, product_problems = _product_rows(products)
    problems += product_problems
    if campaign is not None and not product_problems:
        problems += prebooked_change_problems(
            campaign, delivery_date=delivery_date, product_ids={product.id for product, _ in rows}
        )
    if problems:
        detail = problems[0]["detail"] if len(problems) == 1 else f"{len(problems)} problems; see errors."
        raise InvalidCampaignError(detail, errors=problems)
    created = campaign is None
    campaign = campaign or Campaign(code=code)
    campaign.name, campaign.delivery_date = name.strip(), delivery_date
    campaign.opens_at, campaign.closes_at = opens_at, closes_at
    campaign.save()
    kept = {product.id for product, _ in rows}
    campaign.products.exclude(product_id__in=kept).delete()
    for product, cap in rows:
        CampaignProduct.objects.update_or_create(campaign=campaign, product=product, defaults={"cap_per_partner": cap})
    return campaign, created
