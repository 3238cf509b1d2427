"""The allocation run of a peak campaign (docs/DESIGN.md section 12): count the supply
that can serve the campaign's date, per product and freshness rule, share it by the
pure rule of orders.allocation, and, unless it is a dry run, commit: record the run
with its inputs and result, and make one order per partner and ship-to, reserved in
the same transaction (orders.campaign_orders), so nothing can take an allocated unit
between the two.

The first committed run shares by tiers and pro rata; every later one serves the
waitlist in pre-book order. Runs of one campaign are serialised by an update lock on
its row, which pre-books' share locks also wait for (orders.prebooks): two staff
committing at once make each order once, the second run finding nothing new to serve
unless supply grew meanwhile. A dry run takes the same locks, reads the same way and
writes nothing."""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

from config.errors import DomainError
from config.supplier_day import supplier_today
from inventory.availability import available_on
from inventory.freshness import lot_serves, required_days
from inventory.models import Product
from inventory.stock import lock_stock_rows
from orders.allocation import Request, fair_share, serve_waitlist
from orders.campaign_orders import make_allocation_orders
from orders.campaign_standings import LineStanding, line_standings, standings_after_grant
from orders.campaigns import get_campaign
from orders.exceptions import InvalidCampaignError
from orders.models import AllocationRun, Campaign
from partners.models import Partner

logger = logging.getLogger("bouquet.orders")


@dataclass
class RunOutcome:
    campaign: Campaign
    dry_run: bool
    kind: str
    # This run's units by pre-book line id (every line considered, 0 included).
    granted: dict[int, int]
    # Each line's standing: after the run when committed, before it when dry.
    standings: list[LineStanding]
    inputs: dict
    run: AllocationRun | None = None
    order_numbers: list[str] = field(default_factory=list)

    @property
    def number(self) -> int | None:
        return self.run.number if self.run is not None else None

    @property
    def standings_after(self) -> list[LineStanding]:
        """Where each line stands once the run is committed: as it left them, or, for a
        dry run, as committing it would, so a preview reads exactly as the commit."""
        return self.standings if not self.dry_run else standings_after_grant(self.standings, self.granted)


def supply_by_rule(lots: Iterable[dict], delivery_date, days_wanted: Iterable[int]) -> dict[int, int]:
    """What the lots (as inventory.stock.lock_stock_rows returns them) hold beyond
    their reservations that can serve the date, per freshness rule (days wanted)."""
    lots = list(lots)
    return {
        days: sum(
            max(lot["on_hand"] - lot["reserved"], 0)
            for lot in lots
            if lot_serves(
                available_from=lot["available_from"],
                expires_on=lot["expires_on"],
                delivery_date=delivery_date,
                required_days=days,
            )
        )
        for days in sorted(set(days_wanted))
    }


def gather_inputs(campaign: Campaign, standings: Sequence[LineStanding]) -> dict:
    """The run's inputs, as stored with it: per product its case pack and the supply
    per freshness rule, and every request (what each line asks of this run). Locks
    the campaign's lots. A first run asks for what was requested, a later one for what
    waits."""
    first = not campaign.is_allocated
    partners = {
        p.id: p
        for p in Partner.objects.filter(id__in={s.partner_id for s in standings}).only(
            "id", "code", "allocation_priority", "min_days_at_delivery"
        )
    }
    product_ids = sorted(campaign.products.values_list("product_id", flat=True))
    lots = lock_stock_rows(product_ids, open_warehouses_only=True, serving_from=campaign.delivery_date)
    lots_by_product, product_days = defaultdict(list), {}
    for lot in lots:
        lots_by_product[lot["product_id"]].append(lot)
        product_days[lot["product_id"]] = lot["product_min_days"]
    requests, days_by_product = [], defaultdict(set)
    for s in standings:
        asked = s.requested if first else s.waitlisted
        if not asked:
            continue
        partner = partners[s.partner_id]
        days = required_days(partner.min_days_at_delivery, product_days.get(s.product_id))
        days_by_product[s.product_id].add(days)
        requests.append(
            {
                "line": s.line_id,
                "prebook": s.prebook_id,
                "partner": partner.code,
                "ship_to": s.ship_to_id,
                "product": s.product_id,
                "sku": s.sku,
                "requested": asked,
                "tier": partner.allocation_priority,
                "place": list(s.place),
                "days": days,
            }
        )
    packs = {s.product_id: s.case_pack for s in standings}
    products = {}
    for product_id, days in days_by_product.items():
        supply = supply_by_rule(lots_by_product[product_id], campaign.delivery_date, days)
        products[str(product_id)] = {"case_pack": packs[product_id], "supply": {str(d): u for d, u in supply.items()}}
    return {
        "campaign": campaign.code,
        "delivery_date": campaign.delivery_date.isoformat(),
        "kind": AllocationRun.Kind.FAIR_SHARE if first else AllocationRun.Kind.WAITLIST,
        "products": products,
        "requests": requests,
    }


