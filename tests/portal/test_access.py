"""Who may see which portal page: partner users only, each partner its own data."""

import pytest

from orders.models import Order, OrderStatus
from partners.factories import UserFactory
from tests.support.journey import place

pytestmark = pytest.mark.django_db

PAGES = ["/", "/catalogue/", "/quick-order/", "/cart/", "/orders/", "/orders/BQ-00000001/"]
POSTS = ["/cart/", "/cart/add/", "/orders/BQ-00000001/cancel/", "/orders/BQ-00000001/reorder/"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_change_nothing_and_go_to_sign_in(client, path):
    response = client.post(path, {"sku": "X", "quantity": "10"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", PAGES)
def test_staff_without_a_partner_are_sent_to_the_back_office(client, path):
    client.force_login(UserFactory(username="clerk", is_staff=True))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_user_without_a_partner_is_refused(client):
    client.force_login(UserFactory(username="drifter"))

    assert client.get("/catalogue/").status_code == 403


def test_another_partners_order_is_not_found(client, account_buyer, products, other_partner_user):
    order = place(account_buyer, {"ROSE-RED": 20})
    client.force_login(other_partner_user)

    assert client.get(f"/orders/{order.number}/").status_code == 404
    assert client.post(f"/orders/{order.number}/cancel/", {"reason": "mine now"}).status_code == 404
    assert client.post(f"/orders/{order.number}/reorder/").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.CREATED


def test_lists_show_only_the_partners_own_orders(client, account_buyer, products, other_partner_user, buyer):
    own = place(account_buyer, {"ROSE-RED": 20}, user=buyer, po_number="PO-FERN")
    client.force_login(other_partner_user)

    assert own.number not in client.get("/orders/").content.decode()
    assert own.number not in client.get("/").content.decode()
    client.force_login(buyer)
    assert own.number in client.get("/orders/").content.decode()


def test_an_unknown_order_number_is_not_found(portal):
    assert portal.get("/orders/BQ-99999999/").status_code == 404
    assert Order.objects.count() == 0


def test_users_of_a_deactivated_partner_are_signed_out_and_cannot_sign_back_in(portal, account_buyer, client):
    assert portal.get("/catalogue/").status_code == 200
    account_buyer.active = False
    account_buyer.save()

    signed_out = portal.get("/catalogue/", follow=True)

    assert signed_out.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "FERN has been deactivated" in signed_out.content.decode()
    assert client.get("/orders/").status_code == 302


def test_the_right_password_does_not_sign_in_a_deactivated_partners_user(buyer, account_buyer, client):
    account_buyer.active = False
    account_buyer.save()

    page = client.post("/accounts/login/", {"username": "fernbuyer", "password": "bouquet-test"})

    assert page.status_code == 200  # the form again, not a redirect into the portal
    assert "FERN has been deactivated" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_signed_in_before_the_deactivation_cannot_use_the_api(portal, account_buyer):
    assert portal.get("/api/v1/orders/").status_code == 200
    account_buyer.active = False
    account_buyer.save()

    for answer in (portal.get("/api/v1/orders/"), portal.get("/api/v1/events/")):
        assert answer.status_code == 403
        assert "FERN has been deactivated" in answer.json()["detail"]
