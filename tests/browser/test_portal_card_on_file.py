"""Cards on file in real Chromium (issue 21's acceptance): LILY's partner admin replaces
the company's card on the payment page, typing it into the card field of the Stripe
stand-in's Stripe.js, which confirms the page's SetupIntent with the stand-in; the page
then shows the new card and the company's next order is charged to it; LILY's buyer
sees that card and no way to change it, and the server refuses the buyer's post. No
Content-Security-Policy violation on the way. Screenshots: test-artifacts/screenshots/
portal-card-*.png (copies in docs/screenshots/)."""

import pytest
from django.contrib.auth import get_user_model

from orders.models import OrderStatus
from partners.factories import MembershipFactory, PartnerFactory, ShipToAddressFactory, UserFactory
from partners.models import Membership, Partner
from payments import gateway
from payments.cards_on_file import set_up_test_card
from tests.browser.conftest import SCREENSHOTS
from tests.support.browser import log_in
from tests.support.journey import drive_journey, place
from tests.support.stripe import payment_intents_for_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]

# A Visa debit test card; the stand-in accepts any 16 digits, and calls every card "visa".
NEW_CARD = {"number": "4000056655665556", "exp_month": "11", "exp_year": "31", "cvc": "321", "postal_code": "1015"}

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def lily(warehouses, make_product, breaker_reset):
    """LILY pays by card (a Visa ending 4242 on file); `lily-admin` is its partner admin
    and `lily-buyer` a buyer; roses in stock at its home warehouse."""
    partner = PartnerFactory(
        code="LILY", name="Lily & Fern", payment_method=Partner.PaymentMethod.CARD, home_warehouse=warehouses["AMS"]
    )
    set_up_test_card(partner, "pm_card_visa")
    ShipToAddressFactory(partner=partner, label="Shop", is_default=True)
    for username, role in (("lily-admin", Membership.Role.ADMIN), ("lily-buyer", Membership.Role.BUYER)):
        MembershipFactory(user=UserFactory(username=username), partner=partner, role=role)
    make_product("RO-LILY-50", name="Rose Lily 50 cm", stock={warehouses["AMS"]: 500}, case_pack=10)
    return partner


def sign_in(page, username: str):
    page.context.add_init_script(RECORD_VIOLATIONS)
    log_in(page, username, "bouquet-test", login_path="/accounts/login/")
    page.wait_for_selector("text=Good day")


def no_policy_violation(page) -> list:
    page.wait_for_load_state("load")
    return page.evaluate("window.__cspViolations || []")


def test_an_admin_adds_a_card_the_next_order_is_charged_to_it_and_a_buyer_cannot_change_it(
    page, browser, live_server, screenshot, lily
):
    old_card = lily.stripe_payment_method_id
    sign_in(page, "lily-admin")
    page.click("nav >> text=Payment")
    page.wait_for_selector("#card-element input[placeholder=number]")
    assert page.locator("#card-last4").inner_text() == "4242"
    screenshot("portal-card-admin-before")

    for field, value in NEW_CARD.items():
        page.fill(f"#card-element input[placeholder={field}]", value)
    screenshot("portal-card-admin-typed")
    page.click("button:has-text('Save card')")
    page.locator(".message-success", has_text="the card ending 5556").wait_for()

    assert page.locator("#card-last4").inner_text() == "5556"
    assert "expires 11/2031" in page.locator(".card-summary").inner_text()
    assert no_policy_violation(page) == []
    screenshot("portal-card-admin-saved")
    lily.refresh_from_db()
    assert lily.stripe_payment_method_id != old_card and lily.card_last4 == "5556"

    order = place(lily, {"RO-LILY-50": 20}, user=get_user_model().objects.get(username="lily-admin"))
    drive_journey()

    order.refresh_from_db()
    [charged] = payment_intents_for_order(order)
    assert order.status == OrderStatus.CONFIRMED
    assert (charged["payment_method"], charged["status"]) == (lily.stripe_payment_method_id, "succeeded")
    card_at_stripe = gateway.client().v1.payment_methods.retrieve(charged["payment_method"])
    assert (card_at_stripe.card.last4, card_at_stripe.customer) == ("5556", lily.stripe_customer_id)

    buyer_page = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    sign_in(buyer_page, "lily-buyer")
    buyer_page.click("nav >> text=Payment")
    buyer_page.locator("text=Only your company's partner admins can change the card.").wait_for()
    assert buyer_page.locator("#card-last4").inner_text() == "5556"
    assert buyer_page.locator("#card-setup-form, #card-element, button:has-text('Save card')").count() == 0
    assert no_policy_violation(buyer_page) == []
    buyer_page.screenshot(path=str(SCREENSHOTS / "portal-card-buyer.png"), full_page=True)
    csrf = next(c["value"] for c in buyer_page.context.cookies() if c["name"] == "csrftoken")
    refused = buyer_page.request.post(
        "/payment/card/",
        form={"csrfmiddlewaretoken": csrf, "setup_intent": "seti_anything"},
        headers={"Referer": f"{live_server.url}/payment/"},
    )
    assert refused.status == 403
    lily.refresh_from_db()
    assert lily.card_last4 == "5556"
    buyer_page.context.close()
