"""Order intake: validation naming the line and SKU at fault, prices from the partner's
list with quantity breaks, idempotency, and the number of queries it costs."""

from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orders.exceptions import IdempotencyKeyInFlightError, IdempotencyKeyReusedError, OrderValidationError
from orders.intake import place_order
from orders.intake_cache import forget_local_catalogue
from orders.models import IdempotencyRecord, Order, OrderEvent, OrderStatus
from partners.factories import PartnerFactory, PartnerPriceFactory, ShipToAddressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(warehouses, make_product):
    return {
        "ROSE": make_product("ROSE", stock={warehouses["AMS"]: 1000}, case_pack=20, list_price="0.50"),
        "VASE": make_product("VASE", stock={warehouses["AMS"]: 1000}, case_pack=1, min_order_qty=5, list_price="3.00"),
        "OLD": make_product("OLD", case_pack=1, active=False, list_price="1.00"),
    }


def rejected(partner, lines, **kwargs) -> OrderValidationError:
    with pytest.raises(OrderValidationError) as error:
        place_order(partner=partner, lines=lines, **kwargs)
    assert not Order.objects.exists() and not OrderEvent.objects.exists()
    return error.value


def test_accepts_an_order_in_created_with_its_first_event(account_buyer, catalogue):
    result = place_order(
        partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 40}, {"sku": "VASE", "quantity": 5}], po_number="PO-7"
    )

    order = result.order
    assert order.status == OrderStatus.CREATED and order.number.startswith("BQ-")
    assert order.total == Decimal("35.00")
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("ROSE", 40, Decimal("0.50")),
        ("VASE", 5, Decimal("3.00")),
    ]
    assert list(order.events.values_list("from_status", "to_status")) == [("", "CREATED")]
    assert result.snapshot["number"] == order.number and result.snapshot["total"] == "35.00"


def test_prices_come_from_the_partners_list_with_quantity_breaks(account_buyer, catalogue):
    PartnerPriceFactory(partner=account_buyer, product=catalogue["ROSE"], min_quantity=1, unit_price="0.45")
    PartnerPriceFactory(partner=account_buyer, product=catalogue["ROSE"], min_quantity=100, unit_price="0.40")

    small = place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 40}]).order
    large = place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 100}]).order
    listed = place_order(partner=account_buyer, lines=[{"sku": "VASE", "quantity": 5}]).order

    assert small.lines.get().unit_price == Decimal("0.45")
    assert large.lines.get().unit_price == Decimal("0.40")
    assert listed.lines.get().unit_price == Decimal("3.00")


def test_rejects_an_unknown_sku_naming_the_line(account_buyer, catalogue):
    error = rejected(account_buyer, [{"sku": "ROSE", "quantity": 20}, {"sku": "NOPE", "quantity": 1}])
    assert error.code == "invalid_order"
    assert error.errors == [
        {"line": 2, "sku": "NOPE", "code": "unknown_sku", "detail": "Line 2: NOPE is not in the catalogue."}
    ]


def test_rejects_an_inactive_sku(account_buyer, catalogue):
    [problem] = rejected(account_buyer, [{"sku": "OLD", "quantity": 1}]).errors
    assert (problem["code"], problem["sku"]) == ("inactive_sku", "OLD")


def test_rejects_quantity_off_the_case_pack(account_buyer, catalogue):
    [problem] = rejected(account_buyer, [{"sku": "ROSE", "quantity": 30}]).errors
    assert problem["code"] == "not_case_pack_multiple" and "cases of 20" in problem["detail"]


def test_rejects_quantity_below_the_minimum(account_buyer, catalogue):
    [problem] = rejected(account_buyer, [{"sku": "VASE", "quantity": 4}]).errors
    assert problem["code"] == "below_minimum" and "minimum order for VASE is 5" in problem["detail"]


@pytest.mark.parametrize("quantity", [0, -20, "abc", 2.5, None, True])
def test_rejects_a_quantity_that_is_not_a_positive_whole_number(account_buyer, catalogue, quantity):
    [problem] = rejected(account_buyer, [{"sku": "ROSE", "quantity": quantity}]).errors
    assert problem["code"] == "invalid_quantity" and problem["sku"] == "ROSE"


