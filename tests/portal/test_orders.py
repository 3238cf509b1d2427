"""Order pages: the list with filters, the detail with its timeline, cancel and reorder."""

import pytest

from fulfillment.models import Shipment
from orders.cart import add_to_cart
from orders.models import CartLine, OrderStatus
from partners.factories import MembershipFactory, UserFactory
from partners.models import Membership
from tests.support.journey import drive_journey, place

pytestmark = pytest.mark.django_db


def test_lists_orders_filtered_by_status_and_searched_by_number_or_po(portal, buyer, account_buyer, products):
    first = place(account_buyer, {"ROSE-RED": 20}, user=buyer, po_number="PO-VALENTINE")
    second = place(account_buyer, {"ROSE-RED": 30}, user=buyer, po_number="PO-MOTHERS")
    drive_journey()
    first.refresh_from_db()
    assert first.status == OrderStatus.CONFIRMED

    everything = portal.get("/orders/").content.decode()
    by_po = portal.get("/orders/", {"q": "valentine"}).content.decode()
    by_number = portal.get("/orders/", {"q": second.number}).content.decode()
    created = portal.get("/orders/", {"status": "CREATED"}).content.decode()

    assert first.number in everything and second.number in everything
    assert first.number in by_po and second.number not in by_po
    assert second.number in by_number and first.number not in by_number
    assert "No orders match." in created


def test_pages_through_orders(portal, buyer, account_buyer, products):
    for _ in range(21):
        place(account_buyer, {"ROSE-RED": 10}, user=buyer)

    assert "Page 1 of 2" in portal.get("/orders/").content.decode()
    assert "Page 2 of 2" in portal.get("/orders/", {"page": 2}).content.decode()


def test_detail_shows_lines_timeline_and_shipments(portal, buyer, account_buyer, products):
    order = place(account_buyer, {"ROSE-RED": 100, "TULIP-YEL": 100}, user=buyer, po_number="PO-77")
    drive_journey()

    page = portal.get(f"/orders/{order.number}/").content.decode()

    assert "PO-77" in page and "Yellow tulip" in page and "€ 0.60" in page
    for status in ("CREATED", "INVENTORY_RESERVED", "PAYMENT_PENDING", "PAID", "CONFIRMED"):
        assert f"<strong>{status}</strong>" in page
    assert "From " in page and "100 × ROSE-RED" in page
    assert "Cancel order" not in page  # confirmed: too late


def test_detail_shows_tracking_numbers(portal, buyer, account_buyer, products):
    order = place(account_buyer, {"ROSE-RED": 20}, user=buyer)
    drive_journey()
    Shipment.objects.filter(order=order).update(tracking_number="TRK-123456")

    assert "TRK-123456" in portal.get(f"/orders/{order.number}/").content.decode()


def test_cancels_with_a_reason(portal, buyer, account_buyer, products):
    order = place(account_buyer, {"ROSE-RED": 20}, user=buyer)
    assert "Cancel order" in portal.get(f"/orders/{order.number}/").content.decode()

    response = portal.post(f"/orders/{order.number}/cancel/", {"reason": "Shop closed for a wedding"}, follow=True)

    order.refresh_from_db()
    page = response.content.decode()
    assert order.status == OrderStatus.CANCELLED
    assert f"Order {order.number} is cancelled." in page
    assert "Shop closed for a wedding" in page and "Cancelled:" in page


def test_refuses_to_cancel_a_confirmed_order(portal, buyer, account_buyer, products):
    order = place(account_buyer, {"ROSE-RED": 20}, user=buyer)
    drive_journey()

    response = portal.post(f"/orders/{order.number}/cancel/", {"reason": "too late"}, follow=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert f"Order {order.number} is CONFIRMED and can no longer be cancelled." in response.content.decode()


def test_reorder_copies_lines_and_names_what_is_gone(portal, buyer, account_buyer, products):
    order = place(account_buyer, {"ROSE-RED": 30, "TULIP-YEL": 100}, user=buyer)
    products["tulip"].active = False
    products["tulip"].save()
    add_to_cart(user=buyer, sku="ROSE-RED", quantity=10)

    response = portal.post(f"/orders/{order.number}/reorder/", follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/cart/"
    assert f"1 of 2 lines of {order.number} added to your cart." in page
    assert "TULIP-YEL (Yellow tulip) is no longer available." in page
    assert dict(CartLine.objects.values_list("product__sku", "quantity")) == {"ROSE-RED": 40}


def test_home_shows_a_partner_admin_recent_orders_cart_and_credit(portal, buyer, account_buyer, products):
    buyer.membership.role = Membership.Role.ADMIN
    buyer.membership.save(update_fields=["role"])
    order = place(account_buyer, {"ROSE-RED": 20}, user=buyer, po_number="PO-HOME")
    add_to_cart(user=buyer, sku="ROSE-RED", quantity=100)

    page = portal.get("/").content.decode()

    assert order.number in page and "PO-HOME" in page
    assert "<strong>1</strong> line, about <strong>€ 60.00</strong>" in page
    assert "Available credit: <strong>€ 5000.00</strong>" in page
    for link in ('href="/catalogue/"', 'href="/quick-order/"', 'href="/cart/"', 'href="/orders/"', 'href="/upload/"'):
        assert link in page
    assert 'action="/accounts/logout/"' in page and 'class="skip-link"' in page


def test_home_shows_card_status_for_card_partners(client, card_buyer):
    user = UserFactory(username="bloombuyer")
    MembershipFactory(user=user, partner=card_buyer)
    client.force_login(user)

    assert "Card on file" in client.get("/").content.decode()


def test_a_staff_cancel_shows_the_back_office_not_the_username(portal, buyer, products):
    from orders.cancellation import cancel_order
    from orders.intake import place_order

    order = place_order(
        partner=buyer.membership.partner, user=buyer, lines=[{"sku": "ROSE-RED", "quantity": 100}]
    ).order
    cancel_order(order_id=order.id, actor="clerk-anna")

    page = portal.get(f"/orders/{order.number}/").content.decode()

    assert "cancelled by Bouquet back office" in page and "clerk-anna" not in page
