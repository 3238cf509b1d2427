"""Products and partner prices hold the contract their schema states (issue 15): what
the schema declares, the server enforces with 400, and what it lets through, the
server does not refuse as a broken request."""

import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from config.api.inputs import MONEY_PATTERN
from inventory.models import Product
from partners.factories import PartnerPriceFactory
from partners.models import PartnerPrice
from tests.support.api import NEW_ROSE
from tests.support.openapi import component, operation, parameter, request_body

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
PRODUCT = "/api/v1/products/{sku}/"
PRICE = "/api/v1/prices/{partner_code}/{sku}/"
FERN_ROSES = "/api/v1/prices/FERN/ROS-RED-50/"


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-RED-50", stock={warehouses["AMS"]: 1000}, case_pack=50, list_price="0.40")


# --- item 1: ProductOutput -----------------------------------------------------------------


def test_product_output_declares_staff_only_active_and_requires_every_field_always_there(schema):
    product = component(schema, "ProductOutput")

    assert product["properties"]["active"] == {"type": "boolean", "description": "Present for staff tokens only."}
    assert set(product["required"]) == set(product["properties"]) - {"active"}
    assert all(product["properties"][name].get("readOnly") for name in product["required"])
    not_found = operation(schema, "get", PRODUCT)["responses"]["404"]["description"]
    assert "product_not_found" in not_found and "warehouse_not_found" not in not_found


def test_staff_answers_carry_active_and_partner_answers_leave_it_out(staff_api, fern_api, roses):
    assert staff_api.get(f"{PRODUCTS}ROS-RED-50/").json()["active"] is True
    assert "active" not in fern_api.get(f"{PRODUCTS}ROS-RED-50/").json()


# --- item 2: money ------------------------------------------------------------------------


def test_list_price_and_unit_price_declare_the_money_pattern(schema):
    declared = [request_body(schema, "put", PRODUCT)["properties"]["list_price"]]
    declared.append(request_body(schema, "put", PRICE)["properties"]["unit_price"])

    for money in declared:
        assert (money["type"], money["pattern"]) == ("string", MONEY_PATTERN)
        assert [text for text in ("", "-", ".", "-1.00", "1e3", "0.40") if re.search(money["pattern"], text)] == [
            "0.40"
        ]


@pytest.mark.parametrize("price", [0.55, 1, "", "-", ".", "-0.01", "0.555"])
def test_a_list_price_that_is_not_a_money_string_is_400(staff_api, warehouses, price):
    answer = staff_api.put(f"{PRODUCTS}ROS-WHI-60/", {**NEW_ROSE, "list_price": price}, format="json")

    assert answer.status_code == 400
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [("list_price", "invalid")]
    assert not Product.objects.exists()


@pytest.mark.parametrize("price", [0.36, 0, "", "-", ".", "-0.01"])
def test_a_unit_price_that_is_not_a_money_string_is_400(staff_api, account_buyer, roses, price):
    answer = staff_api.put(FERN_ROSES, {"unit_price": price}, format="json")

    assert answer.status_code == 400
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [("unit_price", "invalid")]
    assert not PartnerPrice.objects.exists()


# --- item 4: strict inputs ----------------------------------------------------------------


def test_product_and_price_inputs_are_strict_and_declare_what_they_refuse(schema):
    product, price = request_body(schema, "put", PRODUCT), request_body(schema, "put", PRICE)

    assert product["additionalProperties"] is False and price["additionalProperties"] is False
    assert product["properties"]["name"]["minLength"] == 1 and product["properties"]["unit"]["minLength"] == 1
    assert "minLength" not in product["properties"]["category"]


@pytest.mark.parametrize(
    "change, field",
    [({"name": 12}, "name"), ({"unit": 3}, "unit"), ({"category": True}, "category"), ({"unit": ""}, "unit")],
)
def test_product_texts_are_json_strings_never_coerced(staff_api, warehouses, change, field):
    answer = staff_api.put(f"{PRODUCTS}ROS-WHI-60/", {**NEW_ROSE, **change}, format="json")

    assert answer.status_code == 400 and [e["field"] for e in answer.json()["errors"]] == [field]
    assert not Product.objects.exists()


# --- item 5: the products' filters --------------------------------------------------------


