"""The back office's admin: every page renders for staff, orders cannot be edited
there, and partner users are kept out."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from fulfillment.factories import RouteExceptionFactory, ShipmentLineFactory
from inventory.factories import ReservationFactory, StockFactory, StockMovementFactory
from orders.factories import (
    DeadLetterFactory,
    IdempotencyRecordFactory,
    OrderEventFactory,
    OrderFactory,
    OrderLineFactory,
)
from orders.models import (
    Allocation,
    AllocationRun,
    Campaign,
    CampaignProduct,
    Cart,
    CartLine,
    CsvUpload,
    DeadLetter,
    Order,
    Prebook,
    PrebookLine,
)
from partners.factories import MembershipFactory, PartnerPriceFactory, ShipToAddressFactory, UserFactory
from partners.tokens import issue_api_token
from payments.factories import PaymentFactory, ReconciliationFindingFactory, StripeEventFactory, mirror_switch

pytestmark = pytest.mark.django_db

OUR_APPS = ("partners", "inventory", "orders", "payments", "fulfillment")
ADMIN_MODELS = sorted((m for m in admin.site._registry if m._meta.app_label in OUR_APPS), key=lambda m: m._meta.label)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def one_of_each():
    """A row of every model, tied together as the journey would tie them."""
    order = OrderFactory(po_number="PO-7")
    line = OrderLineFactory(order=order)
    OrderEventFactory(order=order)
    IdempotencyRecordFactory(partner=order.partner, order=order)
    payment = PaymentFactory(order=order)
    StripeEventFactory()
    ReconciliationFindingFactory(payment=payment)
    mirror_switch()
    DeadLetterFactory(order=order, error="PaymentGatewayUnavailableError: " + "Stripe did not answer. " * 20)
    stock = StockFactory(product=line.product)
    ReservationFactory(order_id=order.id, order_line_id=line.id, product=line.product, warehouse=stock.warehouse)
    StockMovementFactory(product=line.product, warehouse=stock.warehouse)
    ShipmentLineFactory(
        shipment__order=order, shipment__warehouse=stock.warehouse, order_line=line, product=line.product
    )
    issue_api_token(user=MembershipFactory(partner=order.partner).user, label="ERP")
    address = ShipToAddressFactory(partner=order.partner)
    RouteExceptionFactory(route=address.route)
    PartnerPriceFactory(partner=order.partner, product=line.product)
    cart = Cart.objects.create(
        user=UserFactory(username="cart-owner"), partner=order.partner, idempotency_key="cart-key"
    )
    CartLine.objects.create(cart=cart, product=line.product, quantity=10)
    CsvUpload.objects.create(
        partner=order.partner, filename="lines.csv", content_hash="0" * 64, content="sku,quantity\n"
    )
    campaign_rows(order, line, address)
    return order


def campaign_rows(order, line, address) -> None:
    """A campaign of the line's product with a pre-book whose line a committed run gave
    to the order: one row of every campaign model."""
    campaign = Campaign.objects.create(
        code="VDAY",
        name="Valentine's Day",
        delivery_date=timezone.localdate() + timedelta(days=10),
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=1),
    )
    CampaignProduct.objects.create(campaign=campaign, product=line.product, cap_per_partner=100)
    prebook = Prebook.objects.create(campaign=campaign, partner=order.partner, ship_to=address)
    prebook_line = PrebookLine.objects.create(prebook=prebook, product=line.product, quantity=10)
    run = AllocationRun.objects.create(
        campaign=campaign, number=1, kind=AllocationRun.Kind.FAIR_SHARE, inputs={}, result={}
    )
    Allocation.objects.create(run=run, line=prebook_line, order=order, quantity=10)


def test_every_model_of_ours_is_in_the_admin():
    ours = {m for label in OUR_APPS for m in apps.get_app_config(label).get_models()}
    assert ours == set(ADMIN_MODELS)


def test_the_site_header_names_the_back_office(staff_client):
    assert "Bouquet back office" in staff_client.get("/admin/").content.decode()


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_changelist_renders_and_searches(staff_client, one_of_each, model):
    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    for term in ("PO-7", "1"):
        assert staff_client.get(admin_url(model, "changelist"), {"q": term}).status_code == 200


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_change_page_renders(staff_client, one_of_each, model):
    obj = model.objects.first()

    response = staff_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


def test_dead_letters_list_a_shortened_error(staff_client, one_of_each):
    page = staff_client.get(admin_url(DeadLetter, "changelist")).content.decode()

    assert "PaymentGatewayUnavailableError: Stripe did not answer." in page
    assert "Stripe did not answer. " * 20 not in page


def test_an_order_page_shows_lines_and_events_but_no_save_button(staff_client, one_of_each):
    page = staff_client.get(admin_url(Order, "change", one_of_each.pk)).content.decode()

    assert one_of_each.lines.get().sku in page
    assert "CREATED" in page
    assert 'name="_save"' not in page
    assert 'name="status"' not in page


def test_orders_cannot_be_added_changed_or_deleted_in_the_admin(staff_client, one_of_each):
    order = one_of_each

    assert staff_client.get(admin_url(Order, "add")).status_code == 403
    assert staff_client.post(admin_url(Order, "change", order.pk), {"status": "CANCELLED"}).status_code == 403
    assert staff_client.post(admin_url(Order, "delete", order.pk), {"post": "yes"}).status_code == 403
    order.refresh_from_db()
    assert order.status == "CREATED"


@pytest.mark.parametrize("path", ["/admin/", "order"])
def test_a_partner_user_is_sent_to_the_admin_login(client, one_of_each, path):
    membership = MembershipFactory(partner=one_of_each.partner, user__username="buyer")
    client.force_login(membership.user)
    if path == "order":
        path = admin_url(Order, "change", one_of_each.pk)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
