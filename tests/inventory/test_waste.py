"""Writing off what expired unsold (inventory.waste) on each warehouse's own clock, and
the waste by product and ISO week at list price (docs/DESIGN.md section 11)."""

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_q.models import Schedule

from inventory.models import Stock, StockMovement
from inventory.routing import Demand
from inventory.stock import OrderDemands, reserve_stock
from inventory.tasks import expire_lots_task
from inventory.waste import waste_by_product_and_week, waste_weeks, write_off_expired_lots

pytestmark = pytest.mark.django_db

AMSTERDAM, LONDON = ZoneInfo("Europe/Amsterdam"), ZoneInfo("Europe/London")
LAST_DAY = date(2027, 2, 9)  # a Tuesday


@pytest.fixture
def roses(warehouses, make_product):
    """Lots whose last day is LAST_DAY at AMS (100) and at LHR (60), one lasting a day
    longer at AMS (40), and stock without dates (500)."""
    ams, lhr = warehouses["AMS"], warehouses["LHR"]
    return make_product(
        "ROS-RED-50",
        list_price=Decimal("0.45"),
        stock={ams: 500},
        lots=[
            {"warehouse": ams, "lot": "AMS-OLD", "on_hand": 100, "expires_on": LAST_DAY},
            {"warehouse": ams, "lot": "AMS-NEXT", "on_hand": 40, "expires_on": date(2027, 2, 10)},
            {"warehouse": lhr, "lot": "LHR-OLD", "on_hand": 60, "expires_on": LAST_DAY},
        ],
    )


def lot(code: str) -> Stock:
    return Stock.objects.get(lot=code)


def expiries() -> list[tuple[str, int]]:
    return list(StockMovement.objects.filter(kind="expiry").order_by("id").values_list("lot", "on_hand_delta"))


def test_a_lot_is_written_off_after_midnight_on_its_warehouses_clock(roses):
    # 00:30 in Amsterdam is still 23:30 on the 9th in London.
    with time_machine.travel(datetime(2027, 2, 10, 0, 30, tzinfo=AMSTERDAM), tick=False):
        written = write_off_expired_lots()

    assert [(w.lot, w.units) for w in written] == [("AMS-OLD", 100)]
    assert expiries() == [("AMS-OLD", -100)]
    assert (lot("AMS-OLD").on_hand, lot("AMS-OLD").version) == (0, 2)
    assert (lot("LHR-OLD").on_hand, lot("AMS-NEXT").on_hand, lot("").on_hand) == (60, 40, 500)

    with time_machine.travel(datetime(2027, 2, 9, 23, 59, tzinfo=LONDON), tick=False):
        assert write_off_expired_lots() == []
    with time_machine.travel(datetime(2027, 2, 10, 0, 0, tzinfo=LONDON), tick=False):
        assert [(w.lot, w.units) for w in write_off_expired_lots()] == [("LHR-OLD", 60)]
    assert lot("LHR-OLD").on_hand == 0


def test_a_lot_on_its_last_day_is_kept(roses):
    assert write_off_expired_lots(now=datetime(2027, 2, 9, 23, 59, tzinfo=AMSTERDAM)) == []
    assert lot("AMS-OLD").on_hand == 100


def test_a_second_run_writes_nothing(roses):
    moment = datetime(2027, 2, 11, 9, 0, tzinfo=AMSTERDAM)
    first = write_off_expired_lots(now=moment)

    assert write_off_expired_lots(now=moment) == []
    assert len(first) == 3 and len(expiries()) == 3
    assert lot("AMS-OLD").version == 2


def test_reserved_units_stay_for_their_order(roses, warehouses):
    with time_machine.travel(datetime(2027, 2, 8, 10, 0, tzinfo=AMSTERDAM), tick=False):
        reserved = reserve_stock(
            order=OrderDemands(
                1, (Demand(1, roses.id, 30),), warehouses["AMS"].id, delivery_date=LAST_DAY, partner_days=0
            )
        )
    assert [(r.lot, r.quantity) for r in reserved] == [("AMS-OLD", 30)]

    write_off_expired_lots(now=datetime(2027, 2, 10, 9, 0, tzinfo=AMSTERDAM))

    kept = lot("AMS-OLD")
    assert (kept.on_hand, kept.reserved) == (30, 30)
    assert ("AMS-OLD", -70) in expiries()


