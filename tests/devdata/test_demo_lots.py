"""The demo world's dated supply (docs/DESIGN.md sections 7 and 11): cut flowers in
lots dated from the supplier's today, freshness rules on partners and products, and a
second run on a later day that adds what that day misses and leaves the rest alone.
Built on a fixed Tuesday morning in Amsterdam, so that tomorrow is a delivery day."""

import re
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count

from devdata.demo_lots import ARRIVING_IN_DAYS, auction_reference, role_played, split_in_cases, warehouse_lots
from devdata.demo_tables import CATALOGUE, demo_stock
from inventory.freshness import days_left
from inventory.models import NO_LOT, Product, Reservation, Stock, StockMovement
from journey.runner import run_step
from partners.models import Partner
from tests.support.journey import place
from tests.support.routes import amsterdam

pytestmark = pytest.mark.django_db

TUESDAY = date(2027, 3, 16)
BUILT_AT = amsterdam(2027, 3, 16, 9, 0)


def build_demo_on(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        call_command("demo_data", even_with_debug_off=True, stdout=StringIO())


@pytest.fixture
def demo_world(breaker_reset):
    build_demo_on(BUILT_AT)


def lots_of(sku: str, warehouse: str) -> list[Stock]:
    """A warehouse's everyday lots of the product: not the forward buys for the VDAY
    campaign's date (tests/devdata/test_demo_campaign.py), months ahead."""
    lots = Stock.objects.filter(product__sku=sku, warehouse__code=warehouse)
    lots = lots.exclude(available_from__gt=TUESDAY + timedelta(days=ARRIVING_IN_DAYS))
    return list(lots.order_by("expires_on", "lot"))


def test_partners_have_the_demo_freshness_rules(demo_world):
    rules = dict(Partner.objects.values_list("code", "min_days_at_delivery"))

    assert rules == {"BLOOM": 3, "FERN": 5, "THORN": None}


def test_cut_flowers_have_a_default_rule_and_plants_and_sundries_none(demo_world):
    defaults = {
        category: set(Product.objects.filter(category=category).values_list("min_days_at_delivery", flat=True))
        for category in ("roses", "tulips", "chrysanthemums", "plants", "sundries")
    }

    assert defaults == {"roses": {4}, "tulips": {3}, "chrysanthemums": {5}, "plants": {None}, "sundries": {None}}


def test_roses_and_tulips_come_in_an_expiring_a_fresh_and_an_arriving_lot_per_warehouse(demo_world):
    opening = demo_stock(CATALOGUE)
    checked = 0
    for spec in CATALOGUE:
        if spec.category not in ("roses", "tulips"):
            continue
        for warehouse, on_hand in opening[spec.sku].items():
            if on_hand == 0:
                continue
            expiring, fresh, arriving = lots_of(spec.sku, warehouse)
            assert (expiring.available_from, expiring.expires_on) == (None, TUESDAY + timedelta(days=2))
            assert fresh.available_from is None and 10 <= (fresh.expires_on - TUESDAY).days <= 14
            assert arriving.available_from == TUESDAY + timedelta(days=3)
            assert arriving.expires_on > fresh.expires_on
            assert sum(lot.on_hand for lot in (expiring, fresh, arriving)) == on_hand
            checked += 1
    assert checked > 40


def test_a_product_sold_out_in_a_warehouse_has_only_a_lot_on_its_way_there(demo_world):
    assert demo_stock(CATALOGUE)["RO-FREEDOM-60"]["AMS"] == 0

    [arriving] = lots_of("RO-FREEDOM-60", "AMS")

    assert arriving.available_from == TUESDAY + timedelta(days=3) and arriving.on_hand > 0


def test_chrysanthemums_have_a_fresh_lot_and_plants_and_sundries_one_lot_without_dates(demo_world):
    chrysanthemums = Stock.objects.filter(product__category="chrysanthemums")
    in_stock = chrysanthemums.filter(available_from__isnull=True)
    undated = Stock.objects.filter(product__category__in=("plants", "sundries"))

    assert in_stock.count() > 10 and all((lot.expires_on - TUESDAY).days >= 14 for lot in in_stock)
    assert not in_stock.values("product", "warehouse").annotate(lots=Count("id")).filter(lots__gt=1).exists()
    # The one sold out, in Aalsmeer, awaits a restock.
    assert set(chrysanthemums.exclude(available_from=None).values_list("product__sku", "warehouse__code")) == {
        ("CH-ANASTASIA", "AMS")
    }
    assert set(undated.values_list("lot", "available_from", "expires_on")) == {(NO_LOT, None, None)}
    assert not undated.values("product", "warehouse").annotate(lots=Count("id")).filter(lots__gt=1).exists()


def test_lot_codes_read_like_auction_batch_references(demo_world):
    dated = Stock.objects.exclude(lot=NO_LOT).values_list("lot", flat=True)

    # The last digit is the lot's part: 1 expiring, 2 fresh, 3 arriving, 4 a campaign's forward buy.
    assert dated and all(re.fullmatch(r"A\d{4}-[1-7][1-4]", code) for code in dated)
    assert auction_reference(TUESDAY, "fresh") == "A2711-22"
    assert set(lot.lot for lot in lots_of("RO-NAOMI-50", "AMS")) == {"A2709-71", "A2711-12", "A2711-43"}


def test_every_opening_lot_is_in_the_ledger_with_its_dates(demo_world):
    lot = Stock.objects.get(product__sku="RO-NAOMI-50", warehouse__code="AMS", lot="A2711-43")
    [movement] = StockMovement.objects.filter(product=lot.product, warehouse=lot.warehouse, lot=lot.lot)

    assert (movement.actor, movement.on_hand_delta) == ("demo_data", lot.on_hand)
    assert "dates 2027-03-19 to" in movement.note


def test_a_bloom_order_for_tomorrow_takes_a_lot_with_three_days_left_never_the_one_expiring_in_two(demo_world):
    bloom = Partner.objects.get(code="BLOOM")
    tomorrow = TUESDAY + timedelta(days=1)
    expiring = Stock.objects.get(product__sku="RO-NAOMI-50", warehouse__code="AMS", expires_on=TUESDAY + timedelta(2))
    assert days_left(expiring.expires_on, tomorrow) == 1  # first to expire, and too old for BLOOM's 3 days

    with time_machine.travel(BUILT_AT, tick=False):
        order = place(bloom, {"RO-NAOMI-50": 100}, requested_delivery_date=tomorrow)
        run_step("reserve")

    reservations = list(Reservation.objects.filter(order_id=order.id))
    assert reservations and sum(r.quantity for r in reservations) == 100
    for reservation in reservations:
        lot = Stock.objects.get(product=reservation.product, warehouse=reservation.warehouse, lot=reservation.lot)
        assert lot.lot != expiring.lot and days_left(lot.expires_on, tomorrow) >= 3
        assert (reservation.delivery_date, reservation.min_days_at_delivery) == (tomorrow, 3)


def test_a_run_on_a_later_day_adds_the_lots_that_day_misses_and_leaves_the_others_alone(demo_world):
    before = {
        (sku, warehouse, lot): row
        for sku, warehouse, lot, *row in Stock.objects.values_list(
            "product__sku", "warehouse__code", "lot", "on_hand", "version", "available_from", "expires_on"
        )
    }

    build_demo_on(BUILT_AT + timedelta(days=4))

    after = {
        (sku, warehouse, lot): row
        for sku, warehouse, lot, *row in Stock.objects.values_list(
            "product__sku", "warehouse__code", "lot", "on_hand", "version", "available_from", "expires_on"
        )
    }
    assert {key: after[key] for key in before} == before
    saturday = TUESDAY + timedelta(days=4)
    new = Stock.objects.filter(lot__in={key[2] for key in set(after) - set(before)})
    naomi = [(lot.available_from, lot.expires_on) for lot in new.filter(product__sku="RO-NAOMI-50")]
    # The old expiring lot is gone by Saturday and the awaited one came in on Friday;
    # the fresh one still has a week and more.
    assert (None, saturday + timedelta(days=2)) in naomi
    assert any(start == saturday + timedelta(days=3) for start, _ in naomi)
    assert len(naomi) == 4  # the same two new lots in AMS and in RTM
    assert not new.filter(product__category__in=("plants", "sundries")).exists()


def test_the_lot_plan_of_a_day_is_met_by_the_lots_it_made():
    lots = warehouse_lots(sku="RO-NAOMI-50", category="roses", case_pack=50, on_hand=1600, today=TUESDAY, played=[])
    played = [(lot.available_from, lot.expires_on) for lot in lots]

    assert [lot.on_hand for lot in lots] == [400, 800, 400]
    assert (
        warehouse_lots(sku="RO-NAOMI-50", category="roses", case_pack=50, on_hand=1600, today=TUESDAY, played=played)
        == []
    )
    assert all(role_played(role, played, TUESDAY) for role in ("expiring", "fresh", "arriving"))


def test_a_small_stock_still_gives_each_lot_a_whole_case():
    assert split_in_cases(60, 20, ("expiring", "fresh", "arriving")) == {"expiring": 20, "fresh": 20, "arriving": 20}
    assert split_in_cases(60, 20, ("fresh",)) == {"fresh": 60}
