"""A campaign end to end through its services: pre-books, a dry run that changes
nothing, a committed run whose orders are reserved in its transaction and go on to
CONFIRMED, the waitlist, and a replay of the stored run."""

import pytest

from inventory.models import Reservation, Stock
from orders.campaign_runs import allocate, run_allocation
from orders.campaign_standings import line_standings
from orders.models import AllocationRun, Order, OrderStatus
from partners.factories import PartnerFactory
from tests.support.campaigns import make_campaign, prebook
from tests.support.journey import drive_journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROSE-RED", case_pack=25, list_price="0.80", stock={warehouses["AMS"]: 1000})


@pytest.fixture
def three_buyers(warehouses):
    return [PartnerFactory(code=code, home_warehouse=warehouses["AMS"]) for code in ("ALPHA", "BETA", "GAMMA")]


def test_a_committed_run_makes_reserved_orders_that_confirm_and_waitlists_the_rest(roses, three_buyers):
    campaign = make_campaign(skus=["ROSE-RED"])
    for partner, quantity in zip(three_buyers, (600, 300, 300)):
        prebook(campaign, partner, {"ROSE-RED": quantity})

    dry = run_allocation(campaign=campaign, dry_run=True)
    assert sorted(dry.granted.values()) == [250, 250, 500]
    assert not Order.objects.exists() and not AllocationRun.objects.exists()

    committed = run_allocation(campaign=campaign, dry_run=False, actor="staff")
    assert len(committed.order_numbers) == 3
    assert Stock.objects.get(product=roses).reserved == 1000
    orders = Order.objects.filter(source=Order.Source.PREBOOK)
    assert {o.status for o in orders} == {OrderStatus.INVENTORY_RESERVED}
    assert sum(r.quantity for r in Reservation.objects.filter(status="active")) == 1000

    standings = {s.partner_code: s for s in line_standings(committed.campaign)}
    assert (standings["ALPHA"].allocated, standings["ALPHA"].waitlisted, standings["ALPHA"].waitlist_position) == (
        500,
        100,
        1,
    )
    assert standings["GAMMA"].waitlist_position == 3

    drive_journey()
    assert {o.status for o in orders.all()} == {OrderStatus.CONFIRMED}

    again = run_allocation(campaign=campaign, dry_run=False)
    assert again.run is None and again.order_numbers == []

    stored = AllocationRun.objects.get()
    assert {str(k): v for k, v in allocate(stored.inputs).items()} == stored.result