def test_rejects_a_sku_twice(account_buyer, catalogue):
    [problem] = rejected(account_buyer, [{"sku": "ROSE", "quantity": 20}, {"sku": "ROSE", "quantity": 20}]).errors
    assert problem["code"] == "duplicate_sku" and problem["line"] == 2


def test_rejects_an_empty_order(account_buyer, catalogue):
    [problem] = rejected(account_buyer, []).errors
    assert problem == {"field": "lines", "code": "lines_required", "detail": "An order needs at least one line."}


def test_rejects_a_delivery_date_in_the_past(account_buyer, catalogue):
    yesterday = timezone.localdate() - timedelta(days=1)
    [problem] = rejected(
        account_buyer, [{"sku": "ROSE", "quantity": 20}], requested_delivery_date=yesterday.isoformat()
    ).errors
    assert (problem["field"], problem["code"], problem["reason"]) == (
        "requested_delivery_date",
        "delivery_date_unavailable",
        "cutoff_passed",
    )
    assert problem["detail"].startswith(f"requested_delivery_date {yesterday} is not available: it is in the past; ")


def test_rejects_a_malformed_delivery_date(account_buyer, catalogue):
    [problem] = rejected(account_buyer, [{"sku": "ROSE", "quantity": 20}], requested_delivery_date="13/02/2027").errors
    assert problem["code"] == "invalid_date"


def test_rejects_a_ship_to_of_another_partner(account_buyer, catalogue):
    foreign = ShipToAddressFactory(partner=PartnerFactory(code="OTHER"))
    [problem] = rejected(account_buyer, [{"sku": "ROSE", "quantity": 20}], ship_to=foreign.id).errors
    assert (problem["field"], problem["code"]) == ("ship_to", "invalid_ship_to")


def test_lists_every_bad_line_at_once(account_buyer, catalogue):
    error = rejected(
        account_buyer, [{"sku": "NOPE", "quantity": 1}, {"sku": "ROSE", "quantity": 3}, {"sku": "VASE", "quantity": 1}]
    )
    assert [p["line"] for p in error.errors] == [1, 2, 3]
    assert "3 problems" in error.message


def test_uses_the_partners_default_ship_to(account_buyer, catalogue):
    ShipToAddressFactory(partner=account_buyer, label="Back door")
    default = ShipToAddressFactory(partner=account_buyer, label="Front", is_default=True)
    order = place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}]).order
    assert order.ship_to == default


def test_a_replayed_key_returns_the_first_answer_without_a_second_order(account_buyer, catalogue):
    lines = [{"sku": "ROSE", "quantity": 20}]
    first = place_order(partner=account_buyer, lines=lines, idempotency_key="k-1")
    replay = place_order(partner=account_buyer, lines=lines, idempotency_key="k-1")

    assert (first.replayed, replay.replayed) == (False, True)
    assert replay.snapshot == first.snapshot and replay.order == first.order
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(account_buyer, catalogue):
    place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="k-2")

    with pytest.raises(IdempotencyKeyReusedError) as refused:
        place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 40}], idempotency_key="k-2")

    assert refused.value.code == "idempotency_key_reused" and "k-2" in refused.value.message
    assert Order.objects.count() == 1