def allocate(inputs: dict) -> dict[int, int]:
    """The units each request's line gets from stored inputs: the run's result, and a
    stored run's replay."""
    share = fair_share if inputs["kind"] == AllocationRun.Kind.FAIR_SHARE else serve_waitlist
    by_product = defaultdict(list)
    for r in inputs["requests"]:
        by_product[str(r["product"])].append(
            Request(r["line"], r["requested"], r["tier"], tuple(r["place"]), r["days"])
        )
    granted = {}
    for product, requests in by_product.items():
        entry = inputs["products"][product]
        supply = {int(days): units for days, units in entry["supply"].items()}
        granted.update(share(supply, requests, entry["case_pack"]))
    return granted


def run_allocation(*, campaign: Campaign | str, dry_run: bool, actor: str = "system") -> RunOutcome:
    """Run the campaign's allocation now; commit it unless `dry_run`. A committed run
    that gives nothing, after the first, is not recorded (running again changes
    nothing). Raise InvalidCampaignError once the campaign's date has passed."""
    code = campaign if isinstance(campaign, str) else campaign.code
    with transaction.atomic():
        get_campaign(code)  # a clean 404 before locking
        campaign = Campaign.objects.select_for_update().get(code=code)
        if campaign.delivery_date < supplier_today():
            raise InvalidCampaignError(
                f"Campaign {code}'s delivery date {campaign.delivery_date} has passed; nothing can be allocated."
            )
        standings = line_standings(campaign)
        inputs = gather_inputs(campaign, standings)
        granted = allocate(inputs)
        outcome = RunOutcome(campaign, dry_run, inputs["kind"], granted, standings, inputs)
        if dry_run or (campaign.is_allocated and not any(granted.values())):
            return outcome
        outcome.run = AllocationRun.objects.create(
            campaign=campaign,
            number=(campaign.runs.aggregate(last=Max("number"))["last"] or 0) + 1,
            kind=inputs["kind"],
            inputs=inputs,
            result={str(line): units for line, units in granted.items()},
            actor=actor,
        )
        outcome.order_numbers = make_allocation_orders(outcome.run, inputs, granted, actor=actor)
        if not campaign.is_allocated:
            campaign.first_committed_at = timezone.now()
            campaign.save(update_fields=["first_committed_at", "updated_at"])
        outcome.standings = line_standings(campaign)
    logger.info(
        "allocation run committed",
        extra={"campaign": code, "run": outcome.number, "orders": len(outcome.order_numbers), "actor": actor},
    )
    return outcome


def campaigns_with_waitlist(product_ids: Iterable[int] | None = None) -> list[str]:
    """The codes of allocated campaigns, for today or later, whose waitlist holds a
    line (of these products, when given)."""
    campaigns = Campaign.objects.filter(first_committed_at__isnull=False, delivery_date__gte=supplier_today())
    if product_ids is not None:
        campaigns = campaigns.filter(products__product_id__in=list(product_ids)).distinct()
    codes = []
    for campaign in campaigns:
        waiting = {s.product_id for s in line_standings(campaign) if s.waitlisted}
        if waiting and _has_free_supply(waiting, campaign.delivery_date):
            codes.append(campaign.code)
    return codes


def _has_free_supply(product_ids: set[int], delivery_date) -> bool:
    """Whether any of these products' lots that could serve the date under the
    loosest rule hold a unit no reservation holds, read without a lock: a waitlist run
    locks the campaign's lots, and the sweeper asks every minute, so it asks this first."""
    return (
        Product.objects.filter(id__in=product_ids)
        .annotate(free=available_on(delivery_date, partner_days=0))
        .filter(free__gt=0)
        .exists()
    )


def serve_waitlists(product_ids: Iterable[int] | None = None, *, actor: str = "waitlist") -> list[RunOutcome]:
    """Commit a waitlist run of every campaign with lines waiting (for these products)
    whose supply can now serve some; each campaign in its own transaction. A
    campaign whose run is refused is logged and left for the next try (the sweeper's,
    a minute later), so it holds up no other."""
    outcomes = []
    for code in campaigns_with_waitlist(product_ids):
        try:
            outcome = run_allocation(campaign=code, dry_run=False, actor=actor)
        except DomainError as error:
            logger.warning("waitlist run refused", extra={"campaign": code, "code": error.code, "error": error.message})
            continue
        except DatabaseError as error:
            logger.error("waitlist run failed", extra={"campaign": code, "error": repr(error)})
            continue
        if outcome.run is not None:
            outcomes.append(outcome)
    return outcomes
