"""Allocation runs over real stock (orders.campaign_runs): tiers from the partners'
allocation_priority, supply counted per partner's freshness rule from dated lots, the
stored run replayed, an on-account partner past its headroom, and what a run refuses."""

import datetime

import pytest

from inventory.models import Reservation, Stock
from orders.campaign_runs import allocate, run_allocation
from orders.exceptions import InvalidCampaignError
from orders.models import Allocation, AllocationRun, Order, OrderStatus
from partners.factories import PartnerFactory
from tests.support.campaigns import campaign_date, make_campaign, prebook

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def buyer(code, warehouses, **fields):
    return PartnerFactory(code=code, home_warehouse=warehouses["AMS"], **fields)


def granted_by_partner(outcome) -> dict[str, int]:
    lines = {s.line_id: s.partner_code for s in outcome.standings}
    return {lines[line]: units for line, units in outcome.granted.items()}


def test_a_better_tier_is_served_in_full_and_the_rest_share_what_is_left(warehouses, make_product):
    make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 700})
    campaign = make_campaign(skus=["ROSE-RED"])
    prebook(campaign, buyer("BETA", warehouses), {"ROSE-RED": 300})
    prebook(campaign, buyer("GAMMA", warehouses), {"ROSE-RED": 300})
    prebook(campaign, buyer("ALPHA", warehouses, allocation_priority=1), {"ROSE-RED": 600})

    outcome = run_allocation(campaign=campaign, dry_run=False)

    assert granted_by_partner(outcome) == {"ALPHA": 600, "BETA": 50, "GAMMA": 50}
    assert Stock.objects.get().reserved == 700


def test_supply_is_counted_under_each_partners_freshness_rule(warehouses, make_product):
    date = campaign_date()
    ams = warehouses["AMS"]
    make_product(
        "ROSE-RED",
        case_pack=25,
        lots=[
            {"warehouse": ams, "lot": "OLD", "on_hand": 800, "expires_on": date + 3 * DAY},
            {"warehouse": ams, "lot": "FRESH", "on_hand": 200, "expires_on": date + 9 * DAY},
            {"warehouse": ams, "lot": "LATE", "on_hand": 500, "available_from": date + DAY},
            {"warehouse": ams, "lot": "GONE", "on_hand": 500, "expires_on": date - DAY},
        ],
    )
    campaign = make_campaign(skus=["ROSE-RED"], delivery_date=date)
    prebook(campaign, buyer("FLORIST", warehouses, min_days_at_delivery=3), {"ROSE-RED": 600})
    prebook(campaign, buyer("CHAIN", warehouses, min_days_at_delivery=7), {"ROSE-RED": 600})

    outcome = run_allocation(campaign=campaign, dry_run=False)

    assert outcome.inputs["products"][str(Stock.objects.first().product_id)]["supply"] == {"3": 1000, "7": 200}
    assert granted_by_partner(outcome) == {"FLORIST": 600, "CHAIN": 200}
    chain_order = Order.objects.get(partner__code="CHAIN")
    assert set(Reservation.objects.filter(order_id=chain_order.id).values_list("lot", flat=True)) == {"FRESH"}
    assert Stock.objects.get(lot="FRESH").reserved == 200 and Stock.objects.get(lot="OLD").reserved == 600


def test_a_stored_run_replays_to_the_same_result(warehouses, make_product):
    make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 1010})
    make_product("TULIP-RED", case_pack=10, stock={warehouses["AMS"]: 95})
    campaign = make_campaign(skus=["ROSE-RED", "TULIP-RED"])
    for code, roses, tulips in (("A", 600, 50), ("B", 300, 40), ("C", 300, 30)):
        prebook(campaign, buyer(code, warehouses), {"ROSE-RED": roses, "TULIP-RED": tulips})
    run_allocation(campaign=campaign, dry_run=False)

    stored = AllocationRun.objects.get()
    replayed = allocate(stored.inputs)

    assert {str(line): units for line, units in replayed.items()} == stored.result
    # Tulips: 95 for 120 asked, in tens: 30, 30 and 20 pro rata, and the ten left to A,
    # the earliest pre-book; the last 5 stay.
    assert sorted(stored.result.values()) == [20, 30, 40, 250, 250, 500]
    assert sum(Allocation.objects.values_list("quantity", flat=True)) == 1090


