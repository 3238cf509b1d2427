"""The benchmark's data set holds dated supply (docs/DESIGN.md section 11): every SKU
in two or three lots a warehouse with different expiry dates, each with plenty, and
partners with a freshness rule, so that no bench order runs short for a reason the
benchmark does not measure. Built small here, on fixed days."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db.models import Count

from devdata.bench_world import BENCH_SKU_PATTERN, REFRESH_BELOW_DAYS, STOCK_PER_ROW, build_bench_world
from inventory.freshness import lot_serves
from inventory.models import Stock
from inventory.stock_sync import set_on_hand
from partners.models import Partner
from tests.support.routes import amsterdam

pytestmark = pytest.mark.django_db

BUILT_ON = date(2027, 3, 16)


def build_on(day: date) -> dict:
    with time_machine.travel(amsterdam(day.year, day.month, day.day, 9, 0), tick=False):
        return build_bench_world(partners=3, skus=20)


@pytest.fixture
def bench_world(breaker_reset):
    return build_on(BUILT_ON)


def test_each_bench_sku_lies_in_two_or_three_lots_a_warehouse_expiring_on_different_days(bench_world):
    bench_lots = Stock.objects.filter(product__sku__regex=BENCH_SKU_PATTERN)
    per_warehouse = bench_lots.values("product", "warehouse").annotate(
        lots=Count("id"), expiries=Count("expires_on", distinct=True)
    )

    assert bench_world["stock_lots"] == bench_lots.count()
    assert {row["lots"] for row in per_warehouse} == {2, 3}
    assert all(row["expiries"] == row["lots"] for row in per_warehouse)
    assert set(bench_lots.values_list("on_hand", flat=True)) == {STOCK_PER_ROW}


def test_bench_partners_have_a_freshness_rule_every_lot_meets_for_the_earliest_delivery(bench_world):
    rules = set(Partner.objects.filter(code__startswith="BP").values_list("min_days_at_delivery", flat=True))

    assert rules == {2, 3, 4}
    # The bench's routes deliver the same day.
    assert all(
        lot_serves(available_from=a, expires_on=e, delivery_date=BUILT_ON, required_days=max(rules))
        for a, e in Stock.objects.filter(product__sku__regex=BENCH_SKU_PATTERN).values_list(
            "available_from", "expires_on"
        )
    )


def test_a_later_build_tops_up_what_was_used_and_gives_aged_lots_their_life_again(bench_world):
    lot = (
        Stock.objects.filter(product__sku__regex=BENCH_SKU_PATTERN)
        .select_related("product", "warehouse")
        .order_by("expires_on", "id")
        .first()
    )
    set_on_hand(
        product=lot.product,
        warehouse=lot.warehouse,
        lot=lot.lot,
        on_hand=10,
        expected_version=lot.version,
        actor="test",
    )
    later = lot.expires_on - timedelta(days=REFRESH_BELOW_DAYS - 1)

    build_on(later)

    lot.refresh_from_db()
    assert (lot.lot, lot.on_hand, lot.expires_on) == ("BL1", STOCK_PER_ROW, later + timedelta(days=20))
    assert not Stock.objects.filter(
        product__sku__regex=BENCH_SKU_PATTERN, expires_on__lt=later + timedelta(days=REFRESH_BELOW_DAYS)
    ).exists()


def test_the_chaos_runs_hot_sku_lies_in_three_lots_of_different_dates_in_the_ledger(warehouses):
    from bench.chaos_world import HOT_SKU, add_hot_lots

    with time_machine.travel(amsterdam(2027, 3, 16, 9, 0), tick=False):
        add_hot_lots()
        add_hot_lots()

    lots = Stock.objects.filter(product__sku=HOT_SKU).order_by("expires_on")
    assert [(lot.lot, (lot.expires_on - BUILT_ON).days) for lot in lots] == [
        ("CH-3D", 3),
        ("CH-7D", 7),
        ("CH-14D", 14),
    ]
    # The first is too old for a partner that wants 4 days; the others serve today.
    assert [
        lot_serves(available_from=None, expires_on=lot.expires_on, delivery_date=BUILT_ON, required_days=4)
        for lot in lots
    ] == [False, True, True]


def test_a_peak_campaign_on_the_third_delivery_date_is_already_allocated_and_made_once(bench_world):
    from devdata.bench_campaign import CODE, SKUS
    from orders.models import Campaign, Order

    campaign = Campaign.objects.get(code=CODE)
    allocated = Order.objects.filter(source=Order.Source.PREBOOK)

    assert campaign.delivery_date == BUILT_ON + timedelta(days=2)
    assert campaign.is_allocated
    assert bench_world["allocation_orders"] == allocated.count() == 3
    assert set(allocated.values_list("requested_delivery_date", flat=True)) == {campaign.delivery_date}
    assert sorted(campaign.products.values_list("product__sku", flat=True)) == list(SKUS)

    build_on(BUILT_ON)

    assert Campaign.objects.filter(code=CODE).count() == 1
    assert Order.objects.filter(source=Order.Source.PREBOOK).count() == 3
