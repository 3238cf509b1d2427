"""The catalogue promises what the reserve step delivers (issue 17's acceptance): over
random lots (several warehouses, open or closed, arriving and expiring around a base
date or undated, partly reserved), random delivery dates, partner rules and product
defaults, the API catalogue's `available` for (date, partner) is exactly what
inventory.stock.reserve_stock can take for that date and partner: that many reserve,
one more is out of stock. Real database; each example is rolled back."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.exceptions import OutOfStockError
from inventory.factories import StockFactory
from inventory.models import Warehouse
from inventory.routing import Demand
from inventory.stock import OrderDemands, reserve_stock
from partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
BASE = date(2027, 3, 10)


class Rollback(Exception):
    """Raised to undo an example's rows (or a trial reservation) and nothing else."""


def day_near_base(low: int, high: int):
    return st.integers(low, high).map(lambda offset: BASE + timedelta(days=offset))


LOT = st.fixed_dictionaries(
    {
        "warehouse": st.sampled_from(["AMS", "RTM", "LHR"]),
        "available_from": st.none() | day_near_base(-4, 4),
        "expires_on": st.none() | day_near_base(-4, 12),
        "on_hand": st.integers(0, 60),
        "reserved_share": st.floats(0, 1),
    }
)
WORLD = st.fixed_dictionaries(
    {
        "lots": st.lists(LOT, min_size=1, max_size=8),
        "open": st.fixed_dictionaries({code: st.booleans() for code in ("AMS", "RTM", "LHR")}),
        "product_days": st.sampled_from([None, 0, 2, 5]),
        "home": st.sampled_from(["AMS", "RTM", "LHR"]),
        "delivery_dates": st.lists(day_near_base(-3, 5), min_size=1, max_size=3, unique=True),
    }
)
# Each world is asked about for a partner of every rule: "LOTS-" + the rule.
PARTNER_RULES = [None, 0, 3, 7]


def build(world: dict, warehouses: dict, make_product):
    for code, is_open in world["open"].items():
        Warehouse.objects.filter(code=code).update(is_open=is_open)
    product = make_product("ROSE-LOTS", case_pack=1, min_days_at_delivery=world["product_days"])
    for number, lot in enumerate(world["lots"]):
        arrives, expires = lot["available_from"], lot["expires_on"]
        if arrives and expires and expires < arrives:
            # A lot cannot expire before it arrives (a check constraint): the other way round.
            arrives, expires = expires, arrives
        StockFactory(
            product=product,
            warehouse=warehouses[lot["warehouse"]],
            lot=f"L{number}",
            available_from=arrives,
            expires_on=expires,
            on_hand=lot["on_hand"],
            reserved=int(lot["on_hand"] * lot["reserved_share"]),
        )
    partners = [
        PartnerFactory(code=f"LOTS-{days}", home_warehouse=warehouses[world["home"]], min_days_at_delivery=days)
        for days in PARTNER_RULES
    ]
    return product, partners


def reserves(product, partner, delivery_date: date, quantity: int) -> bool:
    """Whether the reserve step takes `quantity` for the partner and date (undone)."""
    order = OrderDemands(
        1,
        (Demand(1, product.id, quantity),),
        partner.home_warehouse_id,
        delivery_date=delivery_date,
        partner_days=partner.min_days_at_delivery,
    )
    try:
        with transaction.atomic():
            reserve_stock(order=order)
            raise Rollback
    except Rollback:
        return True
    except OutOfStockError:
        return False


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=WORLD)
def test_the_catalogues_available_is_what_the_reserve_step_takes(staff_api, warehouses, make_product, world):
    with time_machine.travel(TODAY, tick=False):
        try:
            with transaction.atomic():
                product, partners = build(world, warehouses, make_product)
                for partner in partners:
                    for day in world["delivery_dates"]:
                        answer = staff_api.get(
                            "/api/v1/products/ROSE-LOTS/", {"delivery_date": day.isoformat(), "partner": partner.code}
                        )
                        assert answer.status_code == 200, answer.json()
                        available = answer.json()["available"]

                        assert reserves(product, partner, day, available), (partner.code, day, available)
                        assert not reserves(product, partner, day, available + 1), (partner.code, day, available)
                raise Rollback
        except Rollback:
            pass
