"""Waste: lots that expired unsold (docs/DESIGN.md section 11). Writing them off takes
what nobody reserved off the shelf with an EXPIRY movement in the ledger; the report
sums those movements by product and ISO week, at the product's list price."""

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Collate, TruncWeek
from django.utils import timezone

from config.supplier_day import supplier_today
from inventory.models import Product, Stock, StockMovement, Warehouse

logger = logging.getLogger("bouquet.inventory")

EXPIRY_ACTOR = "expiry"


@dataclass(frozen=True)
class WrittenOff:
    """One lot written off: its id, code and the units taken off the shelf."""

    stock_id: int
    product_id: int
    warehouse_id: int
    lot: str
    expires_on: date
    units: int


def warehouse_today(warehouse: Warehouse, now: datetime) -> date:
    """The date it is at `now` on the warehouse's clock."""
    return now.astimezone(zoneinfo.ZoneInfo(warehouse.timezone)).date()


def _expired_unreserved(now: datetime) -> Q:
    """Lots past their last day on their own warehouse's clock, with units nobody holds."""
    expired = Q(pk__in=[])
    for warehouse in Warehouse.objects.all():
        expired |= Q(warehouse_id=warehouse.id, expires_on__lt=warehouse_today(warehouse, now))
    return expired & Q(on_hand__gt=F("reserved"))


@transaction.atomic
def write_off_expired_lots(*, now: datetime | None = None, actor: str = EXPIRY_ACTOR) -> list[WrittenOff]:
    """Write off every lot whose `expires_on` is before today in its warehouse's time
    zone: its unreserved units (on hand less reserved) leave on_hand, its version
    grows, and one EXPIRY movement per lot records the negative change. Reserved units
    stay, for their orders to release or dispatch. Return what was written off; a
    second run finds nothing. Locks in (product, warehouse, lot) order, as the reserve
    step does (inventory.stock.lock_stock_rows), so the two never deadlock."""
    now = now or timezone.now()
    lots = list(
        Stock.objects.select_for_update()
        .filter(_expired_unreserved(now))
        .order_by("product_id", "warehouse_id", Collate("lot", "C"))
        .values_list("id", "product_id", "warehouse_id", "lot", "expires_on", "on_hand", "reserved")
    )
    written = [
        WrittenOff(id, p, w, lot, expires, on_hand - reserved) for id, p, w, lot, expires, on_hand, reserved in lots
    ]
    if not written:
        return []
    # The lots are locked: on_hand falls to what is reserved, in one statement.
    Stock.objects.filter(id__in=[w.stock_id for w in written]).update(
        on_hand=F("reserved"), version=F("version") + 1, updated_at=now
    )
    StockMovement.objects.bulk_create(
        StockMovement(
            product_id=w.product_id,
            warehouse_id=w.warehouse_id,
            lot=w.lot,
            kind=StockMovement.Kind.EXPIRY,
            on_hand_delta=-w.units,
            actor=actor,
            note=f"expired {w.expires_on.isoformat()}",
        )
        for w in written
    )
    logger.info("lots written off", extra={"lots": len(written), "units": sum(w.units for w in written)})
    return written


@dataclass(frozen=True)
class WasteRow:
    """What one product lost in one ISO week."""

    week: date  # its Monday
    sku: str
    name: str
    quantity: int
    value: Decimal

    @property
    def iso_week(self) -> str:
        year, week, _ = self.week.isocalendar()
        return f"{year}-W{week:02d}"


def waste_weeks(weeks: int, *, today: date | None = None) -> tuple[date, date]:
    """The first and last day of the `weeks` ISO weeks up to and including today's."""
    today = today or supplier_today()
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(weeks=weeks - 1), today


def waste_by_product_and_week(since: date, until: date) -> list[WasteRow]:
    """Return the units written off as expired from `since` to `until` (inclusive,
    by the movement's date on the site's clock), summed by ISO week and product,
    valued at each product's list price; by week, then SKU."""
    zone = timezone.get_current_timezone()
    # Bounds as moments, not `created_at__date`: the partial index on write-offs'
    # created_at serves them, where a date cast of every movement could use none.
    start = datetime.combine(since, time.min, tzinfo=zone)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
    rows = (
        StockMovement.objects.filter(kind=StockMovement.Kind.EXPIRY, created_at__gte=start, created_at__lt=end)
        .annotate(week=TruncWeek("created_at"))
        .values("week", "product_id")
        .annotate(quantity=-Sum("on_hand_delta"))
        .order_by()
    )
    products = Product.objects.in_bulk({row["product_id"] for row in rows})
    found = [
        WasteRow(
            week=row["week"].date() if isinstance(row["week"], datetime) else row["week"],
            sku=products[row["product_id"]].sku,
            name=products[row["product_id"]].name,
            quantity=row["quantity"],
            value=row["quantity"] * products[row["product_id"]].list_price,
        )
        for row in rows
        if row["quantity"]
    ]
    return sorted(found, key=lambda row: (row.week, row.sku))