def test_a_replay_answers_the_first_answer_although_the_rules_now_refuse_the_order(account_buyer, catalogue):
    # Intake checks the rules before its statement claims the key; a refusal looks for
    # the key's first answer before it is raised.
    lines = [{"sku": "ROSE", "quantity": 20}]
    first = place_order(partner=account_buyer, lines=lines, idempotency_key="k-later")
    catalogue["ROSE"].active = False
    catalogue["ROSE"].save(update_fields=["active"])

    replay = place_order(partner=account_buyer, lines=lines, idempotency_key="k-later")

    assert replay.replayed and replay.snapshot == first.snapshot
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_that_the_rules_refuse_is_told_the_key_was_reused(account_buyer, catalogue):
    place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="k-4")

    with pytest.raises(IdempotencyKeyReusedError):
        place_order(partner=account_buyer, lines=[{"sku": "NOPE", "quantity": 1}], idempotency_key="k-4")

    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refusal_inside_a_callers_transaction_leaves_it_usable(account_buyer, catalogue):
    with transaction.atomic():
        with pytest.raises(OrderValidationError):
            place_order(partner=account_buyer, lines=[{"sku": "NOPE", "quantity": 1}], idempotency_key="k-5")
        placed = place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="k-5")

    assert not placed.replayed and Order.objects.get().number == placed.snapshot["number"]


def test_the_same_key_for_two_partners_gives_two_orders(account_buyer, catalogue):
    other = PartnerFactory(code="OTHER2")
    place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="shared")
    place_order(partner=other, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="shared")
    assert Order.objects.count() == 2 and IdempotencyRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_key_still_in_flight_is_answered_with_a_conflict(account_buyer, catalogue):
    db = settings.DATABASES["default"]
    holder = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"]
    )
    try:
        holder.execute("BEGIN")
        holder.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"idempotency:{account_buyer.id}:busy"]
        )
        with pytest.raises(IdempotencyKeyInFlightError) as refused:
            place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="busy")
    finally:
        holder.close()
    assert refused.value.code == "idempotency_key_in_flight"
    assert Order.objects.count() == 0


def test_a_failed_validation_leaves_the_key_free(account_buyer, catalogue):
    rejected(account_buyer, [{"sku": "NOPE", "quantity": 1}], idempotency_key="k-3")
    result = place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}], idempotency_key="k-3")
    assert not result.replayed


@pytest.fixture
def pin_products(warehouses, make_product, account_buyer):
    """Forty products (twenty for a warm cache, twenty for a cold one), some with a
    partner price, and an address: committed, so the intake cache may keep them."""
    products = [make_product(f"PIN-{n:02d}", case_pack=1, list_price="1.00") for n in range(40)]
    for product in products[::3]:
        PartnerPriceFactory(partner=account_buyer, product=product, min_quantity=1, unit_price="0.90")
    ShipToAddressFactory(partner=account_buyer, is_default=True)
    return products


def order_of(products) -> list[dict]:
    return [{"sku": p.sku, "quantity": 1} for p in products]


@pytest.mark.django_db(transaction=True)
def test_intake_is_one_statement_however_many_lines(account_buyer, pin_products, django_assert_num_queries):
    place_order(partner=account_buyer, lines=order_of(pin_products[:20]), idempotency_key="warm")

    for count in (1, 20):
        # The key's claim and the write, in autocommit (no BEGIN, no COMMIT): the
        # catalogue, prices and ship-to come from the process's cache
        with django_assert_num_queries(1):
            place_order(partner=account_buyer, lines=order_of(pin_products[:count]), idempotency_key=f"warm-{count}")


@pytest.mark.django_db(transaction=True)
def test_a_cold_cache_costs_one_read_per_kind_however_many_lines(
    account_buyer, pin_products, django_assert_num_queries
):
    for count, products in ((1, pin_products[20:21]), (20, pin_products[21:40] + pin_products[:1])):
        forget_local_catalogue()
        # ship-tos, products, campaign products not yet allocated, prices, routes,
        # route exceptions, and the one write (which claims the key)
        with django_assert_num_queries(7):
            place_order(partner=account_buyer, lines=order_of(products), idempotency_key=f"cold-{count}")


def test_an_address_without_a_route_of_its_own_is_served_by_the_partners_home_route(account_buyer, catalogue):
    # Made by code that ran before routes existed, after the upgrade gave the others one.
    ShipToAddressFactory(partner=account_buyer, label="Old shop", is_default=True, route=None)

    placed = place_order(partner=account_buyer, lines=[{"sku": "ROSE", "quantity": 20}]).order

    assert placed.route.code == "RTM-ALL"  # the first route of FERN's home warehouse
