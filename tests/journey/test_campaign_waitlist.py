"""A peak campaign's waitlist serves itself (docs/DESIGN.md section 12): a lot synced in
for the campaign's date, or an allocation order cancelled, wakes one task that serves
the waitlist in pre-book order, whole case packs, each served line an order that goes
its way to CONFIRMED; lots that cannot serve the date grant nothing, and another
product's lot wakes nothing. Two commits at once make each order once, and spot orders
for the date wait for the first commit and then take only what it left."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django_q.brokers import get_broker
from django_q.signing import SignedPackage

from inventory.models import Reservation, Stock
from inventory.stock_sync import set_on_hand
from journey.sweeper import sweep
from journey.tasks import serve_waitlists_task
from orders.campaign_runs import run_allocation
from orders.campaign_standings import line_standings
from orders.exceptions import CampaignPrebookOnlyError
from orders.models import Allocation, AllocationRun, IdempotencyRecord, Order, OrderEvent, OrderStatus
from orders.waitlist import WAITLIST_TASK, waitlist_waits_for, wake_waitlists
from partners.factories import PartnerFactory
from tests.support.api import client_for
from tests.support.campaigns import make_campaign, prebook, ship_to_of
from tests.support.journey import drive_journey, place
from tests.support.roles import erp_user

pytestmark = pytest.mark.django_db

ROSES = "ROSE-RED"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def roses(warehouses, make_product):
    return make_product(ROSES, case_pack=25, list_price="0.80", stock={warehouses["AMS"]: 1000})


@pytest.fixture
def three_buyers(warehouses):
    return [PartnerFactory(code=code, home_warehouse=warehouses["AMS"]) for code in ("ALPHA", "BETA", "GAMMA")]


@pytest.fixture
def allocated(roses, three_buyers):
    """VDAY's roses pre-booked 600, 300 and 300 in that order and committed: 500, 250
    and 250, with 100, 50 and 50 waiting in that order."""
    campaign = make_campaign(skus=[ROSES])
    for partner, quantity in zip(three_buyers, (600, 300, 300)):
        prebook(campaign, partner, {ROSES: quantity})
    run_allocation(campaign=campaign, dry_run=False, actor="staff")
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def stock_keeper(db):
    """The ERP's integration account, which syncs lots through the stock API."""
    return client_for(erp_user())


def sync_lot(api, *, lot: str, on_hand: int, sku: str = ROSES, available_from=None, expires_on=None):
    """Create a lot at AMS through the stock API, as the ERP does when a lot arrives."""
    body = {
        "on_hand": on_hand,
        "version": 0,
        "available_from": available_from and available_from.isoformat(),
        "expires_on": expires_on and expires_on.isoformat(),
    }
    answer = api.put(f"/api/v1/stock/{sku}/AMS/lots/{lot}/", body, format="json")
    assert answer.status_code == 201, answer.json()


def queued_tasks() -> list[str]:
    """The dotted paths of the tasks waiting in django-q2's queue, in order."""
    broker = get_broker()
    return [SignedPackage.loads(raw)["func"] for raw in broker.connection.lrange(broker.list_key, 0, -1)]


def standings_by_partner(campaign) -> dict[str, tuple]:
    return {s.partner_code: (s.allocated, s.waitlisted, s.waitlist_position) for s in line_standings(campaign)}


def run_orders(campaign, number: int) -> dict[str, int]:
    """The units of each partner's order made by the campaign's run `number`."""
    orders = Order.objects.filter(source=Order.Source.PREBOOK, po_number=f"{campaign.code} run {number}")
    return {order.partner.code: sum(line.quantity for line in order.lines.all()) for order in orders}


def test_a_lot_synced_in_for_the_date_serves_the_waitlist_in_line_and_its_orders_confirm(
    allocated, stock_keeper, django_capture_on_commit_callbacks
):
    drive_journey()
    day = allocated.delivery_date
    with django_capture_on_commit_callbacks(execute=True):
        sync_lot(stock_keeper, lot="LATE-1", on_hand=125, available_from=day - 2 * DAY, expires_on=day + 7 * DAY)
    assert queued_tasks() == [WAITLIST_TASK]
    with django_capture_on_commit_callbacks(execute=True):
        sync_lot(stock_keeper, lot="LATE-2", on_hand=10, expires_on=day + 7 * DAY)
    assert queued_tasks() == [WAITLIST_TASK], "a second lot while the task is pending wakes no second task"

    with django_capture_on_commit_callbacks(execute=True):
        assert serve_waitlists_task() == 1

    # 135 units in packs of 25: ALPHA's 100 first, then one pack of BETA's 50.
    assert run_orders(allocated, 2) == {"ALPHA": 100, "BETA": 25}
    assert standings_by_partner(allocated) == {"ALPHA": (600, 0, None), "BETA": (275, 25, 1), "GAMMA": (250, 50, 2)}
    assert AllocationRun.objects.get(number=2).kind == AllocationRun.Kind.WAITLIST
    served = Order.objects.filter(po_number=f"{allocated.code} run 2")
    assert {o.status for o in served} == {OrderStatus.INVENTORY_RESERVED}
    # In the event feed as any order: its CREATED event, under its partner for the ERP.
    created = OrderEvent.objects.filter(order__in=served, to_status=OrderStatus.CREATED)
    assert {(e.order.number, e.partner.code) for e in created} == {(o.number, o.partner.code) for o in served}

    drive_journey()
    assert {o.status for o in Order.objects.filter(source=Order.Source.PREBOOK)} == {OrderStatus.CONFIRMED}
    assert sum(Stock.objects.filter(product__sku=ROSES).values_list("reserved", flat=True)) == 1125


