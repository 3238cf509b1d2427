"""The demo world's VDAY campaign (docs/DESIGN.md section 7): Valentine's Day on the
13th of February ahead, made a delivery day of the demo partners' routes; a dozen red
roses and tulips bought forward for the date; BLOOM, FERN and THORN pre-booking more of
the scarcest rose than there is, so that its dry run shares it pro rata at once; made
once, and a second run leaves it be."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from devdata.demo import build_demo_world
from devdata.demo_campaign import SCARCEST_ROSE, vday_date
from fulfillment.models import RouteException
from inventory.models import Stock
from orders.campaign_runs import run_allocation
from orders.campaign_standings import line_standings
from orders.models import AllocationRun, Campaign, Order, Prebook
from tests.support.routes import amsterdam

pytestmark = pytest.mark.django_db

# A Tuesday in March 2027: the next Valentine's delivery is Sunday 13 February 2028,
# a day neither AMS-NL (Monday to Saturday) nor RTM-NL (Monday to Friday) delivers.
BUILT_AT = amsterdam(2027, 3, 16, 9, 0)
VDAY = date(2028, 2, 13)


@pytest.fixture
def demo_world(breaker_reset):
    with time_machine.travel(BUILT_AT, tick=False):
        call_command("demo_data", even_with_debug_off=True, stdout=StringIO())


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(amsterdam(2025, 11, 20, 10, 0), date(2026, 2, 13), id="in November: the coming February"),
        pytest.param(amsterdam(2026, 2, 6, 17, 59), date(2026, 2, 13), id="just before the window closes"),
        pytest.param(amsterdam(2026, 2, 6, 18, 0), date(2027, 2, 13), id="once it has closed: next year's"),
        pytest.param(amsterdam(2026, 2, 14, 9, 0), date(2027, 2, 13), id="the day after"),
    ],
)
def test_the_date_is_the_13th_of_february_whose_window_is_still_open(now, expected):
    assert vday_date(now) == expected


def test_the_campaign_has_a_dozen_red_roses_and_tulips_a_window_to_a_week_before_and_a_cap_on_the_scarcest(
    demo_world,
):
    campaign = Campaign.objects.get(code="VDAY")

    assert (campaign.name, campaign.delivery_date) == ("Valentine's Day", VDAY)
    assert campaign.opens_at == BUILT_AT and campaign.closes_at == amsterdam(2028, 2, 6, 18, 0)
    products = dict(campaign.products.values_list("product__sku", "cap_per_partner"))
    assert len(products) == 12
    assert sum(sku.startswith("RO-") for sku in products) == 9 and sum(sku.startswith("TU-") for sku in products) == 3
    assert {sku for sku, cap in products.items() if cap is not None} == {SCARCEST_ROSE}
    assert products[SCARCEST_ROSE] == 400
    # Every product is bought forward for the date, the scarcest rose least of all the roses.
    forward = dict(Stock.objects.filter(available_from=VDAY - timedelta(days=1)).values_list("product__sku", "on_hand"))
    assert set(forward) == set(products)
    assert min((units, sku) for sku, units in forward.items() if sku.startswith("RO-")) == (400, SCARCEST_ROSE)


def test_the_date_is_made_a_delivery_day_of_the_partners_routes(demo_world):
    exceptions = RouteException.objects.filter(date=VDAY).values_list("route__code", "delivers")

    assert sorted(exceptions) == [("AMS-NL", True), ("RTM-NL", True)]


def test_the_partners_pre_book_more_of_the_scarcest_rose_than_there_is_and_its_dry_run_shares_it_pro_rata(
    demo_world,
):
    campaign = Campaign.objects.get(code="VDAY")
    scarce = {s.partner_code: s.requested for s in line_standings(campaign) if s.sku == SCARCEST_ROSE}
    assert scarce == {"BLOOM": 300, "FERN": 200, "THORN": 100}
    assert sum(scarce.values()) > 400

    with time_machine.travel(BUILT_AT + timedelta(hours=1), tick=False):
        dry = run_allocation(campaign=campaign, dry_run=True)

    given = {s.partner_code: dry.granted[s.line_id] for s in dry.standings if s.sku == SCARCEST_ROSE}
    # 400 stems in cases of 20: 400 x 300/600, 400 x 200/600 and 400 x 100/600 rounded down
    # to whole cases (200, 120, 60), and the case left over to the first in line.
    assert given == {"BLOOM": 220, "FERN": 120, "THORN": 60}
    others = [s for s in dry.standings if s.sku != SCARCEST_ROSE]
    assert others and all(dry.granted[s.line_id] == s.requested for s in others)
    assert not AllocationRun.objects.exists() and not Order.objects.exists()


def test_the_back_offices_dry_run_shows_the_fair_share_at_once(demo_world):
    campaign = Campaign.objects.get(code="VDAY")
    client = Client()
    with time_machine.travel(BUILT_AT + timedelta(hours=1), tick=False):
        client.force_login(get_user_model().objects.get(username="backoffice"))
        page = client.get(reverse("admin:orders_campaign_dry_run", args=[campaign.pk]))

    [rose] = [p for p in page.context["report"].products if p.sku == SCARCEST_ROSE]
    assert (rose.most_supply, rose.requested, rose.allocated) == (400, 600, 400)
    assert {f.partner for f in page.context["report"].partners} == {"BLOOM", "FERN", "THORN"}


def test_a_second_run_leaves_the_campaign_its_lots_and_pre_books_be(demo_world):
    campaign = Campaign.objects.get(code="VDAY")
    Campaign.objects.filter(pk=campaign.pk).update(name="Valentine's Day, renamed by staff")
    lots, prebooks = Stock.objects.count(), list(Prebook.objects.values_list("id", "updated_at"))

    with time_machine.travel(BUILT_AT + timedelta(days=1), tick=False):
        counts = build_demo_world()

    assert counts["campaigns"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert counts["route exceptions"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert "pre-books" not in counts
    assert Campaign.objects.get().name == "Valentine's Day, renamed by staff"
    assert list(Prebook.objects.values_list("id", "updated_at")) == prebooks
    assert Stock.objects.count() >= lots  # the day's everyday lots may be new; no forward buy is


def test_a_year_the_13th_falls_on_a_friday_needs_no_exception(breaker_reset):
    with time_machine.travel(amsterdam(2025, 11, 20, 10, 0), tick=False):
        build_demo_world()

    assert Campaign.objects.get().delivery_date == date(2026, 2, 13)
    assert not RouteException.objects.exists()
    assert Prebook.objects.count() == 3
