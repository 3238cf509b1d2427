"""The freshness rule (docs/DESIGN.md section 11) as a pure function, and the product's
default kept by the catalogue's upsert."""

import datetime
from decimal import Decimal

import pytest

from inventory.catalogue import upsert_product
from inventory.exceptions import InventoryError
from inventory.freshness import days_left, lot_serves, required_days

D = datetime.date(2027, 2, 13)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("partner", "product", "days"),
    [(None, None, 0), (None, 4, 4), (3, 4, 3), (0, 4, 0), (7, None, 7)],
)
def test_the_partners_rule_else_the_products_default_else_none(partner, product, days):
    assert required_days(partner, product) == days


@pytest.mark.parametrize(
    ("available_from", "expires_on", "required", "serves"),
    [
        pytest.param(None, None, 7, True, id="no dates: does not perish"),
        pytest.param(None, D + 3 * DAY, 3, True, id="exactly the days required"),
        pytest.param(None, D + 2 * DAY, 3, False, id="one day fewer"),
        pytest.param(None, D, 0, True, id="its last day, nothing required"),
        pytest.param(None, D - DAY, 0, False, id="expired the day before"),
        pytest.param(D, None, 0, True, id="arrives on the day"),
        pytest.param(D + DAY, None, 0, False, id="arrives the day after"),
        pytest.param(D - 5 * DAY, D + 10 * DAY, 7, True, id="arrived, fresh enough"),
    ],
)
def test_a_lot_serves_a_date(available_from, expires_on, required, serves):
    assert (
        lot_serves(available_from=available_from, expires_on=expires_on, delivery_date=D, required_days=required)
        is serves
    )


def test_days_left_on_the_delivery_date():
    assert (days_left(D + 6 * DAY, D), days_left(None, D), days_left(D - DAY, D)) == (6, None, -1)


@pytest.mark.django_db
def test_the_products_default_is_set_kept_and_cleared_by_the_upsert():
    fields = {"name": "Red rose", "case_pack": 10, "min_order_qty": 0, "list_price": Decimal("1.00"), "active": True}

    product, _ = upsert_product(sku="RO-FRESH", min_days_at_delivery=4, actor="erp", **fields)
    kept, _ = upsert_product(sku="RO-FRESH", actor="erp", **fields)
    assert (product.min_days_at_delivery, kept.min_days_at_delivery) == (4, 4)
    cleared, _ = upsert_product(sku="RO-FRESH", min_days_at_delivery=None, actor="erp", **fields)
    assert cleared.min_days_at_delivery is None


@pytest.mark.django_db
@pytest.mark.parametrize("days", [-1, 366, "4", True])
def test_a_bad_default_is_named_and_nothing_is_written(days):
    fields = {"name": "Red rose", "case_pack": 10, "min_order_qty": 0, "list_price": Decimal("1.00"), "active": True}

    with pytest.raises(InventoryError) as refused:
        upsert_product(sku="RO-BAD", min_days_at_delivery=days, actor="erp", **fields)

    assert refused.value.errors[0]["field"] == "min_days_at_delivery"
    assert "from 0 to 365" in refused.value.message
