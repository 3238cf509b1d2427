"""A peak campaign in real Chromium: a buyer pre-books in the portal, staff dry run and
commit the allocation in the admin, and the buyer sees where the line stands:
"requested 600, allocated 450, 150 waitlisted, 3rd in line"."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from inventory.factories import ProductFactory, StockFactory
from inventory.models import Warehouse
from orders.models import Campaign, Order, OrderStatus
from partners.models import CreditAccount, Partner
from tests.browser.conftest import SCREENSHOTS
from tests.support.browser import log_in
from tests.support.campaigns import make_campaign, prebook, ship_to_of
from tests.support.journey import drive_journey

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def a_weekday_ahead() -> datetime.date:
    """A Tuesday at least six days ahead: every demo route but LHR-UK's Tuesday run
    delivers then, and FERN's five days of freshness fit an undated lot anyway."""
    day = timezone.localdate() + datetime.timedelta(days=6)
    return day + datetime.timedelta(days=(1 - day.weekday()) % 7)


@pytest.fixture
def peak():
    """Campaign PEAK: 1,350 stems of one rose in packs of 25, and FERN and THORN have
    each pre-booked 600 already, so a third 600 makes BLOOM third in line."""
    call_command("demo_data", even_with_debug_off=True)
    # FERN owes most of its demo credit; here it has room for its share (past it, its
    # allocation order would be cancelled and FERN would leave the line).
    CreditAccount.objects.filter(partner__code="FERN").update(credit_limit="50000.00")
    rose = ProductFactory(sku="RO-PEAK-60", name="Rose Peak 60 cm", case_pack=25, min_order_qty=25, list_price="0.90")
    StockFactory(product=rose, warehouse=Warehouse.objects.get(code="AMS"), on_hand=1350)
    campaign = make_campaign("PEAK", skus=[rose.sku], delivery_date=a_weekday_ahead(), name="Peak day")
    for code in ("FERN", "THORN"):
        partner = Partner.objects.get(code=code)
        prebook(campaign, partner, {rose.sku: 600}, ship_to=ship_to_of(partner))
    return campaign


def test_a_buyer_pre_books_staff_commit_and_the_buyer_sees_the_fair_share(browser, live_server, peak):
    buyer = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    portal, admin = buyer.new_page(), staff.new_page()
    for page in (portal, admin):
        page.set_default_timeout(15_000)

    log_in(portal, "bloom", "bouquet-demo", login_path="/accounts/login/")
    portal.goto("/campaigns/")
    portal.click("a[href='/campaigns/PEAK/']")
    portal.get_by_label("Cases of RO-PEAK-60").fill("24")  # 24 cases of 25: 600 stems
    portal.click("#prebook-submit")
    portal.wait_for_selector("#standings")
    assert "requested 600, waiting for the allocation" in portal.inner_text("#standings")
    screenshot_of(portal, "campaign-prebooked")

    log_in(admin, "backoffice", "bouquet-demo", login_path="/admin/login/")
    admin.goto(f"/admin/orders/campaign/{peak.pk}/change/")
    admin.click("#dry-run-allocation")
    admin.wait_for_selector("#run-lines")
    assert admin.inner_text("#run-lines").count("450") >= 3
    screenshot_of(admin, "campaign-dry-run")
    assert not Order.objects.filter(source=Order.Source.PREBOOK).exists()

    admin.click("#commit-allocation")
    admin.click("#commit-allocation-button")
    admin.wait_for_selector("#run-partners")
    screenshot_of(admin, "campaign-run-committed")
    assert Campaign.objects.get(code="PEAK").is_allocated
    assert Order.objects.filter(source=Order.Source.PREBOOK).count() == 3

    portal.reload()
    standing = portal.inner_text("#standings")
    assert "requested 600, allocated 450, 150 waitlisted, 3rd in line" in standing
    screenshot_of(portal, "campaign-buyer-standing")

    drive_journey()
    bloom_order = Order.objects.get(source=Order.Source.PREBOOK, partner__code="BLOOM")
    assert bloom_order.status == OrderStatus.CONFIRMED
    buyer.close()
    staff.close()


def screenshot_of(page, name):
    """Save the page under test-artifacts/screenshots/ (the `screenshot` fixture shoots
    its own page; this test drives two sessions, a buyer's and a clerk's)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
