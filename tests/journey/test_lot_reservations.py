"""Reserving from dated lots (docs/DESIGN.md section 11), through the journey's steps:
the freshness boundary, lots arriving later, first-expiring-first within a warehouse
while the home warehouse still comes first, a line split over lots, expired lots, the
product's default rule, and the lot kept through cancel, re-routing and dispatch."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from inventory.models import Reservation, Stock, StockMovement
from journey.steps import finalize, reserve
from orders.cancellation import cancel_order
from orders.dispatch import confirm_dispatch
from orders.models import Order, OrderStatus
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import Partner
from tests.support.journey import place

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def tomorrow() -> datetime.date:
    """The delivery date of these orders: tomorrow on the supplier's clock, which every
    test route serves."""
    return datetime.datetime.now(ZoneInfo("Europe/Amsterdam")).date() + DAY


def lot(warehouse, code, on_hand, *, expires=None, arrives=None) -> dict:
    return {"warehouse": warehouse, "lot": code, "on_hand": on_hand, "expires_on": expires, "available_from": arrives}


def buyer(code, warehouses, *, home="RTM", min_days=None) -> Partner:
    partner = PartnerFactory(
        code=code,
        payment_method=Partner.PaymentMethod.ACCOUNT,
        home_warehouse=warehouses[home],
        credit=None,
        min_days_at_delivery=min_days,
    )
    CreditAccountFactory(partner=partner, credit_limit="100000.00")
    return partner


def reserve_order(partner, lines: dict, date) -> Order:
    order = place(partner, lines, requested_delivery_date=date)
    reserve.reserve_one(order.id)
    order.refresh_from_db()
    return order


def taken(order: Order) -> list[tuple[str, str, int]]:
    """(warehouse, lot, quantity) of the order's active reservations, in the order made."""
    return list(
        Reservation.objects.filter(order_id=order.id, status=Reservation.Status.ACTIVE)
        .order_by("id")
        .values_list("warehouse__code", "lot", "quantity")
    )


def test_a_lot_with_exactly_the_required_days_left_serves_and_one_day_less_does_not(warehouses, make_product, tomorrow):
    rtm = warehouses["RTM"]
    make_product(
        "ROSE-EDGE",
        case_pack=1,
        lots=[lot(rtm, "SHORT", 100, expires=tomorrow + 2 * DAY), lot(rtm, "EXACT", 10, expires=tomorrow + 3 * DAY)],
    )
    florist = buyer("IRIS", warehouses, min_days=3)

    served = reserve_order(florist, {"ROSE-EDGE": 10}, tomorrow)
    refused = reserve_order(florist, {"ROSE-EDGE": 1}, tomorrow)

    assert served.status == OrderStatus.INVENTORY_RESERVED and taken(served) == [("RTM", "EXACT", 10)]
    assert refused.status == OrderStatus.CANCELLED and refused.cancel_reason == "out_of_stock"
    assert "ROSE-EDGE" in refused.cancel_detail and tomorrow.isoformat() in refused.cancel_detail
    assert Stock.objects.get(lot="SHORT").reserved == 0


def test_a_lot_arriving_after_the_delivery_date_waits_for_an_order_dated_on_or_after_it(
    warehouses, make_product, tomorrow
):
    make_product("TULIP-ARR", case_pack=1, lots=[lot(warehouses["RTM"], "AUCTION", 20, arrives=tomorrow + 2 * DAY)])
    florist = buyer("IRIS", warehouses)

    too_early = reserve_order(florist, {"TULIP-ARR": 5}, tomorrow + DAY)
    on_the_day = reserve_order(florist, {"TULIP-ARR": 5}, tomorrow + 2 * DAY)
    after = reserve_order(florist, {"TULIP-ARR": 5}, tomorrow + 3 * DAY)

    assert too_early.cancel_reason == "out_of_stock" and (tomorrow + DAY).isoformat() in too_early.cancel_detail
    assert taken(on_the_day) == [("RTM", "AUCTION", 5)] and taken(after) == [("RTM", "AUCTION", 5)]


def test_within_a_warehouse_the_first_expiring_lot_goes_first_and_lots_that_do_not_perish_last(
    warehouses, make_product, tomorrow
):
    rtm, ams = warehouses["RTM"], warehouses["AMS"]
    make_product(
        "ROSE-FEFO",
        case_pack=1,
        lots=[
            lot(rtm, "LATE", 5, expires=tomorrow + 9 * DAY),
            lot(rtm, "", 5),
            lot(rtm, "EARLY", 5, expires=tomorrow + 4 * DAY),
            # Expiring soonest of all, but not in the home warehouse.
            lot(ams, "AMS-EARLIEST", 100, expires=tomorrow + DAY),
        ],
    )
    fern = buyer("FERN", warehouses, home="RTM")

    first = reserve_order(fern, {"ROSE-FEFO": 8}, tomorrow)
    second = reserve_order(fern, {"ROSE-FEFO": 6}, tomorrow)

    assert taken(first) == [("RTM", "EARLY", 5), ("RTM", "LATE", 3)]
    assert taken(second) == [("RTM", "LATE", 2), ("RTM", "", 4)]
    assert Stock.objects.get(lot="AMS-EARLIEST").reserved == 0


