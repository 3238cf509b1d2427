"""The event feed per partner: each event carries its order's partner, a partner's feed
walks that partner's own index from its cursor, and a cursor is looked up among the
caller's own events."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.exceptions import OrderError
from orders.factories import OrderEventFactory, OrderFactory
from orders.intake import place_order
from orders.models import OrderEvent, OrderStatus
from orders.selectors import event_feed
from orders.transitions import transition, transition_many
from partners.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_event_carries_its_orders_partner(account_buyer, make_product, warehouses):
    make_product("ROSE", stock={warehouses["AMS"]: 100}, case_pack=1, list_price="1.00")
    placed = place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 1}]).order
    others = OrderFactory.create_batch(2)

    transition(placed, OrderStatus.CANCELLED, reason="customer")
    transition_many(others, OrderStatus.INVENTORY_RESERVED)

    assert sorted(OrderEvent.objects.values_list("order__partner_id", "partner_id")) == sorted(
        [(account_buyer.id, account_buyer.id)] * 2 + [(o.partner_id, o.partner_id) for o in others]
    )


def served_events(partner, tx_ids: range) -> list[OrderEvent]:
    # Events of transactions long ended (small transaction ids), so the feed serves them
    # from inside the test's own transaction.
    order = OrderFactory(partner=partner)
    return [OrderEventFactory(order=order, tx_id=tx_id) for tx_id in tx_ids]


def test_a_partner_never_sees_another_partners_events_and_staff_see_all():
    fern, rosa = PartnerFactory.create_batch(2)
    fern_events, rosa_events = served_events(fern, range(1, 4)), served_events(rosa, range(2, 5))

    assert [e.id for e in event_feed(partner=fern, after=0, limit=10)] == [e.id for e in fern_events]
    from_cursor = event_feed(partner=rosa, after=rosa_events[0].id, limit=10)
    assert [e.id for e in from_cursor] == [e.id for e in rosa_events[1:]]
    every = event_feed(partner=None, after=0, limit=10)
    assert sorted(e.id for e in every) == sorted(e.id for e in fern_events + rosa_events)


def test_another_partners_event_is_no_cursor_for_a_partner_but_is_for_staff():
    fern, rosa = PartnerFactory.create_batch(2)
    fern_events = served_events(fern, range(1, 3))
    rosa_event = served_events(rosa, range(1, 2))[0]

    with pytest.raises(OrderError) as refused:
        event_feed(partner=fern, after=rosa_event.id, limit=10)

    assert refused.value.code == "invalid_cursor"
    assert str(rosa_event.id) in str(refused.value)  # the same answer as for an id never written
    assert [e.id for e in event_feed(partner=None, after=rosa_event.id, limit=10)] == [fern_events[1].id]


def index_names(plan: dict) -> set[str]:
    names = {plan["Index Name"]} if "Index Name" in plan else set()
    for child in plan.get("Plans", []):
        names |= index_names(child)
    return names


def add_busy_partners_events(busy) -> None:
    """Twenty thousand events of another partner: what the feed walked through before
    each event knew its partner."""
    busy_order = OrderFactory(partner=busy)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO orders_orderevent (order_id, partner_id, from_status, to_status, reason, detail, actor,
                                             tx_id)
               SELECT %s, %s, '', 'CREATED', '', '', '', 100 + n FROM generate_series(1, 20000) AS n""",
            [busy_order.id, busy.id],
        )
        cursor.execute("ANALYZE orders_orderevent")


def feed_plan(**feed) -> dict:
    with CaptureQueriesContext(connection) as queries:
        event_feed(**feed)
    feed_sql = next(q["sql"] for q in queries if "pg_snapshot_xmin" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + feed_sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]


def test_a_quiet_partners_feed_from_an_old_cursor_walks_its_own_index():
    quiet, busy = PartnerFactory.create_batch(2)
    old = served_events(quiet, range(10, 12))[0]
    add_busy_partners_events(busy)

    plan = feed_plan(partner=quiet, after=old.id, limit=100)

    assert "order_event_partner_feed" in index_names(plan), plan


def test_a_buyers_feed_holds_their_own_orders_events_only_and_still_walks_the_partners_index():
    partner, busy = PartnerFactory.create_batch(2)
    buyer, colleague = UserFactory.create_batch(2)
    mine = OrderEventFactory(order=OrderFactory(partner=partner, placed_by=buyer), tx_id=10)
    theirs = OrderEventFactory(order=OrderFactory(partner=partner, placed_by=colleague), tx_id=11)
    add_busy_partners_events(busy)

    served = event_feed(partner=partner, placed_by=buyer, after=0, limit=10)
    with pytest.raises(OrderError) as refused:
        event_feed(partner=partner, placed_by=buyer, after=theirs.id, limit=10)

    assert [e.id for e in served] == [mine.id]
    assert refused.value.code == "invalid_cursor"
    assert "order_event_partner_feed" in index_names(
        feed_plan(partner=partner, placed_by=buyer, after=mine.id, limit=100)
    )
