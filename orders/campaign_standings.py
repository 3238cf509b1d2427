"""Where each pre-book line stands (docs/DESIGN.md section 12), read, never stored:
requested; allocated, over every committed run, on orders not cancelled; forfeited,
allocated on orders since cancelled (a declined card, a buyer's cancel: those units
went back to stock and to the next in line); waitlisted, what neither covers once
the campaign has a committed run; and the place in line among the lines of the
same product that still wait, 1 being next, in pre-book order."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from orders.models import Campaign, OrderStatus, PrebookLine


@dataclass(frozen=True)
class LineStanding:
    line_id: int
    prebook_id: int
    partner_id: int
    partner_code: str
    ship_to_id: int
    product_id: int
    sku: str
    case_pack: int
    requested: int
    allocated: int
    forfeited: int
    waitlisted: int
    waitlist_position: int | None
    prebooked_at: datetime

    @property
    def place(self) -> tuple:
        """The pre-book order, as orders.allocation reads it."""
        return (self.prebooked_at.isoformat(), self.prebook_id, self.line_id)


def line_standings(campaign: Campaign, *, partner_id: int | None = None) -> list[LineStanding]:
    """Every open pre-book line of the campaign in pre-book order (a partner's only,
    when given; places in line count every partner's), in one query."""
    cancelled = Q(allocations__order__status=OrderStatus.CANCELLED)
    rows = (
        PrebookLine.objects.filter(prebook__campaign=campaign, prebook__withdrawn_at__isnull=True)
        .annotate(
            allocated=Coalesce(Sum("allocations__quantity", filter=~cancelled & Q(allocations__isnull=False)), 0),
            forfeited=Coalesce(Sum("allocations__quantity", filter=cancelled), 0),
        )
        .order_by("prebook__created_at", "prebook_id", "id")
        .values_list(
            "id",
            "prebook_id",
            "prebook__partner_id",
            "prebook__partner__code",
            "prebook__ship_to_id",
            "product_id",
            "product__sku",
            "product__case_pack",
            "quantity",
            "allocated",
            "forfeited",
            "prebook__created_at",
        )
    )
    standings = []
    in_line: dict[int, int] = {}
    for line_id, prebook_id, p_id, p_code, ship_to_id, product_id, sku, pack, requested, got, lost, at in rows:
        waiting = max(requested - got - lost, 0) if campaign.is_allocated else 0
        position = None
        if waiting:
            position = in_line[product_id] = in_line.get(product_id, 0) + 1
        standings.append(
            LineStanding(
                line_id, prebook_id, p_id, p_code, ship_to_id, product_id, sku, pack, requested, got, lost, waiting,
                position, at,
            )
        )  # fmt: skip
    if partner_id is not None:
        standings = [s for s in standings if s.partner_id == partner_id]
    return standings