def test_a_line_split_over_two_lots_ships_and_dispatches_from_each(warehouses, make_product, tomorrow):
    rtm = warehouses["RTM"]
    make_product(
        "ROSE-SPLIT",
        case_pack=1,
        lots=[lot(rtm, "A", 6, expires=tomorrow + 5 * DAY), lot(rtm, "B", 10, expires=tomorrow + 7 * DAY)],
    )
    order = reserve_order(buyer("FERN", warehouses), {"ROSE-SPLIT": 9}, tomorrow)
    line = order.lines.get()

    assert list(Reservation.objects.filter(order_line_id=line.id).values_list("lot", "quantity")) == [
        ("A", 6),
        ("B", 3),
    ]
    Order.objects.filter(id=order.id).update(status=OrderStatus.PAID)
    finalize.finalize_one(order.id)
    [shipment] = order.shipments.all()
    assert sorted(shipment.lines.values_list("lot", "quantity")) == [("A", 6), ("B", 3)]

    confirm_dispatch(shipment_id=shipment.id, tracking_number="TRK-1", actor="warehouse")

    assert [(s.lot, s.on_hand, s.reserved) for s in Stock.objects.filter(product__sku="ROSE-SPLIT")] == [
        ("A", 0, 0),
        ("B", 7, 0),
    ]
    dispatched = StockMovement.objects.filter(kind=StockMovement.Kind.DISPATCH, order_id=order.id)
    assert sorted(dispatched.values_list("lot", "on_hand_delta")) == [("A", -6), ("B", -3)]


def test_an_expired_lot_is_never_reserved(warehouses, make_product, tomorrow):
    make_product("ROSE-OLD", case_pack=1, lots=[lot(warehouses["RTM"], "GONE", 100, expires=tomorrow - 2 * DAY)])

    order = reserve_order(buyer("FERN", warehouses, min_days=0), {"ROSE-OLD": 1}, tomorrow)

    assert order.cancel_reason == "out_of_stock" and "ROSE-OLD" in order.cancel_detail
    assert Stock.objects.get(lot="GONE").reserved == 0


def test_a_partner_without_a_rule_gets_the_products_default_and_one_with_a_rule_its_own(
    warehouses, make_product, tomorrow
):
    rtm = warehouses["RTM"]
    make_product(
        "ROSE-DEF",
        case_pack=1,
        min_days_at_delivery=5,
        lots=[lot(rtm, "FOUR", 10, expires=tomorrow + 4 * DAY), lot(rtm, "FIVE", 10, expires=tomorrow + 5 * DAY)],
    )
    no_rule = buyer("THORN", warehouses)
    lenient = buyer("BLOOM", warehouses, min_days=0)

    by_default = reserve_order(no_rule, {"ROSE-DEF": 4}, tomorrow)
    by_own_rule = reserve_order(lenient, {"ROSE-DEF": 4}, tomorrow)

    assert taken(by_default) == [("RTM", "FIVE", 4)]
    assert taken(by_own_rule) == [("RTM", "FOUR", 4)]
    assert Reservation.objects.get(order_id=by_default.id).min_days_at_delivery == 5


def test_cancelling_gives_each_reservation_back_to_the_lot_it_came_from(warehouses, make_product, tomorrow):
    rtm = warehouses["RTM"]
    make_product(
        "ROSE-BACK",
        case_pack=1,
        lots=[lot(rtm, "A", 4, expires=tomorrow + 5 * DAY), lot(rtm, "B", 10, expires=tomorrow + 8 * DAY)],
    )
    order = reserve_order(buyer("FERN", warehouses), {"ROSE-BACK": 7}, tomorrow)
    assert [(s.lot, s.reserved) for s in Stock.objects.filter(product__sku="ROSE-BACK")] == [("A", 4), ("B", 3)]

    cancel_order(order_id=order.id, reason="changed my mind", actor="test")

    assert [(s.lot, s.reserved) for s in Stock.objects.filter(product__sku="ROSE-BACK")] == [("A", 0), ("B", 0)]
    released = StockMovement.objects.filter(kind=StockMovement.Kind.RELEASE, order_id=order.id)
    assert sorted(released.values_list("lot", "reserved_delta")) == [("A", -4), ("B", -3)]


def test_re_routing_from_a_closed_warehouse_takes_lots_by_the_same_rule(warehouses, make_product, tomorrow):
    ams, rtm = warehouses["AMS"], warehouses["RTM"]
    make_product(
        "ROSE-MOVE",
        case_pack=1,
        lots=[
            lot(ams, "HOME", 10, expires=tomorrow + 6 * DAY),
            lot(rtm, "TOO-OLD", 50, expires=tomorrow + 2 * DAY),
            lot(rtm, "FIT-LATER", 50, expires=tomorrow + 9 * DAY),
            lot(rtm, "FIT", 50, expires=tomorrow + 4 * DAY),
        ],
    )
    order = reserve_order(buyer("BLOOM", warehouses, home="AMS", min_days=3), {"ROSE-MOVE": 8}, tomorrow)
    assert taken(order) == [("AMS", "HOME", 8)]
    ams.is_open = False
    ams.save()
    Order.objects.filter(id=order.id).update(status=OrderStatus.PAID)

    finalize.finalize_one(order.id)

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and taken(order) == [("RTM", "FIT", 8)]
    assert Stock.objects.get(lot="HOME").reserved == 0


def test_a_batch_of_orders_ships_each_line_from_the_lots_it_reserved(warehouses, make_product, tomorrow):
    rtm = warehouses["RTM"]
    make_product(
        "ROSE-BATCH",
        case_pack=1,
        lots=[lot(rtm, "A", 4, expires=tomorrow + 5 * DAY), lot(rtm, "B", 10, expires=tomorrow + 8 * DAY)],
    )
    fern = buyer("FERN", warehouses)
    orders = [reserve_order(fern, {"ROSE-BATCH": 3}, tomorrow) for _ in range(2)]
    Order.objects.filter(id__in=[o.id for o in orders]).update(status=OrderStatus.PAID)

    finalize.finalize_batch([o.id for o in orders])

    shipped = [sorted(o.shipments.get().lines.values_list("lot", "quantity")) for o in orders]
    assert shipped == [[("A", 3)], [("A", 1), ("B", 2)]]