def test_a_declined_card_forfeits_its_units_and_the_next_in_line_gets_them(
    roses, declining_buyer, warehouses, django_capture_on_commit_callbacks
):
    declining_buyer.allocation_priority = 10  # served first, in full
    declining_buyer.save(update_fields=["allocation_priority"])
    alpha, beta = (PartnerFactory(code=code, home_warehouse=warehouses["AMS"]) for code in ("ALPHA", "BETA"))
    campaign = make_campaign(skus=[ROSES])
    prebook(campaign, declining_buyer, {ROSES: 200})
    prebook(campaign, alpha, {ROSES: 600})
    prebook(campaign, beta, {ROSES: 600})
    campaign = run_allocation(campaign=campaign, dry_run=False, actor="staff").campaign
    assert standings_by_partner(campaign) == {"THORN": (200, 0, None), "ALPHA": (400, 200, 1), "BETA": (400, 200, 2)}

    with django_capture_on_commit_callbacks(execute=True):
        drive_journey()

    thorns = Order.objects.get(partner=declining_buyer)
    assert (thorns.status, thorns.cancel_reason) == (OrderStatus.CANCELLED, "payment_declined")
    assert not Reservation.objects.filter(order_id=thorns.id, status=Reservation.Status.ACTIVE).exists()
    assert Stock.objects.get(product=roses).reserved == 800
    assert WAITLIST_TASK in queued_tasks()

    assert serve_waitlists_task() == 1

    # THORN's 200 went to ALPHA, first in line; THORN waits for nothing (forfeited).
    assert run_orders(campaign, 2) == {"ALPHA": 200}
    assert standings_by_partner(campaign) == {"THORN": (0, 0, None), "ALPHA": (600, 0, None), "BETA": (400, 200, 1)}
    assert next(s for s in line_standings(campaign) if s.partner_code == "THORN").forfeited == 200
    drive_journey()
    assert Order.objects.get(po_number=f"{campaign.code} run 2").status == OrderStatus.CONFIRMED
    assert Stock.objects.get(product=roses).reserved == 1000


def test_lots_that_cannot_serve_the_date_grant_nothing_and_another_products_lot_wakes_nothing(
    allocated, stock_keeper, make_product, warehouses, django_capture_on_commit_callbacks
):
    make_product("TULIP-RED", case_pack=10, stock={warehouses["AMS"]: 50})
    day = allocated.delivery_date
    before = standings_by_partner(allocated)

    with django_capture_on_commit_callbacks(execute=True):
        sync_lot(stock_keeper, lot="TOO-OLD", on_hand=500, expires_on=day - DAY)
        sync_lot(stock_keeper, lot="TOO-LATE", on_hand=500, available_from=day + DAY)
    assert queued_tasks() == [WAITLIST_TASK]  # roses wait, so the task looks
    assert serve_waitlists_task() == 0
    assert AllocationRun.objects.count() == 1 and Order.objects.count() == 3
    assert standings_by_partner(allocated) == before

    get_broker().purge_queue()
    with django_capture_on_commit_callbacks(execute=True):
        sync_lot(stock_keeper, lot="T-1", sku="TULIP-RED", on_hand=500)
    assert queued_tasks() == []
    assert AllocationRun.objects.count() == 1 and Order.objects.count() == 3


