"""Intake counts an order at its door once it is committed (config/metrics.py): not a
replay, not a refusal, not an order its caller's transaction rolled back. These tests
commit for real, as on_commit is what they are about."""

import time
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import transaction

from config import intake_minutes
from orders.campaign_runs import run_allocation
from orders.exceptions import OrderValidationError
from orders.intake import place_order
from orders.models import Order
from partners.factories import PartnerFactory
from tests.support.campaigns import make_campaign, prebook
from tests.support.metrics import counted

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROSE", stock={warehouses["AMS"]: 1000}, case_pack=20, list_price="0.50")


def accepted(door: str) -> float:
    return counted("bouquet_orders_accepted_total", door=door)


def timed(door: str) -> float:
    return counted("bouquet_intake_duration_seconds_count", door=door)


def test_an_accepted_order_counts_once_at_its_door_with_its_intake_time(account_buyer, roses):
    before = {door: (accepted(door), timed(door)) for door in ("api", "portal", "csv")}

    place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="one")
    place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], source=Order.Source.PORTAL)
    place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], source=Order.Source.PORTAL)

    after = {door: (accepted(door), timed(door)) for door in ("api", "portal", "csv")}
    assert {door: (a - before[door][0], t - before[door][1]) for door, (a, t) in after.items()} == {
        "api": (1, 1),
        "portal": (2, 2),
        "csv": (0, 0),
    }


def test_a_replay_and_a_refusal_are_not_accepted(account_buyer, roses):
    place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="once")
    before = (accepted("api"), timed("api"))

    replay = place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="once")
    with pytest.raises(OrderValidationError):
        place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 7}], idempotency_key="refused")

    assert replay.replayed
    assert (accepted("api"), timed("api")) == before


def test_an_order_its_callers_transaction_rolls_back_is_not_accepted(account_buyer, roses):
    before = accepted("csv")

    with pytest.raises(RuntimeError), transaction.atomic():
        place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], source=Order.Source.CSV)
        raise RuntimeError("the file is all or nothing, and a later row failed")

    assert not Order.objects.exists()
    assert accepted("csv") == before


def test_a_campaigns_allocation_orders_count_at_the_campaign_door(warehouses, make_product):
    make_product("ROSE-RED", case_pack=25, stock={warehouses["AMS"]: 700})
    campaign = make_campaign(skus=["ROSE-RED"])
    for code in ("BETA", "GAMMA"):
        prebook(campaign, PartnerFactory(code=code, home_warehouse=warehouses["AMS"]), {"ROSE-RED": 100})
    before = (accepted("campaign"), timed("campaign"))

    run_allocation(campaign=campaign, dry_run=True)
    run_allocation(campaign=campaign, dry_run=False)

    assert (accepted("campaign"), timed("campaign")) == (before[0] + 2, before[1])


def api_answers_in(minute: int) -> int:
    counts = intake_minutes.minute_counts([minute]).get(minute, {})
    return sum(count for field, count in counts.items() if field.startswith("api:"))


def test_an_accepted_order_reaches_the_back_offices_minute_of_intake(account_buyer, roses):
    with time_machine.travel(datetime(2027, 2, 13, 7, 0, 10, tzinfo=UTC), tick=False):
        minute = int(time.time()) // 60 * 60
        intake_minutes.flush()
        before = api_answers_in(minute)

        place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="minute")
        intake_minutes.flush()

        assert api_answers_in(minute) == before + 1
