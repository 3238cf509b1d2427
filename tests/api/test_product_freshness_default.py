"""The product's freshness default through the ERP's product upsert: set, kept when not
sent, cleared by null, and refused by name when it is not 0 to 365 days."""

import pytest

from inventory.models import Product

pytestmark = pytest.mark.django_db

BODY = {"name": "Rose Red Naomi 50 cm", "case_pack": 50, "min_order_qty": 0, "list_price": "0.46", "active": True}


def put(api, **extra):
    return api.put("/api/v1/products/RO-FRESH-50/", {**BODY, **extra}, format="json")


def test_the_default_is_set_kept_and_cleared(staff_api):
    assert put(staff_api, min_days_at_delivery=4).status_code == 201
    assert put(staff_api).status_code == 200
    assert Product.objects.get(sku="RO-FRESH-50").min_days_at_delivery == 4

    assert put(staff_api, min_days_at_delivery=None).status_code == 200
    assert Product.objects.get(sku="RO-FRESH-50").min_days_at_delivery is None


@pytest.mark.parametrize("days", [-1, 366, "4", 4.5, True])
def test_a_bad_default_is_named_and_changes_nothing(staff_api, days):
    put(staff_api, min_days_at_delivery=2)

    answer = put(staff_api, min_days_at_delivery=days)

    assert answer.status_code == 400
    assert "min_days_at_delivery" in answer.json()["errors"][0]["field"]
    assert Product.objects.get(sku="RO-FRESH-50").min_days_at_delivery == 2