def test_deciding_to_wake_the_waitlist_is_one_query(allocated, roses, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert wake_waitlists([roses.id]) is True
    with django_assert_num_queries(1):
        assert waitlist_waits_for([roses.id + 1000]) is False
    assert queued_tasks() == [WAITLIST_TASK]


def test_a_waitlist_whose_wake_up_was_lost_is_served_by_the_sweeper(allocated, roses, warehouses):
    # Outside the captured callbacks the commit's wake-up never runs, as when Redis is down.
    set_on_hand(product=roses, warehouse=warehouses["AMS"], lot="LATE", on_hand=200, expected_version=0, actor="erp")
    assert queued_tasks() == []

    assert sweep()["waitlist_runs"] == 1

    assert run_orders(allocated, 2) == {"ALPHA": 100, "BETA": 50, "GAMMA": 50}
    assert sweep()["waitlist_runs"] == 0


def test_manage_py_serve_waitlists_serves_them_and_says_what_it_made(allocated, roses, warehouses):
    set_on_hand(product=roses, warehouse=warehouses["AMS"], lot="LATE", on_hand=100, expected_version=0, actor="erp")
    out = io.StringIO()

    call_command("serve_waitlists", stdout=out)

    number = Order.objects.get(po_number=f"{allocated.code} run 2").number
    assert out.getvalue() == f"VDAY run 2: 100 units on 1 order(s) {number}\n"
    out = io.StringIO()
    call_command("serve_waitlists", stdout=out)
    assert out.getvalue().startswith("No waitlist could be served")


def test_spot_orders_for_the_date_wait_for_the_first_commit_then_take_only_what_is_left(
    roses, three_buyers, warehouses, make_product
):
    make_product("TULIP-RED", case_pack=10, stock={warehouses["AMS"]: 500})
    campaign = make_campaign(skus=[ROSES])
    day = campaign.delivery_date
    for partner in three_buyers:
        prebook(campaign, partner, {ROSES: 300})  # 900 of the 1000
    spot = PartnerFactory(code="SPOT", home_warehouse=warehouses["AMS"])
    ship_to_of(spot)

    with pytest.raises(CampaignPrebookOnlyError) as refused:
        place(spot, {ROSES: 25}, requested_delivery_date=day)
    assert refused.value.code == "campaign_prebook_only"
    assert refused.value.extra == {"campaign": "VDAY", "prebook_url": "/campaigns/VDAY/"}
    assert f"{ROSES} for {day.isoformat()} is sold through pre-books of campaign VDAY" in refused.value.message
    assert not Order.objects.exists()
    day_after = place(spot, {ROSES: 25}, requested_delivery_date=day + DAY)
    tulips = place(spot, {"TULIP-RED": 10}, requested_delivery_date=day)

    campaign = run_allocation(campaign=campaign, dry_run=False, actor="staff").campaign
    drive_journey()  # the day after's 25 come from the 100 the run left
    last_75 = place(spot, {ROSES: 75}, requested_delivery_date=day)
    one_too_many = place(spot, {ROSES: 25}, requested_delivery_date=day)
    drive_journey()

    for order in (day_after, tulips, last_75, one_too_many):
        order.refresh_from_db()
    assert (day_after.status, tulips.status, last_75.status) == (OrderStatus.CONFIRMED,) * 3
    assert (one_too_many.status, one_too_many.cancel_reason) == (OrderStatus.CANCELLED, "out_of_stock")
    allocation_orders = Order.objects.filter(source=Order.Source.PREBOOK).values("id")
    held = Reservation.objects.filter(order_id__in=allocation_orders, status=Reservation.Status.ACTIVE)
    assert sum(r.quantity for r in held) == 900
    assert {s.allocated for s in line_standings(campaign)} == {300}


def commit_at_once(callers: int, work) -> list:
    """Run `work()` on `callers` threads released together; return what each returned
    (or raised)."""
    barrier = threading.Barrier(callers)
    results = [None] * callers

    def call(index):
        try:
            barrier.wait()
            results[index] = work()
        except Exception as exc:  # surfaced by the assertions on `results`
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_staff_committing_at_once_make_each_order_once(roses, three_buyers):
    campaign = make_campaign(skus=[ROSES])
    for partner, quantity in zip(three_buyers, (600, 300, 300)):
        prebook(campaign, partner, {ROSES: quantity})

    outcomes = commit_at_once(2, lambda: run_allocation(campaign="VDAY", dry_run=False, actor="staff"))

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(len(o.order_numbers) for o in outcomes) == [0, 3]
    assert AllocationRun.objects.count() == 1 and Allocation.objects.count() == 3
    assert Order.objects.filter(source=Order.Source.PREBOOK).count() == 3
    assert IdempotencyRecord.objects.filter(key__startswith="campaign:VDAY:").count() == 3
    assert Stock.objects.get(product=roses).reserved == 1000


@pytest.mark.django_db(transaction=True)
def test_two_waitlist_tasks_at_once_serve_each_line_once(roses, three_buyers, warehouses):
    campaign = make_campaign(skus=[ROSES])
    for partner, quantity in zip(three_buyers, (600, 300, 300)):
        prebook(campaign, partner, {ROSES: quantity})
    run_allocation(campaign=campaign, dry_run=False, actor="staff")
    set_on_hand(product=roses, warehouse=warehouses["AMS"], lot="LATE", on_hand=200, expected_version=0, actor="erp")

    runs = commit_at_once(2, serve_waitlists_task)

    assert sorted(runs) == [0, 1]
    assert run_orders(campaign, 2) == {"ALPHA": 100, "BETA": 50, "GAMMA": 50}
    assert AllocationRun.objects.count() == 2
    assert sum(Stock.objects.filter(product=roses).values_list("reserved", flat=True)) == 1200
