"""`manage.py demo_data` builds docs/DESIGN.md section 7's demo world, and a second run
changes nothing. Talks to the Stripe stand-in at STRIPE_API_BASE."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from backoffice.roles import (
    CATALOGUE_MANAGER,
    CREDIT_CONTROL,
    CUSTOMER_SERVICE,
    ERP_INTEGRATION,
    ROLE_PERMISSIONS,
    WAREHOUSE,
)
from devdata.demo import DEMO_PASSWORD, build_demo_world
from inventory.models import Product, Stock, StockMovement, Warehouse
from partners.models import CreditAccount, Membership, Partner, PartnerPrice, ShipToAddress
from payments import gateway
from payments.exceptions import CardDeclinedError
from tests.support.api import client_for

pytestmark = pytest.mark.django_db


def run_demo_data() -> str:
    out = StringIO()
    call_command("demo_data", even_with_debug_off=True, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """The key columns of every row the demo world writes, `updated_at` and password
    hashes included, so that any write shows."""
    return {
        "users": list(
            get_user_model()
            .objects.order_by("username")
            .values_list("username", "email", "password", "is_staff", "is_superuser", "is_active")
        ),
        "memberships": list(
            Membership.objects.order_by("user__username").values_list("user__username", "partner__code", "role")
        ),
        "warehouses": list(Warehouse.objects.order_by("code").values_list("code", "name", "priority", "is_open")),
        "partners": list(
            Partner.objects.order_by("code").values_list(
                "code",
                "name",
                "segment",
                "payment_method",
                "home_warehouse__code",
                "stripe_customer_id",
                "stripe_payment_method_id",
            )
        ),
        "credit": list(
            CreditAccount.objects.order_by("partner__code").values_list("partner__code", "credit_limit", "open_balance")
        ),
        "ship_tos": list(
            ShipToAddress.objects.order_by("partner__code", "label").values_list(
                "partner__code", "label", "line1", "postcode", "city", "country", "is_default"
            )
        ),
        "products": list(
            Product.objects.order_by("sku").values_list(
                "sku", "name", "category", "unit", "case_pack", "min_order_qty", "list_price", "active", "updated_at"
            )
        ),
        "prices": list(
            PartnerPrice.objects.order_by("partner__code", "product__sku", "min_quantity").values_list(
                "partner__code", "product__sku", "min_quantity", "unit_price", "updated_at"
            )
        ),
        "stock": list(
            Stock.objects.order_by("product__sku", "warehouse__code", "lot").values_list(
                "product__sku",
                "warehouse__code",
                "lot",
                "available_from",
                "expires_on",
                "on_hand",
                "reserved",
                "version",
                "updated_at",
            )
        ),
        "ledger": StockMovement.objects.count(),
    }


@pytest.fixture
def demo_world(breaker_reset):
    run_demo_data()


def test_a_second_run_changes_no_row(demo_world):
    before = snapshot()

    output = run_demo_data()

    assert snapshot() == before
    assert "already there" in output


def test_a_second_run_reports_everything_already_there(demo_world):
    counts = build_demo_world()

    assert {kind: (c["created"], c["updated"]) for kind, c in counts.items()} == {kind: (0, 0) for kind in counts}
    assert counts["products"]["unchanged"] >= 60
    assert counts["stock lots"]["unchanged"] == Stock.objects.count()
    assert counts["stripe customers"]["unchanged"] == 2


def test_a_second_run_leaves_stock_that_orders_moved(demo_world):
    stock = Stock.objects.filter(on_hand__gt=0).order_by("id").first()
    Stock.objects.filter(pk=stock.pk).update(reserved=stock.on_hand)
    StockMovement.objects.create(
        product=stock.product,
        warehouse=stock.warehouse,
        lot=stock.lot,
        kind=StockMovement.Kind.RESERVE,
        reserved_delta=stock.on_hand,
        actor="test",
    )

    run_demo_data()

    stock.refresh_from_db()
    assert stock.reserved == stock.on_hand


def test_a_second_run_puts_back_what_drifted(demo_world):
    Product.objects.filter(sku="TU-STRONGGOLD").update(list_price=Decimal("9.99"), active=False)
    Warehouse.objects.filter(code="RTM").update(is_open=False)
    bloom = get_user_model().objects.get(username="bloom")
    bloom.set_password("something-else")
    bloom.save()

    run_demo_data()

    assert Product.objects.filter(sku="TU-STRONGGOLD", list_price=Decimal("0.24"), active=True).exists()
    assert Warehouse.objects.get(code="RTM").is_open
    bloom.refresh_from_db()
    assert bloom.check_password(DEMO_PASSWORD)


def test_the_demo_world_has_staff_and_partner_users_with_the_demo_password(demo_world):
    users = {u.username: u for u in get_user_model().objects.all()}

    assert {"backoffice", "bloom", "fern", "fern-admin", "thorn"} <= set(users)
    assert users["backoffice"].is_staff and users["backoffice"].is_superuser
    assert all(users[name].check_password(DEMO_PASSWORD) for name in users)
    memberships = Membership.objects.select_related("user", "partner")
    assert {(m.user.username, m.partner.code, m.role) for m in memberships} == {
        ("bloom", "BLOOM", "admin"),
        ("fern", "FERN", "buyer"),
        ("fern-admin", "FERN", "admin"),
        ("thorn", "THORN", "buyer"),
    }
    assert not any(users[name].is_staff for name in ("bloom", "fern", "fern-admin", "thorn"))


def test_the_demo_world_has_a_staff_user_in_each_role_group_and_none_is_a_superuser(demo_world):
    roles = {
        user.username: [group.name for group in user.groups.all()]
        for user in get_user_model().objects.filter(is_staff=True, is_superuser=False).prefetch_related("groups")
    }

    assert roles == {
        "catalogue": [CATALOGUE_MANAGER],
        "warehouse": [WAREHOUSE],
        "credit": [CREDIT_CONTROL],
        "service": [CUSTOMER_SERVICE],
        "erp": [ERP_INTEGRATION],
    }


def test_the_demo_erp_accounts_token_can_do_what_its_group_allows_and_nothing_else(demo_world, client):
    erp = get_user_model().objects.get(username="erp")
    api = client_for(erp)

    assert not erp.is_superuser
    assert erp.get_all_permissions() == set(ROLE_PERMISSIONS[ERP_INTEGRATION])
    assert api.get("/api/v1/stock/").status_code == 200
    assert api.get("/api/v1/orders/").status_code == 200
    client.force_login(erp)
    assert client.get("/admin/partners/partner/").status_code == 403


def test_the_demo_world_has_three_open_warehouses_by_priority(demo_world):
    assert list(Warehouse.objects.order_by("priority").values_list("code", "priority", "is_open")) == [
        ("AMS", 1, True),
        ("RTM", 2, True),
        ("LHR", 3, True),
    ]


def test_bloom_pays_by_card_with_its_own_prices_and_two_addresses(demo_world):
    bloom = Partner.objects.get(code="BLOOM")

    assert bloom.payment_method == Partner.PaymentMethod.CARD
    assert bloom.home_warehouse.code == "AMS"
    assert bloom.prices.values("product").distinct().count() >= 10
    assert bloom.prices.filter(min_quantity__gt=1).exists()  # quantity breaks
    assert bloom.ship_tos.count() == 2
    assert bloom.ship_tos.filter(is_default=True).count() == 1


def test_fern_is_on_account_with_a_limit_of_5000(demo_world):
    fern = Partner.objects.get(code="FERN")

    assert fern.payment_method == Partner.PaymentMethod.ACCOUNT
    assert fern.home_warehouse.code == "RTM"
    assert fern.credit.credit_limit == Decimal("5000.00")
    assert fern.ship_tos.count() == 1


def test_partner_prices_break_on_whole_cases_and_below_list(demo_world):
    for price in PartnerPrice.objects.select_related("product"):
        assert price.min_quantity == 1 or price.min_quantity % price.product.case_pack == 0, price
        assert price.unit_price < price.product.list_price, price


def test_the_catalogue_has_60_products_in_five_categories(demo_world):
    products = Product.objects.all()

    assert products.count() >= 60
    assert set(products.values_list("category", flat=True)) == {
        "roses",
        "tulips",
        "chrysanthemums",
        "plants",
        "sundries",
    }
    assert set(products.values_list("unit", flat=True)) == {"stem", "pot", "piece", "box"}
    case_packs = set(products.values_list("case_pack", flat=True))
    assert min(case_packs) == 1 and max(case_packs) == 50
    with_minimum = products.filter(min_order_qty__gt=0)
    assert with_minimum.exists()
    assert all(p.min_order_qty % p.case_pack == 0 for p in with_minimum)


def test_stock_lies_in_several_warehouses_and_is_in_the_ledger(demo_world):
    warehouses_per_product = Stock.objects.values("product").annotate(warehouses=Count("warehouse", distinct=True))

    assert len(warehouses_per_product) == Product.objects.count()
    assert min(row["warehouses"] for row in warehouses_per_product) >= 2
    assert Stock.objects.filter(on_hand=0).exists()  # some sold out somewhere
    assert all(s.on_hand % s.product.case_pack == 0 for s in Stock.objects.select_related("product"))
    assert StockMovement.objects.filter(actor="demo_data").count() == Stock.objects.count()


def test_bloom_and_thorn_have_cards_the_stand_in_knows(demo_world):
    for code, last4 in (("BLOOM", "4242"), ("THORN", "0341")):
        partner = Partner.objects.get(code=code)
        assert partner.stripe_customer_id and partner.stripe_payment_method_id
        customer = gateway.find_customer(partner.stripe_customer_id)
        assert customer["id"] == partner.stripe_customer_id
        # Set through a SetupIntent, as the portal does: the customer's default, its
        # details on the partner for the payment page.
        assert customer["invoice_settings"]["default_payment_method"] == partner.stripe_payment_method_id
        assert (partner.card_brand, partner.card_last4) == ("visa", last4)


def test_thorns_card_is_declined_and_blooms_goes_through(demo_world):
    def charge(partner):
        intent = gateway.create_payment_intent(
            amount=Decimal("12.50"),
            currency="EUR",
            customer_id=partner.stripe_customer_id,
            payment_method_id=partner.stripe_payment_method_id,
            idempotency_key=f"demo-test-{partner.code}",
            metadata={"test": "demo_data"},
        )
        return gateway.confirm_payment_intent(intent["id"], idempotency_key=f"demo-test-confirm-{partner.code}")

    assert charge(Partner.objects.get(code="BLOOM"))["status"] == "succeeded"
    with pytest.raises(CardDeclinedError):
        charge(Partner.objects.get(code="THORN"))


def test_a_customer_the_stand_in_forgot_is_created_again(demo_world):
    Partner.objects.filter(code="BLOOM").update(
        stripe_customer_id="cus_forgotten", stripe_payment_method_id="pm_forgotten"
    )
    thorn_before = Partner.objects.get(code="THORN").stripe_customer_id

    run_demo_data()

    bloom = Partner.objects.get(code="BLOOM")
    assert bloom.stripe_customer_id != "cus_forgotten"
    assert gateway.find_customer(bloom.stripe_customer_id) is not None
    assert Partner.objects.get(code="THORN").stripe_customer_id == thorn_before


def test_refuses_to_run_with_debug_off_unless_asked_explicitly(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off.*--even-with-debug-off"):
        call_command("demo_data", stdout=StringIO())

    assert not get_user_model().objects.filter(username="backoffice").exists()
