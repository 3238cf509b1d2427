"""The home page's "Order within 2 h 10 min for delivery tomorrow (Tue 1 Dec)" and the date
picker's labels, with a controlled clock: on a route's own promise (the demo routes),
across both daylight-saving changes in Amsterdam, and for a London route beside an
Amsterdam one. 30 Nov 2026 is a Monday."""

from datetime import date, datetime

import pytest
import time_machine

from fulfillment.promise import DeliveryOption, delivery_promise
from orders.delivery import delivery_promise_for
from portal.delivery_dates import home_promise
from portal.promise_text import option_label, order_within_text, time_left_text
from tests.support.routes import AMSTERDAM, LONDON, amsterdam, put_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_routes(account_buyer, ship_tos, warehouses):
    """FERN's default address on AMS-NL, its market stall on LHR-UK."""
    put_on("AMS-NL", warehouses, ship_tos[0])
    put_on("LHR-UK", warehouses, ship_tos[1])
    return account_buyer


def promise_at(partner, now, address=None):
    with time_machine.travel(now, tick=False):
        return home_promise(partner=partner), delivery_promise_for(
            partner=partner, address_id=address.id if address else None, now=now
        )


@pytest.mark.parametrize(
    ("now", "text"),
    [
        pytest.param(
            amsterdam(2026, 11, 30, 11, 50),
            "Order within 2 h 10 min for delivery tomorrow (Tue 1 Dec)",
            id="2 h 10 min",
        ),
        pytest.param(
            amsterdam(2026, 11, 30, 13, 15), "Order within 45 min for delivery tomorrow (Tue 1 Dec)", id="under an hour"
        ),
        pytest.param(
            amsterdam(2026, 11, 30, 13, 59, 59),
            "Order within less than a minute for delivery tomorrow (Tue 1 Dec)",
            id="the last second",
        ),
        pytest.param(
            amsterdam(2026, 11, 30, 14, 0),
            "Order within 1 day for delivery on Wed 2 Dec",
            id="at 14:00 tomorrow is gone",
        ),
        pytest.param(
            amsterdam(2026, 12, 5, 15, 0),
            "Order within 23 h for delivery on Mon 7 Dec",
            id="over a Sunday the route skips",
        ),
        # Sat 24 Oct 15:00 CEST to Sun 25 Oct 14:00 CET is 24 hours, though the wall clock says 23.
        pytest.param(
            amsterdam(2026, 10, 24, 15, 0), "Order within 1 day for delivery on Mon 26 Oct", id="last Sunday of October"
        ),
        # Sat 28 Mar 15:00 CET to Sun 29 Mar 14:00 CEST is 22 hours, though the wall clock says 23.
        pytest.param(
            amsterdam(2026, 3, 28, 15, 0), "Order within 22 h for delivery on Mon 30 Mar", id="last Sunday of March"
        ),
        pytest.param(
            amsterdam(2026, 3, 29, 1, 30),
            "Order within 11 h 30 min for delivery tomorrow (Mon 30 Mar)",
            id="during the March change",
        ),
    ],
)
def test_the_home_page_promise_counts_real_time_to_the_order_by_moment(on_routes, now, text):
    said, _ = promise_at(on_routes, now)

    assert said == text


def test_a_london_route_counts_to_its_own_clock_and_names_its_zone(on_routes, ship_tos):
    # Sun 29 Nov 09:50 in Amsterdam is 08:50 in London; LHR-UK takes orders for Tue 1 Dec until 10:00 GMT.
    now = amsterdam(2026, 11, 29, 9, 50)

    _, london = promise_at(on_routes, now, ship_tos[1])
    _, dutch = promise_at(on_routes, now, ship_tos[0])

    first = london.options[0]
    assert first.order_by.isoformat() == "2026-11-29T10:00:00+00:00"
    assert order_within_text(first, now) == "Order within 1 h 10 min for delivery on Tue 1 Dec"
    assert option_label(first) == "Tue 1 Dec — order by Sun 29 Nov, 10:00 GMT"
    assert option_label(dutch.options[0]) == "Mon 30 Nov — order by Sun 29 Nov, 14:00"


def test_a_london_route_in_summer_says_bst():
    option = DeliveryOption(date(2026, 7, 3), datetime(2026, 7, 1, 10, 0, tzinfo=LONDON))

    assert option_label(option) == "Fri 3 Jul — order by Wed 1 Jul, 10:00 BST"


def test_today_is_the_warehouses_today():
    # 23:30 in London is already Tuesday in Amsterdam; a same-day London delivery is still today there.
    now = datetime(2026, 11, 30, 23, 30, tzinfo=LONDON)
    option = DeliveryOption(date(2026, 11, 30), datetime(2026, 11, 30, 23, 45, tzinfo=LONDON))

    assert order_within_text(option, now) == "Order within 15 min for delivery today (Mon 30 Nov)"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (59, "less than a minute"),
        (60, "1 min"),
        (3599, "59 min"),
        (3600, "1 h"),
        (7830, "2 h 10 min"),
        (90000, "1 day 1 h"),
        (172800, "2 days"),
    ],
)
def test_time_left_rounds_down_to_whole_minutes(seconds, text):
    now = amsterdam(2026, 11, 30, 12, 0)

    assert time_left_text(now, datetime.fromtimestamp(now.timestamp() + seconds, tz=AMSTERDAM)) == text


def test_no_promise_is_said_without_a_route(account_buyer, ship_tos):
    account_buyer.home_warehouse = None  # no home route to serve an address without its own
    account_buyer.save(update_fields=["home_warehouse"])
    ship_tos[0].route = None
    ship_tos[0].save(update_fields=["route"])
    for address in ship_tos[1:]:
        address.delete()

    assert home_promise(partner=account_buyer) is None


def test_the_label_is_the_promise_option_worded(on_routes, ship_tos):
    _, promise = promise_at(on_routes, amsterdam(2026, 11, 30, 11, 50), ship_tos[0])
    same = delivery_promise(calendar=promise.route, now=amsterdam(2026, 11, 30, 11, 50))

    assert [option_label(o) for o in promise.options[:3]] == [
        "Tue 1 Dec — order by Mon 30 Nov, 14:00",
        "Wed 2 Dec — order by Tue 1 Dec, 14:00",
        "Thu 3 Dec — order by Wed 2 Dec, 14:00",
    ]
    assert promise.options == same.options
    assert promise.options[0].order_by.tzinfo == AMSTERDAM
