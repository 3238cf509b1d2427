"""Pre-books through their service (orders.prebooks): the caps across ship-tos and
users, the window to the second, changes and withdrawals, replays, and each kind of
bad input, refused with nothing written."""

import datetime

import pytest
import time_machine

from orders.exceptions import (
    IdempotencyKeyReusedError,
    InvalidPrebookError,
    PrebookCapExceededError,
    PrebookNotFoundError,
    PrebookWindowClosedError,
)
from orders.models import Prebook, PrebookLine
from orders.prebooks import change_prebook, place_prebook, withdraw_prebook
from partners.factories import PartnerFactory, ShipToAddressFactory
from tests.support.campaigns import make_campaign, prebook, ship_to_of

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def world(warehouses, make_product):
    make_product("ROSE-RED", case_pack=25, min_order_qty=50, stock={warehouses["AMS"]: 1000})
    make_product("TULIP-RED", case_pack=10, stock={warehouses["AMS"]: 500})
    make_product("POT-12", case_pack=1, stock={warehouses["AMS"]: 50})
    campaign = make_campaign(caps={"ROSE-RED": 600}, skus=["TULIP-RED"])
    florist = PartnerFactory(code="ALPHA", home_warehouse=warehouses["AMS"])
    ship_to_of(florist)  # its default address, which a pre-book naming none ships to
    return campaign, florist


def lines(**quantities):
    return [{"sku": sku.replace("_", "-"), "quantity": q} for sku, q in quantities.items()]


def test_the_cap_counts_every_open_pre_book_of_the_partner_across_ship_tos(world):
    campaign, florist = world
    shop, other_shop = ship_to_of(florist), ShipToAddressFactory(partner=florist)
    prebook(campaign, florist, {"ROSE-RED": 400}, ship_to=shop)
    prebook(campaign, florist, {"ROSE-RED": 175}, ship_to=other_shop)

    with pytest.raises(PrebookCapExceededError) as refused:
        prebook(campaign, florist, {"ROSE-RED": 50})

    assert refused.value.errors[0] | {"detail": ""} == {
        "line": 1,
        "sku": "ROSE-RED",
        "code": "prebook_cap_exceeded",
        "cap": 600,
        "left": 25,
        "detail": "",
    }
    assert "25 are left" in refused.value.message
    assert PrebookLine.objects.count() == 2


def test_one_stem_past_the_cap_is_refused_and_exactly_the_cap_is_taken(world):
    campaign, florist = world
    with pytest.raises(PrebookCapExceededError):
        prebook(campaign, florist, {"ROSE-RED": 625})
    assert prebook(campaign, florist, {"ROSE-RED": 600}).lines.get().quantity == 600
    assert not campaign.products.get(product__sku="TULIP-RED").cap_per_partner


def test_a_withdrawn_pre_book_no_longer_counts_against_the_cap(world):
    campaign, florist = world
    first = prebook(campaign, florist, {"ROSE-RED": 600})
    withdraw_prebook(campaign=campaign, prebook_id=first.id, partner=florist)
    assert prebook(campaign, florist, {"ROSE-RED": 600}).lines.get().quantity == 600


def test_a_change_is_checked_against_the_cap_without_its_own_old_lines(world):
    campaign, florist = world
    booked = prebook(campaign, florist, {"ROSE-RED": 500})
    change_prebook(campaign=campaign, prebook_id=booked.id, partner=florist, lines=lines(ROSE_RED=600, TULIP_RED=30))
    assert dict(booked.lines.values_list("product__sku", "quantity")) == {"ROSE-RED": 600, "TULIP-RED": 30}
    with pytest.raises(PrebookCapExceededError):
        change_prebook(campaign=campaign, prebook_id=booked.id, partner=florist, lines=lines(ROSE_RED=625))


def test_the_window_is_open_from_opens_at_until_closes_at_to_the_second(world):
    campaign, florist = world
    with time_machine.travel(campaign.closes_at, tick=False):
        booked = prebook(campaign, florist, {"TULIP-RED": 10})
    with time_machine.travel(campaign.closes_at + SECOND, tick=False):
        with pytest.raises(PrebookWindowClosedError) as refused:
            prebook(campaign, florist, {"TULIP-RED": 10})
        with pytest.raises(PrebookWindowClosedError):
            change_prebook(campaign=campaign, prebook_id=booked.id, partner=florist, lines=lines(TULIP_RED=20))
        with pytest.raises(PrebookWindowClosedError):
            withdraw_prebook(campaign=campaign, prebook_id=booked.id, partner=florist)
    with time_machine.travel(campaign.opens_at - SECOND, tick=False):
        with pytest.raises(PrebookWindowClosedError):
            prebook(campaign, florist, {"TULIP-RED": 10})
    assert refused.value.code == "prebook_window_closed" and "closed at" in refused.value.message
    assert Prebook.objects.get().lines.get().quantity == 10


