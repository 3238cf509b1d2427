"""Pre-books (docs/DESIGN.md section 12): placing, changing and withdrawing one in the
campaign's window, within the partner's caps; every door (API, portal, CSV) calls
here.

Caps count every open pre-book of the partner for the product, across ship-tos and
users. Two pre-books of one partner for one campaign are serialised by an advisory
lock on (campaign, partner), taken after a share lock on the campaign's row that a
committing run's update lock waits for: so two concurrent pre-books cannot pass a cap
together, and none slips in while a run counts the requests."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from config.errors import summarise_errors
from fulfillment.calendar import address_calendar, current_calendars
from fulfillment.promise import order_by_moment
from inventory.models import Product
from orders.campaign_selectors import booked_quantities, cap_left, get_open_prebook
from orders.exceptions import (
    IdempotencyKeyReusedError,
    InvalidPrebookError,
    PrebookCapExceededError,
    PrebookWindowClosedError,
)
from orders.models import Campaign, Prebook, PrebookLine
from orders.validation import MAX_LINES, validate_lines
from partners.exceptions import InvalidShipToError
from partners.models import Partner, ShipToAddress
from partners.ship_tos import partner_ship_to_id


@dataclass(frozen=True)
class PrebookResult:
    prebook: Prebook
    replayed: bool


def window_closed_error(campaign: Campaign, now: datetime) -> PrebookWindowClosedError | None:
    """Why pre-books for the campaign cannot change at `now` (None: they can)."""
    if campaign.is_allocated:
        reason = "has been allocated"
    elif now < campaign.opens_at:
        reason = f"opens at {campaign.opens_at.isoformat()}"
    elif now > campaign.closes_at:
        reason = f"closed at {campaign.closes_at.isoformat()}"
    else:
        return None
    return PrebookWindowClosedError(
        f"Pre-booking for campaign {campaign.code} {reason}.",
        campaign=campaign.code,
        opens_at=campaign.opens_at.isoformat(),
        closes_at=campaign.closes_at.isoformat(),
    )


def _lock_for_partner(campaign: Campaign, partner: Partner) -> Campaign:
    """Share-lock the campaign's row, take the (campaign, partner) lock, and return
    the campaign as it stands now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM orders_campaign WHERE id = %s FOR SHARE", [campaign.id])
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"prebook:{campaign.id}:{partner.id}"])
    return Campaign.objects.get(id=campaign.id)


def _checked_ship_to(campaign: Campaign, partner: Partner, ship_to) -> int:
    """The id of the partner's address to pre-book for (its default when none is
    named), whose route delivers on the campaign's date."""
    routes = dict(
        ShipToAddress.objects.filter(partner=partner).order_by("-is_default", "id").values_list("id", "route_id")
    )
    addresses = list(routes)
    try:
        chosen = partner_ship_to_id(ship_to=ship_to, partner_code=partner.code, ship_to_ids=addresses)
    except InvalidShipToError as error:
        raise InvalidPrebookError(error.message, errors=error.errors) from None
    if chosen is None and not addresses:
        raise InvalidPrebookError(
            f"Partner {partner.code} has no ship-to address to pre-book for.",
            errors=[{"field": "ship_to", "code": "ship_to_required", "detail": "No ship-to address."}],
        )
    chosen = chosen if chosen is not None else addresses[0]
    calendars = current_calendars()
    calendar = address_calendar(calendars, routes[chosen], partner.home_warehouse_id)
    if calendar is None or order_by_moment(calendar, campaign.delivery_date) is None:
        where = f"route {calendar.code}" if calendar is not None else "no route"
        detail = f"ship_to {chosen} is served by {where}, which does not deliver on {campaign.delivery_date}."
        raise InvalidPrebookError(
            detail, errors=[{"field": "ship_to", "code": "no_delivery_on_campaign_date", "detail": detail}]
        )
    return chosen


def prebook_line_problems(campaign: Campaign, lines) -> tuple[list[tuple[Product, int]], list[dict]]:
    """Return a pre-book's good lines as (product, quantity) and an error per bad line,
    naming the line (its place in `lines`, from 1) and the SKU: as for orders, and
    each SKU one of the campaign's. A door with more to report at once (a file's rows)
    asks here before it places the pre-book."""
    in_campaign = {p.sku: p for p in Product.objects.filter(id__in=campaign.products.values("product_id"))}
    skus = {str(line.get("sku") or "").strip() for line in lines if isinstance(line, Mapping)}
    others = {p.sku: p for p in Product.objects.filter(sku__in=skus - set(in_campaign))}
    good, errors = validate_lines(lines, {**others, **in_campaign})
    for line_no, line in enumerate(lines, start=1):
        sku = str(line.get("sku") or "").strip() if isinstance(line, Mapping) else ""
        if sku in others:
            errors.append(
                {
                    "line": line_no,
                    "sku": sku,
                    "code": "not_in_campaign",
                    "detail": f"Line {line_no}: {sku} is not a product of campaign {campaign.code}.",
                }
            )
    errors.sort(key=lambda error: error.get("line", 0))
    return good, errors


def _checked_lines(campaign: Campaign, lines) -> list[tuple[Product, int]]:
    """The pre-book's good lines as (product, quantity), or InvalidPrebookError naming
    every line and SKU at fault (prebook_line_problems)."""
    if not isinstance(lines, Sequence) or isinstance(lines, (str, bytes)) or not lines:
        raise InvalidPrebookError(
            "A pre-book needs at least one line.",
            errors=[{"field": "lines", "code": "lines_required", "detail": "A pre-book needs at least one line."}],
        )
    if len(lines) > MAX_LINES:
        raise InvalidPrebookError(f"A pre-book takes at most {MAX_LINES} lines; got {len(lines)}.")
    good, errors = prebook_line_problems(campaign, lines)
    if errors:
        raise InvalidPrebookError(summarise_errors(errors, subject="this pre-book"), errors=errors)
    return good


