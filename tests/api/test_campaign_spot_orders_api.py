"""Orders through POST /api/v1/orders/ around a campaign: its products on its date are
pre-book only until the first committed run (422 naming the campaign and its pre-book
page), then sell from what is left; other dates and other products are never
affected."""

import datetime

import pytest

from inventory.models import Reservation
from orders.campaign_runs import run_allocation
from orders.models import Order, OrderStatus
from tests.support.campaigns import prebook
from tests.support.journey import drive_journey

pytestmark = pytest.mark.django_db


def order(api, vday, lines: dict, *, days_later: int = 0, key: str = "spot-1"):
    body = {
        "requested_delivery_date": (vday.delivery_date + datetime.timedelta(days=days_later)).isoformat(),
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines.items()],
    }
    return api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_campaign_product_on_its_date_is_pre_book_only_naming_the_campaign(fern_api, vday):
    answer = order(fern_api, vday, {"GERBERA": 10, "ROSE-RED": 100})

    assert answer.status_code == 422, answer.json()
    body = answer.json()
    assert (body["code"], body["campaign"], body["prebook_url"]) == (
        "campaign_prebook_only",
        "VDAY",
        "/campaigns/VDAY/",
    )
    assert [(e["line"], e["sku"], e["code"]) for e in body["errors"]] == [(2, "ROSE-RED", "campaign_prebook_only")]
    assert "VDAY" in body["detail"] and "/campaigns/VDAY/" in body["detail"]
    assert not Order.objects.exists()


def test_other_dates_and_other_products_are_never_affected(fern_api, vday):
    day_after = order(fern_api, vday, {"ROSE-RED": 100}, days_later=1)
    day_before = order(fern_api, vday, {"ROSE-RED": 100}, days_later=-1, key="spot-2")
    other_product = order(fern_api, vday, {"GERBERA": 10}, key="spot-3")

    assert [a.status_code for a in (day_after, day_before, other_product)] == [202, 202, 202]


def test_after_the_first_commit_the_date_sells_from_what_is_left(
    fern_api, vday, account_buyer, django_capture_on_commit_callbacks
):
    prebook(vday, account_buyer, {"ROSE-RED": 600})
    refused = order(fern_api, vday, {"ROSE-RED": 400})
    with django_capture_on_commit_callbacks(execute=True):  # intake's cache learns of the run
        committed = run_allocation(campaign=vday, dry_run=False)

    accepted = order(fern_api, vday, {"ROSE-RED": 400}, key="spot-2")
    beyond = order(fern_api, vday, {"ROSE-RED": 50}, key="spot-3")
    drive_journey()

    assert refused.status_code == 422 and refused.json()["code"] == "campaign_prebook_only"
    assert (accepted.status_code, beyond.status_code) == (202, 202), beyond.json()
    assert Order.objects.get(number=accepted.json()["number"]).status == OrderStatus.CONFIRMED
    # Nothing is left for the second: it cannot take the allocation's units.
    assert Order.objects.get(number=beyond.json()["number"]).status == OrderStatus.CANCELLED
    (allocation_order,) = committed.order_numbers
    allocation_order_id = Order.objects.get(number=allocation_order).id
    held = Reservation.objects.filter(order_id=allocation_order_id).values_list("quantity", flat=True)
    assert sum(held) == 600