def test_a_replayed_key_answers_the_first_pre_book_and_another_body_under_it_is_refused(world):
    campaign, florist = world
    first = place_prebook(
        campaign=campaign, partner=florist, lines=lines(TULIP_RED=10), idempotency_key="k1", fingerprint="f1"
    )
    again = place_prebook(
        campaign=campaign, partner=florist, lines=lines(TULIP_RED=10), idempotency_key="k1", fingerprint="f1"
    )
    assert again.replayed and again.prebook.id == first.prebook.id
    with pytest.raises(IdempotencyKeyReusedError):
        place_prebook(
            campaign=campaign, partner=florist, lines=lines(TULIP_RED=20), idempotency_key="k1", fingerprint="f2"
        )
    assert Prebook.objects.count() == 1


@pytest.mark.parametrize(
    ("bad_lines", "code"),
    [
        (lines(ROSE_RED=30), "not_case_pack_multiple"),
        (lines(ROSE_RED=25), "below_minimum"),
        (lines(POT_12=5), "not_in_campaign"),
        ([{"sku": "NOPE", "quantity": 10}], "unknown_sku"),
        ([{"sku": "TULIP-RED", "quantity": "ten"}], "invalid_quantity"),
        ([{"sku": "TULIP-RED", "quantity": 10}, {"sku": "TULIP-RED", "quantity": 10}], "duplicate_sku"),
        ([], "lines_required"),
    ],
)
def test_each_bad_line_is_named_and_nothing_is_written(world, bad_lines, code):
    campaign, florist = world
    with pytest.raises(InvalidPrebookError) as refused:
        place_prebook(campaign=campaign, partner=florist, lines=bad_lines, ship_to=ship_to_of(florist))
    assert refused.value.errors[-1]["code"] == code
    assert not Prebook.objects.exists()


def test_another_partners_ship_to_and_another_partners_pre_book_are_refused(world, warehouses):
    campaign, florist = world
    rival = PartnerFactory(code="BETA", home_warehouse=warehouses["AMS"])
    with pytest.raises(InvalidPrebookError) as refused:
        prebook(campaign, florist, {"TULIP-RED": 10}, ship_to=ship_to_of(rival))
    assert refused.value.errors[0]["field"] == "ship_to"
    theirs = prebook(campaign, rival, {"TULIP-RED": 10})
    with pytest.raises(PrebookNotFoundError):
        withdraw_prebook(campaign=campaign, prebook_id=theirs.id, partner=florist)
    with pytest.raises(PrebookNotFoundError):
        change_prebook(campaign=campaign, prebook_id="12x", partner=florist, lines=lines(TULIP_RED=10))


def test_a_ship_to_whose_route_does_not_deliver_on_the_date_is_refused(world, warehouses):
    from tests.support.routes import put_on

    campaign, florist = world
    shop = ship_to_of(florist)
    put_on("RTM-NL", warehouses, shop)  # Monday to Friday
    sunday = campaign.delivery_date + datetime.timedelta(days=(6 - campaign.delivery_date.weekday()))
    campaign.delivery_date = sunday
    campaign.save()
    with pytest.raises(InvalidPrebookError) as refused:
        prebook(campaign, florist, {"TULIP-RED": 10}, ship_to=shop)
    assert refused.value.errors[0]["code"] == "no_delivery_on_campaign_date"


def test_a_campaign_with_open_pre_books_keeps_its_date_and_the_products_they_ask_for(world):
    from orders.campaigns import save_campaign
    from orders.exceptions import InvalidCampaignError

    campaign, florist = world
    prebook(campaign, florist, {"TULIP-RED": 10})
    header = {"code": "VDAY", "name": "V", "opens_at": campaign.opens_at, "closes_at": campaign.closes_at}

    with pytest.raises(InvalidCampaignError) as moved:
        save_campaign(**header, delivery_date=campaign.delivery_date + datetime.timedelta(days=1),
                      products=[{"sku": "ROSE-RED"}, {"sku": "TULIP-RED"}])  # fmt: skip
    with pytest.raises(InvalidCampaignError) as dropped:
        save_campaign(**header, delivery_date=campaign.delivery_date, products=[{"sku": "ROSE-RED"}])
    both = [{"sku": "ROSE-RED"}, {"sku": "TULIP-RED"}]
    with pytest.raises(InvalidCampaignError) as late:
        save_campaign(**header | {"closes_at": campaign.opens_at + datetime.timedelta(days=30)},
                      delivery_date=campaign.delivery_date, products=both)  # fmt: skip

    assert moved.value.errors[0]["field"] == "delivery_date" and moved.value.errors[0]["code"] == "campaign_prebooked"
    assert dropped.value.errors[0]["sku"] == "TULIP-RED"
    assert late.value.errors[0]["code"] == "window_past_delivery"
    campaign.refresh_from_db()
    assert campaign.products.count() == 2 and campaign.name == "Valentine's Day"
