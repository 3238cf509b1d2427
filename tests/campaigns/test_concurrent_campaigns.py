"""Campaign concurrency claims, with real threads against the real database: caps hold
when a partner's users pre-book at once, and two staff committing at once make each
order once."""

import threading

import pytest
from django.db import connections

from orders.campaign_runs import run_allocation
from orders.exceptions import PrebookCapExceededError
from orders.models import Campaign, IdempotencyRecord, Order, PrebookLine
from orders.prebooks import place_prebook
from partners.factories import PartnerFactory, ShipToAddressFactory
from tests.support.campaigns import make_campaign, prebook, ship_to_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def all_at_once(*calls) -> list:
    """Start every call on its own thread behind one barrier; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # collected for the test to assert on
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_pre_books_that_together_pass_the_cap_let_exactly_one_through(warehouses, make_product, attempt):
    make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 1000})
    campaign = make_campaign(caps={"ROSE-RED": 600})
    florist = PartnerFactory(code="ALPHA", home_warehouse=warehouses["AMS"])
    shops = [ship_to_of(florist), ShipToAddressFactory(partner=florist)]

    def book(shop):
        return lambda: place_prebook(
            campaign=campaign, partner=florist, ship_to=shop, lines=[{"sku": "ROSE-RED", "quantity": 400}]
        )

    results = all_at_once(book(shops[0]), book(shops[1]))

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert [type(r) for r in results if isinstance(r, Exception)] == [PrebookCapExceededError]
    assert sum(PrebookLine.objects.values_list("quantity", flat=True)) == 400


def test_two_staff_committing_at_once_make_each_order_once(warehouses, make_product):
    make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 1000})
    campaign = make_campaign(skus=["ROSE-RED"])
    for code, quantity in (("ALPHA", 600), ("BETA", 300), ("GAMMA", 300)):
        prebook(campaign, PartnerFactory(code=code, home_warehouse=warehouses["AMS"]), {"ROSE-RED": quantity})

    results = all_at_once(*[lambda: run_allocation(campaign="VDAY", dry_run=False, actor="staff")] * 2)

    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(len(r.order_numbers) for r in results) == [0, 3]
    assert Order.objects.filter(source="prebook").count() == 3
    keys = IdempotencyRecord.objects.filter(key__startswith="campaign:VDAY:run:")
    assert sorted(k.key.rsplit(":", 1)[0] for k in keys) == ["campaign:VDAY:run:1:ship-to"] * 3


def test_two_first_saves_of_one_new_campaign_code_make_one_campaign(warehouses, make_product):
    make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 1000})

    results = all_at_once(*[lambda: make_campaign("MDAY", skus=["ROSE-RED"])] * 2)

    assert not [r for r in results if isinstance(r, Exception)]
    assert Campaign.objects.filter(code="MDAY").count() == 1