def test_the_active_filter_is_a_boolean_and_q_declares_it_refuses_a_nul(schema):
    assert parameter(schema, "get", PRODUCTS, "active")["schema"] == {"type": "boolean"}
    assert parameter(schema, "get", PRODUCTS, "q")["schema"]["pattern"] == "^[^\\u0000]*$"


@pytest.mark.parametrize("value", ["yes", "1", "True", "", "null"])
def test_the_active_filter_takes_true_or_false_only(staff_api, roses, value):
    answer = staff_api.get(PRODUCTS, {"active": value})

    assert answer.status_code == 400 and answer.json()["code"] == "invalid_filter"
    assert answer.json()["errors"][0]["field"] == "active"


def test_the_active_filter_true_and_false_filter(staff_api, roses, make_product):
    make_product("ROS-OLD-40", active=False)

    assert [p["sku"] for p in staff_api.get(PRODUCTS, {"active": "false"}).json()["results"]] == ["ROS-OLD-40"]
    assert [p["sku"] for p in staff_api.get(PRODUCTS, {"active": "true"}).json()["results"]] == ["ROS-RED-50"]


# --- item 6: Location ---------------------------------------------------------------------


def test_a_created_product_sends_the_location_its_201_declares(schema, staff_api, warehouses):
    answers = operation(schema, "put", PRODUCT)["responses"]
    created = staff_api.put(f"{PRODUCTS}ROS-WHI-60/", NEW_ROSE, format="json")
    updated = staff_api.put(f"{PRODUCTS}ROS-WHI-60/", NEW_ROSE, format="json")

    assert answers["201"]["headers"]["Location"]["required"] is True and "headers" not in answers["200"]
    assert created.status_code == 201 and created["Location"] == f"{PRODUCTS}ROS-WHI-60/"
    assert updated.status_code == 200 and "Location" not in updated


def test_a_created_price_declares_no_header_and_sends_none(schema, staff_api, account_buyer, roses):
    created = staff_api.put(FERN_ROSES, {"unit_price": "0.36"}, format="json")

    assert created.status_code == 201 and "Location" not in created
    assert not [a for a in operation(schema, "put", PRICE)["responses"].values() if "Location" in a.get("headers", {})]


# --- a new product's SKU ------------------------------------------------------------------


def test_a_new_products_sku_has_a_declared_pattern_the_server_holds(schema, staff_api, warehouses):
    pattern = parameter(schema, "put", PRODUCT, "sku")["schema"]["pattern"]
    answer = staff_api.put(f"{PRODUCTS}RÖSE-60/", NEW_ROSE, format="json")

    assert not re.search(pattern, "RÖSE-60") and re.search(pattern, "RO-NAOMI-50")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_product"
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [("sku", "invalid_sku")]
    assert not Product.objects.exists()


# --- item 8: DELETE's min_quantity --------------------------------------------------------


def test_deletes_min_quantity_declares_its_bounds(schema):
    declared = parameter(schema, "delete", PRICE, "min_quantity")["schema"]
    assert (declared["type"], declared["minimum"], declared["maximum"]) == ("integer", 1, 2**31 - 1)


@pytest.mark.parametrize("raw", ["5.0", " 5", "5 ", "", "0", "-5", "five", str(2**31)])
def test_deletes_min_quantity_is_a_whole_number_within_bounds_or_400(staff_api, account_buyer, roses, raw):
    PartnerPriceFactory(partner=account_buyer, product=roses, min_quantity=5, unit_price=Decimal("0.30"))

    answer = staff_api.delete(f"{FERN_ROSES}?{urlencode({'min_quantity': raw})}")

    assert answer.status_code == 400 and answer.json()["code"] == "invalid_filter"
    assert answer.json()["errors"][0]["field"] == "min_quantity"
    assert PartnerPrice.objects.filter(min_quantity=5).exists()


def test_deletes_min_quantity_removes_that_break(staff_api, account_buyer, roses):
    PartnerPriceFactory(partner=account_buyer, product=roses, min_quantity=5, unit_price=Decimal("0.30"))

    assert staff_api.delete(f"{FERN_ROSES}?min_quantity=5").status_code == 204
    assert not PartnerPrice.objects.exists()
