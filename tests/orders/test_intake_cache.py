"""The intake cache: what intake keeps in the process about products, a partner's prices
and ship-tos is never used after a write to them has committed, whoever wrote it.

These tests commit (transaction=True): the cache is only used, and only invalidated,
by committed writes."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django_redis import get_redis_connection

from inventory.catalogue import upsert_product
from inventory.models import Product
from orders.exceptions import OrderValidationError
from orders.intake import place_order
from orders.intake_cache import CATALOGUE_KEY, forget_local_catalogue, partner_key
from partners.factories import ShipToAddressFactory
from partners.models import PartnerPrice, ShipToAddress
from partners.pricing import remove_partner_price, set_partner_price
from tests.support.processes import run_in_another_process

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def cold_cache():
    forget_local_catalogue()
    yield
    forget_local_catalogue()


@pytest.fixture
def rose(warehouses, make_product):
    return make_product("ROSE", case_pack=10, list_price="0.50")


@pytest.fixture
def shop(account_buyer):
    return ShipToAddressFactory(partner=account_buyer, label="Shop", is_default=True)


def order(partner, sku="ROSE", quantity=10, **kwargs):
    return place_order(partner=partner, lines=[{"sku": sku, "quantity": quantity}], **kwargs).order


def refusal(partner, sku="ROSE", quantity=10, **kwargs) -> dict:
    with pytest.raises(OrderValidationError) as refused:
        order(partner, sku, quantity, **kwargs)
    [problem] = refused.value.errors
    return problem


def upsert_rose(**changes):
    fields = {
        "name": "Rose",
        "case_pack": 10,
        "min_order_qty": 0,
        "list_price": Decimal("0.50"),
        "active": True,
        **changes,
    }
    return upsert_product(sku="ROSE", actor="test", **fields)


def test_the_next_order_after_a_deactivation_is_refused(account_buyer, rose, shop):
    order(account_buyer)

    upsert_rose(active=False)

    assert refusal(account_buyer)["code"] == "inactive_sku"


def test_the_next_order_after_a_case_pack_change_is_judged_by_it(account_buyer, rose, shop):
    order(account_buyer, quantity=10)

    upsert_rose(case_pack=20)

    assert refusal(account_buyer, quantity=10)["code"] == "not_case_pack_multiple"
    assert order(account_buyer, quantity=20).lines.get().quantity == 20


def test_a_list_price_change_is_charged_on_the_next_order(account_buyer, rose, shop):
    order(account_buyer)

    upsert_rose(list_price=Decimal("0.70"))

    assert order(account_buyer).lines.get().unit_price == Decimal("0.70")


def test_a_partner_price_set_or_removed_is_charged_on_the_next_order(account_buyer, rose, shop):
    assert order(account_buyer).lines.get().unit_price == Decimal("0.50")

    set_partner_price(partner=account_buyer, product=rose, unit_price=Decimal("0.40"))
    assert order(account_buyer).lines.get().unit_price == Decimal("0.40")

    set_partner_price(partner=account_buyer, product=rose, unit_price=Decimal("0.35"), min_quantity=100)
    assert order(account_buyer, quantity=100).lines.get().unit_price == Decimal("0.35")

    remove_partner_price(partner=account_buyer, product=rose)
    remove_partner_price(partner=account_buyer, product=rose, min_quantity=100)
    assert order(account_buyer, quantity=100).lines.get().unit_price == Decimal("0.50")


def test_a_price_saved_as_the_admin_does_is_charged_on_the_next_order(account_buyer, rose, shop):
    order(account_buyer)

    PartnerPrice.objects.create(partner=account_buyer, product=rose, min_quantity=1, unit_price=Decimal("0.45"))

    assert order(account_buyer).lines.get().unit_price == Decimal("0.45")


def test_another_partners_price_change_leaves_this_partner_alone(account_buyer, rose, shop):
    from partners.factories import PartnerFactory

    other = PartnerFactory(code="ROSA")
    order(account_buyer)
    version = get_redis_connection("default").get(partner_key(account_buyer.id))

    set_partner_price(partner=other, product=rose, unit_price=Decimal("0.10"))

    assert get_redis_connection("default").get(partner_key(account_buyer.id)) == version
    assert order(account_buyer).lines.get().unit_price == Decimal("0.50")


def test_a_product_added_after_an_order_for_it_was_refused_can_be_ordered(account_buyer, rose, shop):
    assert refusal(account_buyer, sku="TULIP")["code"] == "unknown_sku"

    upsert_product(
        sku="TULIP", name="Tulip", case_pack=10, min_order_qty=0, list_price=Decimal("0.30"), active=True, actor="test"
    )

    assert order(account_buyer, sku="TULIP").lines.get().sku == "TULIP"


def test_a_new_default_address_and_a_new_address_are_used_on_the_next_order(account_buyer, rose, shop):
    assert order(account_buyer).ship_to_id == shop.id
    back = ShipToAddressFactory(partner=account_buyer, label="Back door")
    assert order(account_buyer, ship_to=back.id).ship_to_id == back.id

    ShipToAddress.objects.filter(pk=shop.pk).update(is_default=False)  # bypasses the signal: the save below bumps
    back.is_default = True
    back.save(update_fields=["is_default"])

    assert order(account_buyer).ship_to_id == back.id


def test_a_deleted_address_is_refused_on_the_next_order(account_buyer, rose, shop):
    back = ShipToAddressFactory(partner=account_buyer, label="Back door")
    order(account_buyer)  # the cache now knows both addresses

    back_id = back.id
    back.delete()

    assert refusal(account_buyer, ship_to=back_id)["code"] == "invalid_ship_to"


def test_the_version_changes_when_the_write_commits_not_before(account_buyer, rose, shop):
    redis = get_redis_connection("default")
    order(account_buyer)
    before = redis.get(CATALOGUE_KEY)

    with transaction.atomic():
        upsert_rose(active=False)
        upsert_rose(active=False, name="Rose, retired")
        assert redis.get(CATALOGUE_KEY) == before

    assert redis.get(CATALOGUE_KEY) not in (before, None)


def test_a_transaction_sees_its_own_change_and_a_rollback_leaves_the_cache_untouched(account_buyer, rose, shop):
    order(account_buyer)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        set_partner_price(partner=account_buyer, product=rose, unit_price=Decimal("0.20"))
        assert order(account_buyer).lines.get().unit_price == Decimal("0.20")
        raise Undo

    assert order(account_buyer).lines.get().unit_price == Decimal("0.50")


def test_a_change_committed_by_another_process_is_seen_on_the_next_order(account_buyer, rose, shop):
    """The process's own bump also drops its own cache; another process's reaches
    this one only through Redis, which is what the other workers rely on."""
    order(account_buyer)

    run_in_another_process(
        "from decimal import Decimal\n"
        "from inventory.models import Product\n"
        "from partners.models import Partner\n"
        "from partners.pricing import set_partner_price\n"
        "from inventory.catalogue import upsert_product\n"
        "set_partner_price(partner=Partner.objects.get(code='FERN'), "
        "product=Product.objects.get(sku='ROSE'), "
        "unit_price=Decimal('0.41'))\n"
        "upsert_product(sku='ROSE', name='Rose', case_pack=5, min_order_qty=0, "
        "list_price=Decimal('0.50'), active=True, actor='other')\n"
    )

    line = order(account_buyer, quantity=5).lines.get()
    assert (line.quantity, line.unit_price) == (5, Decimal("0.41"))


def test_without_redis_intake_reads_the_database(account_buyer, rose, shop):
    order(account_buyer)

    with override_settings(CACHES={"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}}):
        upsert_rose(active=False)
        assert refusal(account_buyer)["code"] == "inactive_sku"
        Product.objects.filter(sku="ROSE").update(active=True)  # no bump at all: only a database read sees it
        assert order(account_buyer).lines.get().sku == "ROSE"
