"""PUT and DELETE /api/v1/prices/{partner_code}/{sku}/: staff set a partner's prices."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from partners.factories import PartnerPriceFactory
from partners.models import PartnerPrice

pytestmark = pytest.mark.django_db

FERN_ROSES = "/api/v1/prices/FERN/ROS-RED-50/"


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-RED-50", stock={warehouses["RTM"]: 1000}, case_pack=50, list_price="0.40")


def fern_prices(account_buyer) -> list[tuple[int, Decimal]]:
    return list(PartnerPrice.objects.filter(partner=account_buyer).values_list("min_quantity", "unit_price"))


def test_staff_set_a_price_with_201_then_change_it_with_200(staff_api, account_buyer, roses):
    created = staff_api.put(FERN_ROSES, {"unit_price": "0.36"}, format="json")
    changed = staff_api.put(FERN_ROSES, {"unit_price": "0.35", "min_quantity": 1}, format="json")

    assert created.status_code == 201 and changed.status_code == 200
    assert {k: v for k, v in changed.json().items() if k != "updated_at"} == {
        "partner": "FERN",
        "sku": "ROS-RED-50",
        "min_quantity": 1,
        "unit_price": "0.35",
    }
    assert fern_prices(account_buyer) == [(1, Decimal("0.35"))]


def test_a_break_from_a_quantity_is_a_row_of_its_own(staff_api, account_buyer, roses):
    staff_api.put(FERN_ROSES, {"unit_price": "0.36"}, format="json")
    staff_api.put(FERN_ROSES, {"unit_price": "0.32", "min_quantity": 500}, format="json")

    assert fern_prices(account_buyer) == [(1, Decimal("0.36")), (500, Decimal("0.32"))]


def test_the_partner_sees_the_new_price_in_the_catalogue_and_no_other_partner_does(
    staff_api, fern_api, other_partner_api, roses
):
    staff_api.put(FERN_ROSES, {"unit_price": "0.36"}, format="json")

    assert fern_api.get("/api/v1/products/ROS-RED-50/").json()["price"] == "0.36"
    assert other_partner_api.get("/api/v1/products/ROS-RED-50/").json()["price"] == "0.40"


def test_a_free_price_is_allowed(staff_api, account_buyer, roses):
    assert staff_api.put(FERN_ROSES, {"unit_price": "0.00"}, format="json").status_code == 201


def test_an_unknown_partner_is_404_naming_it(staff_api, roses):
    answer = staff_api.put("/api/v1/prices/NOPE/ROS-RED-50/", {"unit_price": "0.36"}, format="json")
    assert answer.status_code == 404 and answer.json() == {
        "code": "partner_not_found",
        "detail": "Partner NOPE not found.",
    }


def test_an_unknown_sku_is_404_naming_it(staff_api, account_buyer, roses):
    answer = staff_api.put("/api/v1/prices/FERN/NOPE/", {"unit_price": "0.36"}, format="json")
    assert answer.status_code == 404 and answer.json() == {
        "code": "product_not_found",
        "detail": "Product NOPE not found.",
    }
    assert not PartnerPrice.objects.exists()


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"unit_price": "-0.01"}, "unit_price", "invalid"),
        ({"unit_price": "0.355"}, "unit_price", "invalid"),
        ({"unit_price": "cheap"}, "unit_price", "invalid"),
        ({"unit_price": "Infinity"}, "unit_price", "invalid"),
        ({}, "unit_price", "required"),
        ({"unit_price": "0.36", "min_quantity": 0}, "min_quantity", "min_value"),
        ({"unit_price": "0.36", "min_quantity": -10}, "min_quantity", "min_value"),
        ({"unit_price": "0.36", "min_quantity": "500"}, "min_quantity", "invalid"),
        ({"unit_price": "0.36", "min_quantity": 2**31}, "min_quantity", "max_value"),
        ({"unit_price": "0.36", "currency": "EUR"}, "currency", "unknown_field"),
    ],
)
def test_bad_input_is_400_naming_the_field(staff_api, account_buyer, roses, body, field, code):
    answer = staff_api.put(FERN_ROSES, body, format="json")

    assert answer.status_code == 400
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [(field, code)]
    assert not PartnerPrice.objects.exists()


def test_partners_may_not_set_prices(fern_api, roses):
    answer = fern_api.put(FERN_ROSES, {"unit_price": "0.01"}, format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
    assert not PartnerPrice.objects.exists()


def test_setting_a_price_without_a_token_is_401(account_buyer, roses):
    assert APIClient().put(FERN_ROSES, {"unit_price": "0.01"}, format="json").status_code == 401


def test_staff_remove_a_break_and_a_second_removal_is_404(staff_api, account_buyer, roses):
    PartnerPriceFactory(partner=account_buyer, product=roses, min_quantity=1, unit_price=Decimal("0.36"))
    PartnerPriceFactory(partner=account_buyer, product=roses, min_quantity=500, unit_price=Decimal("0.32"))

    removed = staff_api.delete(f"{FERN_ROSES}?min_quantity=500")
    again = staff_api.delete(f"{FERN_ROSES}?min_quantity=500")

    assert removed.status_code == 204
    assert again.status_code == 404 and again.json() == {
        "code": "price_not_found",
        "detail": "Partner FERN has no price for ROS-RED-50 from 500 units.",
    }
    assert fern_prices(account_buyer) == [(1, Decimal("0.36"))]


def test_removing_without_min_quantity_removes_the_plain_price(staff_api, account_buyer, roses):
    PartnerPriceFactory(partner=account_buyer, product=roses, min_quantity=1, unit_price=Decimal("0.36"))
    assert staff_api.delete(FERN_ROSES).status_code == 204
    assert fern_prices(account_buyer) == []


@pytest.mark.parametrize("value", ["many", "0", "1.5"])
def test_removing_with_a_bad_min_quantity_is_400(staff_api, account_buyer, roses, value):
    answer = staff_api.delete(f"{FERN_ROSES}?min_quantity={value}")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "min_quantity"


def test_partners_may_not_remove_prices(fern_api, account_buyer, roses):
    PartnerPriceFactory(partner=account_buyer, product=roses, min_quantity=1, unit_price=Decimal("0.36"))
    assert fern_api.delete(FERN_ROSES).status_code == 403
    assert APIClient().delete(FERN_ROSES).status_code == 401
    assert fern_prices(account_buyer) == [(1, Decimal("0.36"))]