def test_the_command_writes_off_and_is_safe_to_run_again(roses):
    with time_machine.travel(datetime(2027, 2, 12, 8, 0, tzinfo=AMSTERDAM), tick=False):
        first, again = StringIO(), StringIO()
        call_command("expire_lots", stdout=first)
        call_command("expire_lots", stdout=again)

    assert (json.loads(first.getvalue())["lots"], json.loads(first.getvalue())["units"]) == (3, 200)
    assert json.loads(again.getvalue())["lots"] == 0
    assert StockMovement.objects.filter(kind="expiry").values_list("actor", flat=True).distinct().get() == (
        "expire_lots command"
    )


def test_the_write_off_runs_every_hour_as_a_schedule_made_by_a_migration(roses):
    schedule = Schedule.objects.get(name="bouquet-expire-lots")
    assert (schedule.func, schedule.schedule_type, schedule.repeats) == ("inventory.tasks.expire_lots_task", "H", -1)

    with time_machine.travel(datetime(2027, 2, 12, 8, 0, tzinfo=AMSTERDAM), tick=False):
        assert expire_lots_task() == {"lots": 3, "units": 200}


# --- the report ------------------------------------------------------------------------------


def test_waste_is_summed_by_product_and_iso_week_at_list_price(roses, warehouses, make_product):
    tulips = make_product(
        "TUL-YEL-10",
        list_price=Decimal("0.30"),
        lots=[{"warehouse": warehouses["AMS"], "lot": "T1", "on_hand": 25, "expires_on": date(2027, 2, 14)}],
    )
    # Week 6 ends Sunday 14 February: AMS-OLD and LHR-OLD go on Wednesday the 10th,
    # AMS-NEXT on Thursday; the tulips on Monday the 15th, in week 7.
    for moment in (datetime(2027, 2, 10, 6, 0), datetime(2027, 2, 11, 6, 0), datetime(2027, 2, 15, 6, 0)):
        with time_machine.travel(moment.replace(tzinfo=AMSTERDAM), tick=False):
            write_off_expired_lots()

    rows = waste_by_product_and_week(date(2027, 2, 8), date(2027, 2, 21))

    assert [(r.iso_week, r.sku, r.quantity, r.value) for r in rows] == [
        ("2027-W06", "ROS-RED-50", 200, Decimal("90.00")),
        ("2027-W07", "TUL-YEL-10", 25, Decimal("7.50")),
    ]
    assert rows[0].week == date(2027, 2, 8) and tulips.sku == rows[1].sku
    assert waste_by_product_and_week(date(2027, 2, 15), date(2027, 2, 21))[0].sku == "TUL-YEL-10"
    assert waste_by_product_and_week(date(2027, 2, 1), date(2027, 2, 7)) == []


def test_the_weeks_shown_end_today_and_start_on_a_monday():
    assert waste_weeks(8, today=date(2027, 2, 10)) == (date(2026, 12, 21), date(2027, 2, 10))
    assert waste_weeks(1, today=date(2027, 2, 14)) == (date(2027, 2, 8), date(2027, 2, 14))


@pytest.mark.parametrize(
    ("last_day", "offset"),
    [
        pytest.param(date(2027, 3, 28), "+02:00", id="the day the clocks go forward"),
        pytest.param(date(2027, 10, 31), "+01:00", id="the day the clocks go back"),
    ],
)
def test_a_lot_lasts_its_whole_last_day_when_the_clocks_change(warehouses, make_product, last_day, offset):
    """A 23- or 25-hour last day: the lot is still there a minute before local midnight
    and gone a minute after, whatever the UTC offset did during the day."""
    lots = [{"warehouse": warehouses["AMS"], "lot": "DST", "on_hand": 30, "expires_on": last_day}]
    make_product("TUL-DST", lots=lots)
    next_midnight = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=AMSTERDAM)
    assert next_midnight.isoformat().endswith(offset)
    minute = timedelta(minutes=1)

    with time_machine.travel(next_midnight - minute, tick=False):
        assert write_off_expired_lots() == []
    with time_machine.travel(next_midnight + minute, tick=False):
        assert [(w.lot, w.units) for w in write_off_expired_lots()] == [("DST", 30)]
