"""Where each pre-book line stands (docs/DESIGN.md section 12), read, never stored:
requested; allocated, over every committed run, on orders not cancelled; forfeited,
allocated on orders since cancelled (a declined card, a buyer's cancel, a partner
past its credit: those units went back to stock and to the next in line, and the line
leaves the waitlist); waitlisted, what is not allocated once the campaign has a
committed run, unless the line forfeited; and the place in line among the lines of the
same product that still wait, 1 being next, in pre-book order."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
    standings = _placed_in_line(
        [
            LineStanding(
                line_id, prebook_id, p_id, p_code, ship_to_id, product_id, sku, pack, requested, got, lost, 0, None, at
            )
            for line_id, prebook_id, p_id, p_code, ship_to_id, product_id, sku, pack, requested, got, lost, at in rows
        ],
        waiting=campaign.is_allocated,
    )  # fmt: skip
    if partner_id is not None:
        standings = [s for s in standings if s.partner_id == partner_id]
    return standings


def standings_after_grant(standings: Sequence[LineStanding], granted: Mapping[int, int]) -> list[LineStanding]:
    """Where each line would stand once a run giving `granted` (units by line id) were
    committed (a committed run leaves the campaign allocated, so what is short waits).
    `standings` are in pre-book order, as `line_standings` returns them."""
    grown = [replace(s, allocated=s.allocated + granted.get(s.line_id, 0)) for s in standings]
    return _placed_in_line(grown, waiting=True)


def _placed_in_line(standings: Sequence[LineStanding], *, waiting: bool) -> list[LineStanding]:
    """The standings (in pre-book order) with what waits, neither allocated nor
    forfeited, once `waiting` (the campaign has a committed run), and each waiting
    line's place among the lines of its product, 1 first."""
    in_line: dict[int, int] = defaultdict(int)
    placed = []
    for standing in standings:
        # A line whose allocation order was cancelled (a declined card, a buyer's
        # cancel, a partner past its credit) leaves the line: it would come first again.
        short = max(standing.requested - standing.allocated, 0) if waiting and not standing.forfeited else 0
        position = None
        if short:
            in_line[standing.product_id] += 1
            position = in_line[standing.product_id]
        placed.append(replace(standing, waitlisted=short, waitlist_position=position))
    return placed
