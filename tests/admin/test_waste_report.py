"""The back office's waste page: what expired unsold by product and ISO week, a bar per
week, the weeks filter, and who may see it (docs/SECURITY.md, Roles)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from backoffice.roles import CATALOGUE_MANAGER, CREDIT_CONTROL, CUSTOMER_SERVICE, ERP_INTEGRATION, WAREHOUSE
from inventory.waste import write_off_expired_lots
from tests.support.roles import staff_in

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WASTE = "/admin/inventory/stock/waste/"
TODAY = datetime(2027, 2, 17, 10, 0, tzinfo=AMSTERDAM)  # a Wednesday of ISO week 7


@pytest.fixture
def wasted(warehouses, make_product):
    """120 roses at 0.45 expired on 8 February (written off in week 6), 10 tulips at
    0.30 on 15 February (week 7)."""
    ams = warehouses["AMS"]
    make_product(
        "ROS-RED-50",
        list_price=Decimal("0.45"),
        lots=[{"warehouse": ams, "lot": "R1", "on_hand": 120, "expires_on": date(2027, 2, 8)}],
    )
    make_product(
        "TUL-YEL-10",
        list_price=Decimal("0.30"),
        lots=[{"warehouse": ams, "lot": "T1", "on_hand": 10, "expires_on": date(2027, 2, 15)}],
    )
    for moment in (datetime(2027, 2, 9, 1, 0), datetime(2027, 2, 16, 1, 0)):
        with time_machine.travel(moment.replace(tzinfo=AMSTERDAM), tick=False):
            write_off_expired_lots()


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_waste_by_product_and_week_with_totals_and_a_bar_per_week(today, staff_client, wasted):
    page = staff_client.get(WASTE)

    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["weeks"] == 8 and page.context["since"] == date(2026, 12, 28)
    assert [(r.iso_week, r.sku, r.quantity, r.value) for r in page.context["rows"]] == [
        ("2027-W06", "ROS-RED-50", 120, Decimal("54.00")),
        ("2027-W07", "TUL-YEL-10", 10, Decimal("3.00")),
    ]
    bars = {bar.iso_week: (bar.value, bar.percent) for bar in page.context["bars"]}
    assert len(bars) == 8 and bars["2027-W06"] == (Decimal("54.00"), 100) and bars["2027-W07"][1] == 5
    assert bars["2027-W01"] == (Decimal("0"), 0)
    assert 'id="waste-total-value">57.00<' in html and '<rect width="100" height="10"' in html


def test_the_weeks_filter_narrows_the_page(today, staff_client, wasted):
    page = staff_client.get(WASTE, {"weeks": "1"})

    assert [r.sku for r in page.context["rows"]] == ["TUL-YEL-10"]
    assert [bar.iso_week for bar in page.context["bars"]] == ["2027-W07"]


@pytest.mark.parametrize("weeks", ["0", "abc", "105", "-2"])
def test_weeks_that_cannot_be_used_are_named_and_the_default_shown(today, staff_client, wasted, weeks):
    page = staff_client.get(WASTE, {"weeks": weeks})

    assert page.status_code == 200 and page.context["weeks"] == 8
    assert any(repr(weeks) in str(m) for m in page.context["messages"])


def test_without_waste_the_page_says_so(today, staff_client, warehouses):
    page = staff_client.get(WASTE)
    assert page.status_code == 200 and 'id="waste-none"' in page.content.decode()


@pytest.mark.parametrize(
    "group, allowed",
    [
        (WAREHOUSE, True),
        (CATALOGUE_MANAGER, True),
        (CREDIT_CONTROL, False),
        (CUSTOMER_SERVICE, False),
        (ERP_INTEGRATION, False),
        (None, False),
    ],
)
def test_the_warehouse_and_catalogue_managers_may_see_it_and_the_index_links_it_for_them(wasted, group, allowed):
    client = logged_in(staff_in("someone", *([group] if group else [])))

    assert client.get(WASTE).status_code == (200 if allowed else 403)
    assert ('id="waste-report-link"' in client.get("/admin/").content.decode()) is allowed


def test_the_stock_list_links_the_page_for_the_warehouse(wasted):
    page = logged_in(staff_in("keeper", WAREHOUSE)).get("/admin/inventory/stock/")
    assert page.status_code == 200 and f'href="{WASTE}" id="waste-report-link"' in page.content.decode()


def test_partners_never_see_it(wasted):
    assert Client().get(WASTE).status_code == 302  # to the admin's login
