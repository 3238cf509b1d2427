"""GET /api/v1/products/ and /products/{sku}/, and the staff upsert PUT /products/{sku}/."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from inventory.factories import StockFactory
from inventory.models import Product, StockMovement
from partners.factories import PartnerPriceFactory
from tests.support.api import NEW_ROSE

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
MONDAY_MORNING = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def roses(warehouses, make_product):
    """1000 at AMS, 500 at RTM of which 200 are reserved, 300 at a closed LHR."""
    product = make_product("ROS-RED-50", name="Red rose 50 cm", category="roses", case_pack=50, list_price="0.40")
    StockFactory(product=product, warehouse=warehouses["AMS"], on_hand=1000)
    StockFactory(product=product, warehouse=warehouses["RTM"], on_hand=500, reserved=200)
    StockFactory(product=product, warehouse=warehouses["LHR"], on_hand=300)
    warehouses["LHR"].is_open = False
    warehouses["LHR"].save(update_fields=["is_open"])
    return product


@pytest.fixture
def tulips(warehouses, make_product):
    return make_product("TUL-YEL-10", name="Yellow tulip", category="Tulips", case_pack=10, list_price="0.25")


@pytest.fixture
def retired(warehouses, make_product):
    return make_product("ROS-OLD-40", name="Retired rose", category="roses", active=False, list_price="0.30")


@pytest.fixture
def fern_prices(account_buyer, roses):
    """FERN pays 0.36 a stem from 1, 0.32 from 500."""
    PartnerPriceFactory(partner=account_buyer, product=roses, min_quantity=1, unit_price=Decimal("0.36"))
    PartnerPriceFactory(partner=account_buyer, product=roses, min_quantity=500, unit_price=Decimal("0.32"))


def by_sku(answer) -> dict:
    return {p["sku"]: p for p in answer.json()["results"]}


def put_product(api, sku, body):
    return api.put(f"{PRODUCTS}{sku}/", body, format="json")


# --- reading the catalogue -------------------------------------------------------------


def test_partners_see_their_own_price_breaks_and_availability_in_open_warehouses(fern_api, roses, fern_prices):
    # FERN's address is on its home warehouse's every-day route: its earliest date is today.
    with time_machine.travel(MONDAY_MORNING, tick=False):
        answer = fern_api.get(PRODUCTS)

    assert answer.status_code == 200
    assert answer.json()["count"] == 1
    assert by_sku(answer)["ROS-RED-50"] == {
        "sku": "ROS-RED-50",
        "name": "Red rose 50 cm",
        "category": "roses",
        "unit": "stem",
        "case_pack": 50,
        "min_order_qty": 0,
        "list_price": "0.40",
        "price": "0.36",
        "price_breaks": [{"min_quantity": 1, "unit_price": "0.36"}, {"min_quantity": 500, "unit_price": "0.32"}],
        "available": 1300,
        "delivery_date": "2027-03-01",
        "min_days_at_delivery": 0,
    }


def test_the_price_is_the_break_reached_by_one_case(fern_api, account_buyer, roses):
    PartnerPriceFactory(partner=account_buyer, product=roses, min_quantity=50, unit_price=Decimal("0.30"))

    product = by_sku(fern_api.get(PRODUCTS))["ROS-RED-50"]

    assert product["price"] == "0.30"
    assert product["price_breaks"] == [{"min_quantity": 50, "unit_price": "0.30"}]


def test_without_a_partner_price_the_price_is_the_list_price(fern_api, tulips):
    product = by_sku(fern_api.get(PRODUCTS))["TUL-YEL-10"]
    assert product["price"] == "0.25" and product["price_breaks"] == [] and product["available"] == 0


def test_another_partners_prices_never_show(other_partner_api, roses, fern_prices):
    product = by_sku(other_partner_api.get(PRODUCTS))["ROS-RED-50"]
    assert product["price"] == "0.40" and product["price_breaks"] == []


def test_partners_see_only_active_products_without_the_active_field(fern_api, roses, retired):
    products = by_sku(fern_api.get(PRODUCTS))

    assert set(products) == {"ROS-RED-50"}
    assert "active" not in products["ROS-RED-50"]


def test_staff_see_every_product_at_list_price_with_active(staff_api, roses, retired, fern_prices):
    products = by_sku(staff_api.get(PRODUCTS))

    assert {sku: p["active"] for sku, p in products.items()} == {"ROS-RED-50": True, "ROS-OLD-40": False}
    assert products["ROS-RED-50"]["price"] == "0.40" and products["ROS-RED-50"]["price_breaks"] == []
    assert by_sku(staff_api.get(PRODUCTS, {"active": "false"})).keys() == {"ROS-OLD-40"}


def test_q_searches_sku_and_name_ignoring_case(fern_api, roses, tulips):
    assert by_sku(fern_api.get(PRODUCTS, {"q": "tul-yel"})).keys() == {"TUL-YEL-10"}
    assert by_sku(fern_api.get(PRODUCTS, {"q": "RED ROSE"})).keys() == {"ROS-RED-50"}
    assert fern_api.get(PRODUCTS, {"q": "orchid"}).json()["count"] == 0


def test_category_filters_ignoring_case(fern_api, roses, tulips):
    assert by_sku(fern_api.get(PRODUCTS, {"category": "tulips"})).keys() == {"TUL-YEL-10"}


def test_the_list_is_paginated(fern_api, make_product, warehouses):
    for n in range(3):
        make_product(f"PAGE-{n}")

    first = fern_api.get(PRODUCTS, {"page_size": 2}).json()

    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    assert first["page"] == 1 and first["next_page"] == 2
    past_the_end = fern_api.get(PRODUCTS, {"page": 9})
    assert past_the_end.status_code == 200
    assert past_the_end.json() | {"results": None} == {
        "count": 3,
        "page": 9,
        "next_page": None,
        "next": None,
        "previous": None,
        "results": None,
    }


def test_a_bad_filter_is_400_naming_it(staff_api, roses):
    answer = staff_api.get(PRODUCTS, {"active": "maybe"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_filter" and answer.json()["errors"][0]["field"] == "active"


def test_a_nul_in_the_search_is_400_not_500(fern_api, roses):
    answer = fern_api.get(PRODUCTS, {"q": "ro\x00se"})
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "q"


@pytest.mark.parametrize("page_size", [5, 20])
def test_a_page_costs_the_same_few_queries_however_many_products(
    fern_api, account_buyer, warehouses, make_product, django_assert_num_queries, page_size
):
    for n in range(25):
        product = make_product(f"BULK-{n:02d}", stock={warehouses["AMS"]: 100, warehouses["RTM"]: 50})
        PartnerPriceFactory(partner=account_buyer, product=product, min_quantity=1, unit_price=Decimal("0.10"))
        PartnerPriceFactory(partner=account_buyer, product=product, min_quantity=100, unit_price=Decimal("0.08"))

    # token and user, the partner's addresses and the route calendars (for its earliest
    # delivery date; a warm process keeps the calendars), count, the page with
    # availability, the partner's prices
    with django_assert_num_queries(7):
        answer = fern_api.get(PRODUCTS, {"page_size": page_size})

    assert len(answer.json()["results"]) == page_size
    assert {p["available"] for p in answer.json()["results"]} == {150}
    assert {len(p["price_breaks"]) for p in answer.json()["results"]} == {2}


def test_one_product_at_the_callers_price(fern_api, roses, fern_prices):
    answer = fern_api.get(f"{PRODUCTS}ROS-RED-50/")
    assert answer.status_code == 200
    assert answer.json()["price"] == "0.36" and answer.json()["available"] == 1300


def test_an_unknown_or_inactive_product_is_404_for_partners(fern_api, staff_api, retired):
    unknown = fern_api.get(f"{PRODUCTS}NOPE/")
    inactive = fern_api.get(f"{PRODUCTS}ROS-OLD-40/")

    assert unknown.status_code == 404 and unknown.json() == {
        "code": "product_not_found",
        "detail": "Product NOPE not found.",
    }
    assert inactive.status_code == 404 and inactive.json()["code"] == "product_not_found"
    assert staff_api.get(f"{PRODUCTS}ROS-OLD-40/").json()["active"] is False


def test_a_nul_in_the_sku_is_404_not_500(staff_api, roses):
    assert staff_api.get(f"{PRODUCTS}ROS%00/").status_code == 404


def test_reading_without_a_token_is_401(roses):
    for path in (PRODUCTS, f"{PRODUCTS}ROS-RED-50/"):
        answer = APIClient().get(path)
        assert answer.status_code == 401 and answer.json()["code"] == "not_authenticated"


# --- the staff upsert ------------------------------------------------------------------


def test_staff_create_a_product_with_201(staff_api, warehouses):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        answer = put_product(staff_api, "ROS-WHI-60", NEW_ROSE)

    assert answer.status_code == 201
    assert answer["Location"] == "/api/v1/products/ROS-WHI-60/"
    assert answer.json() == {
        **NEW_ROSE,
        "sku": "ROS-WHI-60",
        "price": "0.55",
        "price_breaks": [],
        "available": 0,
        "delivery_date": "2027-03-01",  # staff naming no partner: today
        "min_days_at_delivery": 0,
    }
    assert Product.objects.get(sku="ROS-WHI-60").min_order_qty == 40


def test_staff_update_a_product_with_200_keeping_unit_and_category_when_absent(staff_api, roses):
    body = {"name": "Red rose 50 cm, Kenya", "case_pack": 25, "min_order_qty": 0, "list_price": "0.42", "active": False}

    answer = put_product(staff_api, "ROS-RED-50", body)

    assert answer.status_code == 200
    assert answer.json()["name"] == "Red rose 50 cm, Kenya" and answer.json()["active"] is False
    assert answer.json()["unit"] == "stem" and answer.json()["category"] == "roses"
    roses.refresh_from_db()
    assert (roses.case_pack, roses.list_price, roses.active) == (25, Decimal("0.42"), False)
    assert answer.json()["available"] == 1300  # stock is not the product's to change


def test_a_new_product_without_unit_or_category_gets_the_defaults(staff_api, warehouses):
    body = {k: v for k, v in NEW_ROSE.items() if k not in ("unit", "category")}
    answer = put_product(staff_api, "ROS-WHI-70", body)
    assert answer.status_code == 201 and answer.json()["unit"] == "stem" and answer.json()["category"] == ""


def test_unknown_fields_are_refused_naming_each(staff_api, warehouses):
    answer = put_product(staff_api, "ROS-WHI-60", {**NEW_ROSE, "colour": "white", "sku": "OTHER"})

    assert answer.status_code == 400
    assert {(e["field"], e["code"]) for e in answer.json()["errors"]} == {
        ("colour", "unknown_field"),
        ("sku", "unknown_field"),
    }
    assert not Product.objects.filter(sku="ROS-WHI-60").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("case_pack", "20"),
        ("case_pack", 2.5),
        ("case_pack", True),
        ("min_order_qty", None),
        ("list_price", "cheap"),
        ("list_price", True),
        ("active", "yes"),
        ("active", 1),
        ("name", ["a"]),
    ],
)
def test_a_wrong_type_is_400_naming_the_field(staff_api, warehouses, field, value):
    answer = put_product(staff_api, "ROS-WHI-60", {**NEW_ROSE, field: value})

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and [e["field"] for e in answer.json()["errors"]] == [field]
    assert answer.json()["detail"].startswith(f"{field}: ")
    assert not Product.objects.filter(sku="ROS-WHI-60").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("case_pack", 0),
        ("case_pack", -5),
        ("min_order_qty", -1),
        ("list_price", "-0.01"),
        ("list_price", "0.555"),
        ("list_price", "NaN"),
        ("list_price", "100000000.00"),
        ("case_pack", 2**31),
        ("name", ""),
        ("unit", "x" * 21),
    ],
)
def test_an_out_of_range_value_is_400_naming_the_field(staff_api, warehouses, field, value):
    answer = put_product(staff_api, "ROS-WHI-60", {**NEW_ROSE, field: value})

    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert not Product.objects.filter(sku="ROS-WHI-60").exists()


def test_missing_fields_are_each_named(staff_api, warehouses):
    answer = put_product(staff_api, "ROS-WHI-60", {"name": "White rose"})

    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"case_pack", "min_order_qty", "list_price", "active"}
    assert {e["code"] for e in answer.json()["errors"]} == {"required"}


@pytest.mark.parametrize("sku", ["X" * 41, "ROS%20WHI"])
def test_a_sku_too_long_or_with_spaces_is_refused_naming_it(staff_api, warehouses, sku):
    answer = put_product(staff_api, sku, NEW_ROSE)

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_product"
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [("sku", "invalid_sku")]
    assert not Product.objects.exists()


@pytest.mark.parametrize("raw", ["[1, 2]", "null", "{not json", '"text"'])
def test_a_body_that_is_not_a_json_object_is_400(staff_api, warehouses, raw):
    answer = staff_api.put(f"{PRODUCTS}ROS-WHI-60/", data=raw, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["code"] in ("invalid", "malformed_json")


def test_partners_may_not_upsert_products(fern_api, roses):
    answer = put_product(fern_api, "ROS-RED-50", {**NEW_ROSE, "list_price": "0.01"})

    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
    roses.refresh_from_db()
    assert roses.list_price == Decimal("0.40")


def test_upserting_without_a_token_is_401(warehouses):
    answer = put_product(APIClient(), "ROS-WHI-60", NEW_ROSE)
    assert answer.status_code == 401 and not Product.objects.exists()


def test_an_upsert_writes_no_stock_movement(staff_api, roses):
    before = StockMovement.objects.count()
    put_product(staff_api, "ROS-RED-50", {**NEW_ROSE, "name": "Red rose"})
    assert StockMovement.objects.count() == before
