"""The demo world's dated supply (docs/DESIGN.md sections 7 and 11): which lots each
product holds in each warehouse, with dates counted from the supplier's today, so that
the demo is alive whenever it is built.

Roses and tulips come in three lots a warehouse: one that expires in two days (too
old for every demo partner's freshness rule: what the waste report will show), one
fresh, and one bought at the auction that arrives in three days. Chrysanthemums come
in one fresh lot. Plants and sundries do not perish: lot "" without dates. A product
sold out in a warehouse has only a lot on its way there.

Each lot plays a part (a "role") and takes its code from the auction day it was bought
on, like an auction batch reference (`A2611-22`: 2026, ISO week 11, Tuesday, the
fresh lot). Run again on the same day, the plan names the same lots; run on a later
day, a part that no lot plays any more (the old lot expired, the awaited one arrived)
gets a new lot for that day, while the old lots stay as they are: orders may hold
them."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from inventory.models import NO_LOT

# Changing the seed changes every demo lot's life.
LIFE_SEED = 20260311

EXPIRING, FRESH, ARRIVING = "expiring", "fresh", "arriving"
# A forward buy for a peak campaign's date (devdata/demo_campaign.py), not one of a
# warehouse's everyday lots.
PEAK = "peak"
# A role's digit in the lot code, and the day its lot was bought at the auction.
ROLE_DIGITS = {EXPIRING: 1, FRESH: 2, ARRIVING: 3, PEAK: 4}
AUCTION_DAY = {EXPIRING: -9, FRESH: -1, ARRIVING: 2}
EXPIRING_IN_DAYS = 2
ARRIVING_IN_DAYS = 3
# A fresh lot lives this many days from today (one number a product, seeded).
FRESH_LIFE = {"roses": (10, 14), "tulips": (10, 12), "chrysanthemums": (14, 21)}
# A lot still counts as fresh on a later day while it has this many days left.
STILL_FRESH_DAYS = 7

# The roles of a warehouse's lots, per category; plants and sundries have none.
ROLES = {"roses": (EXPIRING, FRESH, ARRIVING), "tulips": (EXPIRING, FRESH, ARRIVING), "chrysanthemums": (FRESH,)}


@dataclass(frozen=True)
class LotSpec:
    lot: str
    on_hand: int
    available_from: date | None = None
    expires_on: date | None = None


def auction_reference(auction_day: date, role: str) -> str:
    """A lot code like an auction's batch reference: year, ISO week, weekday, role."""
    year, week, weekday = auction_day.isocalendar()
    return f"A{year % 100:02d}{week:02d}-{weekday}{ROLE_DIGITS[role]}"


def fresh_life(sku: str, category: str) -> int:
    low, high = FRESH_LIFE[category]
    return random.Random(f"{LIFE_SEED}-{sku}").randint(low, high)


def role_lot(role: str, *, sku: str, category: str, today: date, on_hand: int) -> LotSpec:
    """The lot that plays `role` for a product, as bought for `today`."""
    code = auction_reference(today + timedelta(days=AUCTION_DAY[role]), role)
    life = fresh_life(sku, category)
    if role == EXPIRING:
        return LotSpec(code, on_hand, expires_on=today + timedelta(days=EXPIRING_IN_DAYS))
    if role == FRESH:
        return LotSpec(code, on_hand, expires_on=today + timedelta(days=life))
    arrives = today + timedelta(days=ARRIVING_IN_DAYS)
    return LotSpec(code, on_hand, available_from=arrives, expires_on=arrives + timedelta(days=life))


def peak_lot(*, sku: str, category: str, units: int, delivery_date: date) -> LotSpec:
    """A lot bought at the auction two days before a campaign's date, in from the day
    before, fresh for as long as the product's fresh lots."""
    return LotSpec(
        auction_reference(delivery_date - timedelta(days=2), PEAK),
        units,
        available_from=delivery_date - timedelta(days=1),
        expires_on=delivery_date + timedelta(days=fresh_life(sku, category)),
    )


def role_played(role: str, lots: list[tuple[date | None, date | None]], today: date) -> bool:
    """Whether one of a warehouse's lots, as (available_from, expires_on), plays the
    role today: expiring within two days, fresh for a week at least, or on its way
    (arriving within the days an arriving lot takes: a forward buy for a date weeks
    ahead is no restock)."""
    in_stock = [(start, end) for start, end in lots if start is None or start <= today]
    if role == EXPIRING:
        return any(end is not None and today <= end <= today + timedelta(days=EXPIRING_IN_DAYS) for _, end in in_stock)
    if role == FRESH:
        return any(end is not None and end >= today + timedelta(days=STILL_FRESH_DAYS) for _, end in in_stock)
    arrives_by = today + timedelta(days=ARRIVING_IN_DAYS)
    return any(start is not None and today < start <= arrives_by for start, _ in lots)


def split_in_cases(on_hand: int, case_pack: int, roles: tuple[str, ...]) -> dict[str, int]:
    """Share a warehouse's opening units among its lots in whole cases: a quarter
    each to the expiring and the arriving lot (a case at least), the rest fresh."""
    cases = on_hand // case_pack
    if roles == (FRESH,):
        return {FRESH: cases * case_pack}
    side = max(1, cases // 4)
    return {EXPIRING: side * case_pack, FRESH: (cases - 2 * side) * case_pack, ARRIVING: side * case_pack}


# A sold-out warehouse awaits this many cases.
RESTOCK_CASES = 10


def warehouse_lots(
    *, sku: str, category: str, case_pack: int, on_hand: int, today: date, played: list[tuple[date | None, date | None]]
) -> list[LotSpec]:
    """The lots one product needs in one warehouse today, beside the lots it has
    (`played`: their (available_from, expires_on)). A product that does not perish
    has lot "" only; a sold-out one awaits a restock."""
    roles = ROLES.get(category)
    if roles is None:
        return [LotSpec(NO_LOT, on_hand)]
    if on_hand == 0:
        units = {ARRIVING: RESTOCK_CASES * case_pack}
    else:
        units = split_in_cases(on_hand, case_pack, roles)
    return [
        role_lot(role, sku=sku, category=category, today=today, on_hand=quantity)
        for role, quantity in units.items()
        if not role_played(role, played, today)
    ]
