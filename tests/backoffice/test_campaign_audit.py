"""The audit's campaign checks find each kind of broken allocation promise, and nothing
on campaigns committed and served as they should be."""

import io

import pytest
from django.core.management import call_command

from backoffice.audit import run_audit
from inventory.stock_sync import set_on_hand
from orders.campaign_runs import run_allocation, serve_waitlists
from orders.factories import OrderFactory
from orders.models import Allocation, AllocationRun, Order, OrderLine
from partners.factories import PartnerFactory
from tests.support.campaigns import make_campaign, prebook, ship_to_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(warehouses, make_product):
    """VDAY committed: ALPHA 500 of 600 roses and its 50 tulips on one order, BETA and
    GAMMA 250 of 300 roses each."""
    ams = warehouses["AMS"]
    make_product("ROSE-RED", case_pack=25, stock={ams: 1000})
    make_product("TULIP-RED", case_pack=10, stock={ams: 100})
    alpha, beta, gamma = (PartnerFactory(code=code, home_warehouse=ams) for code in ("ALPHA", "BETA", "GAMMA"))
    campaign = make_campaign(skus=["ROSE-RED", "TULIP-RED"])
    prebook(campaign, alpha, {"ROSE-RED": 600, "TULIP-RED": 50})
    prebook(campaign, beta, {"ROSE-RED": 300})
    prebook(campaign, gamma, {"ROSE-RED": 300})
    return run_allocation(campaign=campaign, dry_run=False, actor="staff")


def order_of(code: str) -> Order:
    return Order.objects.get(partner__code=code, source=Order.Source.PREBOOK)


def allocation(code: str, sku: str) -> Allocation:
    return Allocation.objects.get(line__prebook__partner__code=code, line__product__sku=sku)


def campaign_findings() -> dict[str, list[str]]:
    keys = ("over_allocated", "allocation_orders", "allocation_keys", "run_supply", "run_result")
    findings = run_audit(with_stripe=False).findings
    return {key: findings[key] for key in keys if findings[key]}


def test_committed_and_served_campaigns_pass(committed, warehouses):
    rose = committed.campaign.products.get(product__sku="ROSE-RED").product
    set_on_hand(product=rose, warehouse=warehouses["AMS"], lot="LATE", on_hand=60, expected_version=0, actor="erp")
    assert len(serve_waitlists()) == 1

    report = run_audit(with_stripe=False)

    assert report.passed, report.as_dict()
    assert report.counts["allocation_runs"] == 2
    out = io.StringIO()
    call_command("audit", "--no-stripe", stdout=out)
    assert '"allocation_runs": 2' in out.getvalue()


def test_finds_a_line_allocated_beyond_its_request(committed):
    line = allocation("ALPHA", "ROSE-RED")
    Allocation.objects.filter(id=line.id).update(quantity=650)
    OrderLine.objects.filter(order=line.order, product__sku="ROSE-RED").update(quantity=650)

    findings = campaign_findings()

    assert findings.pop("over_allocated") == [
        f"campaign VDAY line {line.line_id} (ALPHA ROSE-RED): requested 600, allocated 650"
    ]
    assert set(findings) == {"run_result"}  # the run recorded 500


def test_finds_an_allocation_order_whose_lines_do_not_hold_it(committed):
    order = order_of("BETA")
    OrderLine.objects.filter(order=order).update(quantity=200)

    assert campaign_findings() == {
        "allocation_orders": [f"order {order.number} ROSE-RED: allocated 250, its lines hold 200"]
    }


def test_finds_allocations_on_an_order_of_another_source_and_a_prebook_order_no_run_made(committed):
    beta = order_of("BETA")
    Order.objects.filter(id=beta.id).update(source=Order.Source.API)
    stray = OrderFactory(partner=beta.partner, source=Order.Source.PREBOOK)

    assert campaign_findings() == {
        "allocation_orders": [
            f"order {beta.number} holds allocations but its source is api",
            f"order {stray.number} has source prebook but no allocation",
        ]
    }


def test_finds_two_orders_for_one_run_and_ship_to(committed):
    first = order_of("ALPHA")
    second = OrderFactory(partner=first.partner, ship_to=ship_to_of(first.partner), source=Order.Source.PREBOOK)
    tulips = allocation("ALPHA", "TULIP-RED")
    Allocation.objects.filter(id=tulips.id).update(order=second)
    OrderLine.objects.filter(order=first, product__sku="TULIP-RED").update(order=second)

    numbers = ", ".join(sorted([first.number, second.number]))
    assert campaign_findings() == {
        "allocation_keys": [f"campaign VDAY run 1 ship-to {first.ship_to_id}: 2 orders {numbers}"]
    }


def test_finds_an_order_holding_allocations_of_two_runs(committed, warehouses):
    rose = committed.campaign.products.get(product__sku="ROSE-RED").product
    set_on_hand(product=rose, warehouse=warehouses["AMS"], lot="LATE", on_hand=25, expected_version=0, actor="erp")
    (served_number,) = serve_waitlists()[0].order_numbers  # ALPHA's, first in line
    served = Order.objects.get(number=served_number)
    first = Order.objects.get(partner=served.partner, po_number="VDAY run 1")
    Allocation.objects.filter(order=served).update(order=first)
    OrderLine.objects.filter(order=first, product__sku="ROSE-RED").update(quantity=525)
    OrderLine.objects.filter(order=served).delete()
    Order.objects.filter(id=served.id).update(source=Order.Source.API)

    assert campaign_findings() == {"allocation_keys": [f"order {first.number} holds allocations of 2 runs"]}


def test_finds_a_run_that_allocated_beyond_the_supply_it_recorded(committed):
    run = AllocationRun.objects.get()
    rose_id = str(committed.campaign.products.get(product__sku="ROSE-RED").product_id)
    run.inputs["products"][rose_id]["supply"] = {days: 900 for days in run.inputs["products"][rose_id]["supply"]}
    run.save(update_fields=["inputs"])

    assert campaign_findings() == {
        "run_supply": ["campaign VDAY run 1: ROSE-RED: allocated 1000 to lines wanting 0+ days, supply 900"]
    }


def test_finds_allocations_that_are_not_the_result_the_run_recorded(committed):
    run = AllocationRun.objects.get()
    gamma = allocation("GAMMA", "ROSE-RED")
    run.result[str(gamma.line_id)] = 0
    run.save(update_fields=["result"])

    assert campaign_findings() == {
        "run_result": ["campaign VDAY run 1: recorded 800 units on 3 lines, its allocations hold 1050 on 4"]
    }
