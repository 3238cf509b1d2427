"""What an allocation run saw and gave, summed up for the back office (docs/DESIGN.md
section 12): per product the supply under each freshness rule and what each tier
requested and was allocated; per partner the fill rate; and where each line would
stand after a dry run. Built only from what it is handed (a stored run's inputs and
result, or a dry run's), so a stored run reads the same whenever it is shown."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal


def fill_percent(allocated: int, requested: int) -> Decimal | None:
    """Allocated as a percentage of requested, rounded down to a tenth (None: nothing
    was requested), so 99.96 % never reads as a full 100."""
    if not requested:
        return None
    return (Decimal(allocated * 100) / requested).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


@dataclass(frozen=True)
class TierFigures:
    tier: int  # allocation_priority: lower is served first
    requested: int
    allocated: int
    partners: tuple[str, ...]

    @property
    def fill_percent(self) -> Decimal | None:
        return fill_percent(self.allocated, self.requested)


@dataclass(frozen=True)
class ProductFigures:
    product_id: int
    sku: str
    case_pack: int
    supply: tuple[tuple[int, int], ...]  # (days of life wanted, units that can serve), fewest days first
    tiers: tuple[TierFigures, ...]  # served first, first

    @property
    def requested(self) -> int:
        return sum(tier.requested for tier in self.tiers)

    @property
    def allocated(self) -> int:
        return sum(tier.allocated for tier in self.tiers)

    @property
    def most_supply(self) -> int:
        """What the lots serve under the loosest rule asked for: the most there is."""
        return max((units for _, units in self.supply), default=0)

    @property
    def unallocated(self) -> int:
        return max(self.most_supply - self.allocated, 0)


@dataclass(frozen=True)
class PartnerFill:
    partner: str
    tier: int
    requested: int
    allocated: int

    @property
    def fill_percent(self) -> Decimal | None:
        return fill_percent(self.allocated, self.requested)


@dataclass(frozen=True)
class RunReport:
    kind: str
    products: tuple[ProductFigures, ...]
    partners: tuple[PartnerFill, ...]

    @property
    def requested(self) -> int:
        return sum(product.requested for product in self.products)

    @property
    def allocated(self) -> int:
        return sum(product.allocated for product in self.products)


def _product_figures(product_id: str, entry: dict, requests: list[dict], granted: Mapping[int, int]) -> ProductFigures:
    by_tier: dict[int, list[dict]] = defaultdict(list)
    for request in requests:
        by_tier[request["tier"]].append(request)
    tiers = tuple(
        TierFigures(
            tier=tier,
            requested=sum(r["requested"] for r in lines),
            allocated=sum(granted.get(r["line"], 0) for r in lines),
            partners=tuple(dict.fromkeys(r["partner"] for r in sorted(lines, key=lambda r: r["place"]))),
        )
        for tier, lines in sorted(by_tier.items())
    )
    return ProductFigures(
        product_id=int(product_id),
        sku=requests[0]["sku"] if requests else "",
        case_pack=entry["case_pack"],
        supply=tuple(sorted((int(days), units) for days, units in entry["supply"].items())),
        tiers=tiers,
    )


def report_run(inputs: dict, granted: Mapping[int, int]) -> RunReport:
    """Sum up a run from its inputs (as orders.campaign_runs.gather_inputs makes and an
    AllocationRun stores them) and the units it gave each line, by line id."""
    requests_by_product: dict[str, list[dict]] = defaultdict(list)
    for request in inputs["requests"]:
        requests_by_product[str(request["product"])].append(request)
    products = sorted(
        (
            _product_figures(product_id, entry, requests_by_product[product_id], granted)
            for product_id, entry in inputs["products"].items()
        ),
        key=lambda figures: figures.sku,
    )
    fills: dict[str, PartnerFill] = {}
    for request in inputs["requests"]:
        code = request["partner"]
        fill = fills.get(code) or PartnerFill(code, request["tier"], 0, 0)
        fills[code] = replace(
            fill,
            requested=fill.requested + request["requested"],
            allocated=fill.allocated + granted.get(request["line"], 0),
        )
    partners = sorted(fills.values(), key=lambda fill: (fill.tier, fill.partner))
    return RunReport(kind=inputs["kind"], products=tuple(products), partners=tuple(partners))
