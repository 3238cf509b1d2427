"""The Content-Security-Policy in real Chromium: the portal's pages, the admin's (home,
lists, change forms, an action's confirmation, import and export) and the API docs
load and work with no violation reported, neither as a `securitypolicyviolation`
event nor on the console."""

from decimal import Decimal

import pytest

from orders.models import Order
from partners.factories import MembershipFactory, PartnerPriceFactory, ShipToAddressFactory, UserFactory
from tests.support.browser import log_in
from tests.support.campaigns import make_campaign, prebook
from tests.support.journey import place

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def watched_page(page):
    """The page, recording every policy violation from the start of each document."""
    page.context.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda message: console.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.csp_console = console
    return page


def assert_no_violation(page, where: str):
    page.wait_for_load_state("load")
    recorded = page.evaluate("window.__cspViolations || []")
    assert recorded == [], f"{where}: {recorded}"
    assert page.csp_console == [], f"{where}: {page.csp_console}"


@pytest.fixture
def world(account_buyer, warehouses, make_product):
    buyer = UserFactory(username="fernbuyer")
    MembershipFactory(user=buyer, partner=account_buyer)
    ShipToAddressFactory(partner=account_buyer, label="Garden centre", is_default=True)
    rose = make_product(
        "ROSE-RED", name="Red rose 60 cm", case_pack=10, list_price=Decimal("0.80"), stock={warehouses["RTM"]: 500}
    )
    PartnerPriceFactory(partner=account_buyer, product=rose, min_quantity=1, unit_price=Decimal("0.70"))
    order = place(account_buyer, {"ROSE-RED": 20}, po_number="PO-CSP-1")
    UserFactory(username="clerk", is_staff=True, is_superuser=True)
    campaign = make_campaign("VDAY", caps={"ROSE-RED": 100})
    prebook(campaign, account_buyer, {"ROSE-RED": 50}, user=buyer)
    return {"order": order, "rose": rose, "campaign": campaign}


def test_the_portal_works_under_the_policy(watched_page, world):
    page = watched_page
    page.goto("/accounts/login/")
    assert_no_violation(page, "sign-in page")
    log_in(page, "fernbuyer", "bouquet-test", login_path="/accounts/login/")
    page.wait_for_selector("text=Good day")
    assert_no_violation(page, "home")

    page.goto("/catalogue/")
    card = page.locator("li.product", has=page.locator("text=ROSE-RED"))
    card.get_by_role("button", name="Add to cart").click()
    card.locator(".add-ok").wait_for()  # htmx swapped the answer in
    assert page.inner_text("#cart-count") == "1"
    assert_no_violation(page, "catalogue, after adding to the cart with htmx")

    for path in (
        "/cart/",
        "/quick-order/",
        "/orders/",
        f"/orders/{world['order'].number}/",
        "/upload/",
        "/campaigns/",
        "/campaigns/VDAY/",
    ):
        page.goto(path)
        assert_no_violation(page, path)
    page.goto("/accounts/password_change/")
    assert "at least 12 characters" in page.inner_text("main")
    assert_no_violation(page, "password change")


def test_the_admin_works_under_the_policy(watched_page, world):
    page = watched_page
    order: Order = world["order"]
    page.goto("/admin/login/")
    assert_no_violation(page, "admin sign-in")
    log_in(page, "clerk", "bouquet-test", login_path="/admin/login/")
    page.wait_for_selector("#health")
    page.wait_for_selector("#peak-backlog svg path.series-reserve")  # the peak view's charts, SVG
    assert_no_violation(page, "admin home")

    for path in (
        "/admin/orders/order/",
        f"/admin/orders/order/{order.pk}/change/",
        "/admin/inventory/product/",
        f"/admin/inventory/product/{world['rose'].pk}/change/",
        "/admin/inventory/product/add/",
        "/admin/partners/partner/",
        "/admin/inventory/product/import/",
        "/admin/axes/accessattempt/",
        f"/admin/orders/campaign/{world['campaign'].pk}/change/",
        f"/admin/orders/campaign/{world['campaign'].pk}/allocation/dry-run/",
        f"/admin/orders/campaign/{world['campaign'].pk}/allocation/commit/",
        "/admin/orders/prebook/",
    ):
        page.goto(path)
        assert_no_violation(page, path)

    # The export page's "Select all" toggle, wired by a script file instead of onchange.
    page.goto("/admin/inventory/product/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert fields.count() > 1
    page.uncheck("input.select-toggle")
    assert not any(fields.nth(n).is_checked() for n in range(fields.count()))
    page.check("input.select-toggle")
    assert all(fields.nth(n).is_checked() for n in range(fields.count()))
    assert_no_violation(page, "export page")

    # A committed run's page, with its bars drawn as SVG.
    page.goto(f"/admin/orders/campaign/{world['campaign'].pk}/allocation/commit/")
    page.click("#commit-allocation-button")
    page.wait_for_selector("#run-partners")
    assert_no_violation(page, "allocation run page")

    # An action with a confirmation page: the action bar's script selects and submits.
    page.goto("/admin/orders/order/")
    page.check(f"tr:has-text('{order.number}') input.action-select")
    page.select_option("select[name=action]", "cancel_orders")
    page.click("button[name=index]")
    page.wait_for_selector("text=Cancel these orders?")
    assert_no_violation(page, "cancel action's confirmation")


def test_the_api_docs_work_under_the_policy(watched_page):
    page = watched_page
    page.goto("/api/docs/")
    page.wait_for_selector("text=Bouquet ERP API")
    page.wait_for_selector(".opblock")
    assert_no_violation(page, "API docs")