def test_one_order_per_partner_and_ship_to_with_a_product_booked_twice_on_one_line(warehouses, make_product):
    make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 1000})
    campaign = make_campaign(skus=["ROSE-RED"])
    florist = buyer("ALPHA", warehouses)
    prebook(campaign, florist, {"ROSE-RED": 100})
    prebook(campaign, florist, {"ROSE-RED": 50})

    outcome = run_allocation(campaign=campaign, dry_run=False)

    order = Order.objects.get(number__in=outcome.order_numbers)
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("ROSE-RED", 150)]
    assert order.source == Order.Source.PREBOOK and order.requested_delivery_date == campaign.delivery_date
    assert order.events.filter(to_status=OrderStatus.INVENTORY_RESERVED).exists()


def test_a_campaign_whose_date_has_passed_is_not_allocated(warehouses, make_product):
    make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 1000})
    campaign = make_campaign(skus=["ROSE-RED"])
    campaign.delivery_date -= 30 * DAY
    campaign.save()
    with pytest.raises(InvalidCampaignError):
        run_allocation(campaign=campaign, dry_run=True)


def test_the_strictest_rule_reserves_first_so_a_home_warehouse_cannot_take_its_fresh_lots(warehouses, make_product):
    date = campaign_date()
    ams, rtm = warehouses["AMS"], warehouses["RTM"]
    make_product(
        "ROSE-RED",
        case_pack=25,
        lots=[
            {"warehouse": ams, "lot": "OLD", "on_hand": 400, "expires_on": date + 3 * DAY},
            {"warehouse": ams, "lot": "FRESH", "on_hand": 200, "expires_on": date + 9 * DAY},
            {"warehouse": rtm, "lot": "OLD", "on_hand": 400, "expires_on": date + 3 * DAY},
        ],
    )
    campaign = make_campaign(skus=["ROSE-RED"], delivery_date=date)
    # The florist pre-books first and its home, AMS, holds the only lot fresh enough for the chain.
    prebook(campaign, buyer("FLORIST", warehouses, min_days_at_delivery=3), {"ROSE-RED": 900})
    prebook(campaign, PartnerFactory(code="CHAIN", home_warehouse=rtm, min_days_at_delivery=7), {"ROSE-RED": 600})

    outcome = run_allocation(campaign=campaign, dry_run=False)

    assert granted_by_partner(outcome) == {"FLORIST": 800, "CHAIN": 200}
    chain_order = Order.objects.get(partner__code="CHAIN")
    assert list(Reservation.objects.filter(order_id=chain_order.id).values_list("lot", "quantity")) == [("FRESH", 200)]


def commit_queries(count: int, warehouses, code: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = make_campaign(code, skus=["ROSE-RED"])
    for n in range(count):
        prebook(campaign, buyer(f"{code}{n}", warehouses), {"ROSE-RED": 100})
    with CaptureQueriesContext(connection) as queries:
        run_allocation(campaign=campaign, dry_run=False)
    return len(queries.captured_queries)


def test_a_commit_costs_one_query_per_partner_beyond_a_constant(warehouses, make_product):
    # The run holds the campaign's lots locked while it writes: its orders, lines,
    # events, keys, reservations and allocations are written a statement per kind,
    # and only each partner's price list is read on its own.
    make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 100_000})
    five, twenty = commit_queries(5, warehouses, "FIVE"), commit_queries(20, warehouses, "TWENTY")
    assert twenty - five == 15
