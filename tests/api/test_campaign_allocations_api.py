"""The allocation run through the staff API: a dry run answers the fair share and
writes nothing; a commit makes the orders once (committing again makes none); every
line shows what it was allocated over every run, what waits and its place in line;
partners may not run it."""

import pytest

from inventory.models import Reservation, Stock
from inventory.stock_sync import set_on_hand
from orders.models import AllocationRun, Order, OrderStatus, Prebook
from partners.factories import PartnerFactory
from tests.support.api import client_for
from tests.support.campaigns import prebook, ship_to_of, user_named
from tests.support.roles import erp_user

pytestmark = pytest.mark.django_db

ALLOCATIONS = "/api/v1/campaigns/VDAY/allocations/"


@pytest.fixture
def three_prebooks(vday, warehouses, account_buyer, rosa):
    """600, 300 and 300 red roses from FERN, ROSA and TULIPA, in that order, for 1000."""
    tulipa = PartnerFactory(code="TULIPA", home_warehouse=warehouses["RTM"])
    ship_to_of(tulipa)
    return [prebook(vday, partner, {"ROSE-RED": quantity})
            for partner, quantity in ((account_buyer, 600), (rosa, 300), (tulipa, 300))]  # fmt: skip


def lines_of(answer) -> list[tuple]:
    return [
        (line["partner"], line["requested"], line["granted"], line["allocated"], line["waitlisted"],
         line["waitlist_position"])
        for line in answer.json()["lines"]
    ]  # fmt: skip


def test_a_dry_run_answers_the_fair_share_and_writes_nothing(staff_api, three_prebooks):
    answer = staff_api.post(ALLOCATIONS, {"dry_run": True}, format="json")

    assert answer.status_code == 200, answer.json()
    assert (answer.json()["run"], answer.json()["dry_run"], answer.json()["kind"]) == (None, True, "fair_share")
    assert lines_of(answer) == [
        ("FERN", 600, 500, 500, 100, 1),
        ("ROSA", 300, 250, 250, 50, 2),
        ("TULIPA", 300, 250, 250, 50, 3),
    ]
    assert answer.json()["lines"][0]["prebook"] == three_prebooks[0].id
    assert answer.json()["orders"] == []
    assert not Order.objects.exists() and not AllocationRun.objects.exists() and not Reservation.objects.exists()
    assert Stock.objects.get(product__sku="ROSE-RED").reserved == 0


def test_a_commit_makes_each_order_once_and_committing_again_makes_none(staff_api, three_prebooks):
    committed = staff_api.post(ALLOCATIONS, {"dry_run": False}, format="json")
    again = staff_api.post(ALLOCATIONS, {"dry_run": False}, format="json")

    assert committed.status_code == 201, committed.json()
    assert (committed.json()["run"], committed.json()["kind"]) == (1, "fair_share")
    assert lines_of(committed) == [
        ("FERN", 600, 500, 500, 100, 1),
        ("ROSA", 300, 250, 250, 50, 2),
        ("TULIPA", 300, 250, 250, 50, 3),
    ]
    orders = Order.objects.filter(source=Order.Source.PREBOOK)
    assert sorted(committed.json()["orders"]) == sorted(orders.values_list("number", flat=True))
    assert orders.count() == 3 and {o.status for o in orders} == {OrderStatus.INVENTORY_RESERVED}
    assert again.status_code == 200, again.json()
    assert (again.json()["run"], again.json()["orders"], again.json()["kind"]) == (None, [], "waitlist")
    assert [line[3] for line in lines_of(again)] == [500, 250, 250]
    assert Order.objects.count() == 3 and AllocationRun.objects.count() == 1


def test_a_dry_run_after_the_commit_previews_the_waitlist_served_in_line(staff_api, three_prebooks):
    staff_api.post(ALLOCATIONS, {"dry_run": False}, format="json")
    lot = Stock.objects.get(product__sku="ROSE-RED")
    set_on_hand(product=lot.product, warehouse=lot.warehouse, on_hand=1125, expected_version=lot.version, actor="t")

    answer = staff_api.post(ALLOCATIONS, {"dry_run": True}, format="json")

    assert answer.status_code == 200 and answer.json()["kind"] == "waitlist"
    assert lines_of(answer) == [
        ("FERN", 600, 100, 600, 0, None),
        ("ROSA", 300, 25, 275, 25, 1),
        ("TULIPA", 300, 0, 250, 50, 2),
    ]
    assert Order.objects.count() == 3 and AllocationRun.objects.count() == 1


def test_partners_read_their_lines_where_they_stand_after_the_run(fern_api, staff_api, three_prebooks):
    # Placed through the service for FERN's buyer, who sees the pre-books they placed.
    Prebook.objects.filter(id=three_prebooks[0].id).update(placed_by=user_named("fern"))
    staff_api.post(ALLOCATIONS, {"dry_run": False}, format="json")

    (mine,) = fern_api.get("/api/v1/campaigns/VDAY/prebooks/").json()["results"]

    assert mine["lines"] == [
        {
            "sku": "ROSE-RED",
            "quantity": 600,
            "allocated": 500,
            "forfeited": 0,
            "waitlisted": 100,
            "waitlist_position": 1,
        }
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "dry_run"), ({"dry_run": "yes"}, "dry_run"), ({"dry_run": True, "tiers": 2}, "tiers")],
)
def test_a_run_body_that_breaks_the_schema_is_400_and_runs_nothing(staff_api, three_prebooks, body, field):
    answer = staff_api.post(ALLOCATIONS, body, format="json")

    assert answer.status_code == 400, answer.json()
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert not AllocationRun.objects.exists()


def test_an_unknown_campaign_is_404(staff_api, three_prebooks):
    answer = staff_api.post("/api/v1/campaigns/EASTER/allocations/", {"dry_run": True}, format="json")

    assert answer.status_code == 404 and answer.json()["code"] == "campaign_not_found"


def test_partners_and_staff_without_the_permission_may_not_run_it(fern_api, credit_staff_api, three_prebooks):
    by_partner = fern_api.post(ALLOCATIONS, {"dry_run": False}, format="json")
    by_credit_control = credit_staff_api.post(ALLOCATIONS, {"dry_run": True}, format="json")

    assert by_partner.status_code == 403 and by_partner.json()["code"] == "permission_denied"
    assert by_credit_control.status_code == 403 and "orders.run_allocation" in by_credit_control.json()["detail"]
    assert not AllocationRun.objects.exists() and not Order.objects.exists()


def test_the_run_is_recorded_with_the_staff_account_that_committed_it(three_prebooks):
    client_for(erp_user("erp-campaigns")).post(ALLOCATIONS, {"dry_run": False}, format="json")

    assert AllocationRun.objects.get().actor == "erp-campaigns"
