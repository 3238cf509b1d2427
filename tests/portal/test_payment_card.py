"""The payment page: every user of a card-paying partner sees the card on file; its
partner admins get a card form whose SetupIntent Stripe.js confirms, and only they may
post one back; the page alone lets Stripe.js in."""

import re

import pytest
from django.conf import settings

from partners.factories import MembershipFactory, PartnerFactory, UserFactory
from partners.models import Membership, Partner
from payments import gateway
from payments.cards_on_file import set_up_test_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def lily(warehouses, breaker_reset):
    """LILY pays by card, its Visa ending 4242 on file; `lily-admin` is its partner
    admin, `lily-buyer` a buyer."""
    partner = PartnerFactory(code="LILY", payment_method=Partner.PaymentMethod.CARD, home_warehouse=warehouses["AMS"])
    set_up_test_card(partner, "pm_card_visa")
    for username, role in (("lily-admin", Membership.Role.ADMIN), ("lily-buyer", Membership.Role.BUYER)):
        MembershipFactory(user=UserFactory(username=username), partner=partner, role=role)
    return partner


def signed_in(client, username: str):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


def confirm_at_stripe(page_html: str, test_card: str = "pm_card_chargeCustomerFail") -> str:
    """What Stripe.js does with the page's client secret: confirm its SetupIntent."""
    client_secret = re.search(r'data-client-secret="(seti_\w+?_secret_\w+)"', page_html).group(1)
    setup_intent_id = client_secret.split("_secret_")[0]
    gateway._call(
        "confirm SetupIntent",
        gateway.client().v1.setup_intents.confirm,
        setup_intent_id,
        params={"payment_method": test_card},
    )
    return setup_intent_id


def card_fields(partner: Partner) -> dict:
    return Partner.objects.values(
        "stripe_customer_id", "stripe_payment_method_id", "card_brand", "card_last4", "card_exp_month", "card_exp_year"
    ).get(id=partner.id)


def test_a_buyer_sees_the_card_and_no_way_to_change_it(client, lily):
    response = signed_in(client, "lily-buyer").get("/payment/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Visa" in html and 'id="card-last4">4242<' in html and "expires 12/2030" in html
    assert "card-setup-form" not in html and "js.stripe.com" not in html
    assert "Only your company's partner admins can change the card." in html


def test_a_buyer_may_not_post_a_card_even_a_good_one(client, lily):
    admin_page = signed_in(client, "lily-admin").get("/payment/").content.decode()
    setup_intent_id = confirm_at_stripe(admin_page)
    before = card_fields(lily)

    response = signed_in(client, "lily-buyer").post("/payment/card/", {"setup_intent": setup_intent_id})

    assert response.status_code == 403
    assert card_fields(lily) == before


def test_a_partner_admin_gets_the_card_form_with_stripe_js_let_in_on_this_page_alone(client, lily):
    client = signed_in(client, "lily-admin")

    response = client.get("/payment/")

    html = response.content.decode()
    stand_in = settings.STRIPE_API_BASE
    assert 'id="card-setup-form"' in html and 'data-publishable-key="pk_test_' in html
    assert f'<script src="{stand_in}/js.stripe.com/v3/"></script>' in html
    policy = response["Content-Security-Policy"]
    assert re.search(rf"script-src 'self' {re.escape(stand_in)}(;|$)", policy)
    assert re.search(rf"connect-src {re.escape(stand_in)}(;|$)", policy)
    assert stand_in not in client.get("/orders/")["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]  # the client secret is for this page alone


def test_with_stripe_away_the_admin_still_sees_the_card_and_is_told_the_form_is_not_available(client, lily, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    response = signed_in(client, "lily-admin").get("/payment/")

    html = response.content.decode()
    assert response.status_code == 200 and 'id="card-last4">4242<' in html
    assert "The card form is not available now (Stripe create SetupIntent failed" in html
    assert "card-setup-form" not in html


def test_a_partner_admin_replaces_the_card_with_a_confirmed_setup_intent(client, lily):
    client = signed_in(client, "lily-admin")
    setup_intent_id = confirm_at_stripe(client.get("/payment/").content.decode())

    response = client.post("/payment/card/", {"setup_intent": setup_intent_id}, follow=True)

    lily.refresh_from_db()
    assert response.redirect_chain == [("/payment/", 302)]
    assert "the card ending 0341 is your company&#x27;s card on file" in response.content.decode()
    assert lily.card_last4 == "0341"
    assert (
        lily.stripe_payment_method_id
        == gateway._call("retrieve SetupIntent", gateway.client().v1.setup_intents.retrieve, setup_intent_id)[
            "payment_method"
        ]
    )


@pytest.mark.parametrize("setup_intent", ["", "seti_unknown0000", "<script>"])
def test_a_bad_setup_intent_is_named_and_changes_nothing(client, lily, setup_intent):
    client = signed_in(client, "lily-admin")
    before = card_fields(lily)

    response = client.post("/payment/card/", {"setup_intent": setup_intent}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [("/payment/", 302)]
    assert "message-error" in html and ("is not a SetupIntent id" in html or "Stripe knows no SetupIntent" in html)
    assert "<script>'" not in html
    assert card_fields(lily) == before


def test_an_on_account_partners_admin_gets_no_card_form(client, account_buyer):
    user = UserFactory(username="fern-admin")
    MembershipFactory(user=user, partner=account_buyer, role=Membership.Role.ADMIN)
    client.force_login(user)

    html = client.get("/payment/").content.decode()

    assert "pays on account" in html and "No card on file." in html and "card-setup-form" not in html


def test_anonymous_visitors_go_to_sign_in(client):
    assert client.get("/payment/")["Location"] == "/accounts/login/?next=/payment/"
    assert client.post("/payment/card/", {"setup_intent": "seti_x"})["Location"].startswith("/accounts/login/")


def test_the_portal_links_to_the_page(client, lily):
    html = signed_in(client, "lily-buyer").get("/orders/").content.decode()

    assert '<a href="/payment/">Payment</a>' in html