def _check_caps(campaign: Campaign, partner: Partner, good, *, leaving_out: int | None) -> None:
    """Raise PrebookCapExceededError naming each SKU whose cap the partner's open
    pre-books, with these lines instead of pre-book `leaving_out`'s, would pass."""
    caps = dict(campaign.products.filter(cap_per_partner__isnull=False).values_list("product_id", "cap_per_partner"))
    capped = [(line_no, product, quantity) for line_no, (product, quantity) in enumerate(good, 1) if product.id in caps]
    if not capped:
        return
    booked = booked_quantities(
        campaign, partner, product_ids=[product.id for _, product, _ in capped], leaving_out=leaving_out
    )
    errors = []
    for line_no, product, quantity in capped:
        cap, already = caps[product.id], booked.get(product.id, 0)
        if already + quantity > cap:
            left = cap_left(cap, already)
            errors.append(
                {
                    "line": line_no,
                    "sku": product.sku,
                    "code": PrebookCapExceededError.code,
                    "cap": cap,
                    "left": left,
                    "detail": f"Line {line_no}: {product.sku} is capped at {cap} per partner in campaign "
                    f"{campaign.code}; {partner.code} has {already} pre-booked, so {left} are left.",
                }
            )
    if errors:
        raise PrebookCapExceededError(summarise_errors(errors, subject="this pre-book"), errors=errors)


def _write_lines(prebook: Prebook, good) -> None:
    PrebookLine.objects.bulk_create(
        [PrebookLine(prebook=prebook, product=product, quantity=quantity) for product, quantity in good]
    )


@transaction.atomic
def place_prebook(
    *,
    campaign: Campaign,
    partner: Partner,
    lines,
    ship_to=None,
    user=None,
    idempotency_key: str = "",
    fingerprint: str = "",
    source: str = "api",
    now: datetime | None = None,
) -> PrebookResult:
    """Pre-book the lines for the partner, or return the first answer again when the
    key was seen with the same request. Raise PrebookWindowClosedError,
    InvalidPrebookError, PrebookCapExceededError or IdempotencyKeyReusedError;
    nothing is written then."""
    now = now or timezone.now()
    campaign = _lock_for_partner(campaign, partner)
    if idempotency_key:
        earlier = Prebook.objects.filter(campaign=campaign, partner=partner, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.fingerprint != fingerprint:
                raise IdempotencyKeyReusedError(
                    f"Idempotency-Key {idempotency_key!r} was used for another pre-book; send a new key."
                )
            return PrebookResult(earlier, replayed=True)
    closed = window_closed_error(campaign, now)
    if closed is not None:
        raise closed
    ship_to_id = _checked_ship_to(campaign, partner, ship_to)
    good = _checked_lines(campaign, lines)
    _check_caps(campaign, partner, good, leaving_out=None)
    prebook = Prebook.objects.create(
        campaign=campaign,
        partner=partner,
        ship_to_id=ship_to_id,
        placed_by=user if getattr(user, "is_authenticated", False) else None,
        source=source,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    _write_lines(prebook, good)
    return PrebookResult(prebook, replayed=False)


def _locked_open_prebook(campaign: Campaign, prebook_id, partner: Partner | None, placed_by, now) -> Prebook:
    """The open pre-book (a partner's own, or a buyer's own, when given), read again
    under its partner's locks, while the window is open; PrebookNotFoundError or
    PrebookWindowClosedError otherwise."""
    prebook = get_open_prebook(campaign, prebook_id, partner=partner, placed_by=placed_by)
    campaign = _lock_for_partner(campaign, prebook.partner)
    prebook = get_open_prebook(campaign, prebook_id, partner=partner, placed_by=placed_by)
    closed = window_closed_error(campaign, now)
    if closed is not None:
        raise closed
    prebook.campaign = campaign
    return prebook


@transaction.atomic
def change_prebook(
    *,
    campaign: Campaign,
    prebook_id,
    partner: Partner | None,
    lines,
    ship_to=None,
    placed_by=None,
    now: datetime | None = None,
) -> Prebook:
    """Replace an open pre-book's lines (and ship-to, when given) while the window is
    open; the pre-book keeps its place in line. `partner` None: staff, any partner's;
    `placed_by`: a buyer limited to their own (partners.roles)."""
    now = now or timezone.now()
    prebook = _locked_open_prebook(campaign, prebook_id, partner, placed_by, now)
    campaign = prebook.campaign
    ship_to_id = (
        _checked_ship_to(campaign, prebook.partner, ship_to) if ship_to not in (None, "") else prebook.ship_to_id
    )
    good = _checked_lines(campaign, lines)
    _check_caps(campaign, prebook.partner, good, leaving_out=prebook.id)
    prebook.lines.all().delete()
    _write_lines(prebook, good)
    prebook.ship_to_id = ship_to_id
    prebook.updated_at = now
    prebook.save(update_fields=["ship_to", "updated_at"])
    return prebook


@transaction.atomic
def withdraw_prebook(
    *, campaign: Campaign, prebook_id, partner: Partner | None, placed_by=None, now: datetime | None = None
) -> Prebook:
    """Withdraw an open pre-book while the window is open (it is kept, marked withdrawn)."""
    now = now or timezone.now()
    prebook = _locked_open_prebook(campaign, prebook_id, partner, placed_by, now)
    prebook.withdrawn_at = prebook.updated_at = now
    prebook.save(update_fields=["withdrawn_at", "updated_at"])
    return prebook
