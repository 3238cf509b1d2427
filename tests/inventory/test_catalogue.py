"""The smallest orderable quantity: the minimum rounded up to whole cases, and the
quantity intake's own line rules accept."""

from decimal import Decimal

import pytest

from inventory.catalogue import smallest_orderable_quantity
from orders.intake_cache import CatalogueProduct
from orders.validation import validate_lines


@pytest.mark.parametrize(
    ("case_pack", "min_order_qty", "smallest"),
    [
        (10, 0, 10),  # no minimum: one case
        (10, 5, 10),  # a minimum under one case: one case
        (10, 10, 10),  # exactly one case
        (10, 15, 20),  # between cases: rounded up, not 15
        (50, 100, 100),  # a whole number of cases
        (50, 101, 150),
        (1, 7, 7),
    ],
)
def test_is_the_minimum_rounded_up_to_whole_cases_and_at_least_one_case(case_pack, min_order_qty, smallest):
    assert smallest_orderable_quantity(case_pack=case_pack, min_order_qty=min_order_qty) == smallest


@pytest.mark.parametrize(("case_pack", "min_order_qty"), [(10, 0), (10, 15), (12, 25), (50, 100), (7, 1), (3, 9)])
def test_intake_accepts_it_and_refuses_one_case_less(case_pack, min_order_qty):
    product = CatalogueProduct(
        id=1,
        sku="PEONY",
        name="Peony",
        active=True,
        case_pack=case_pack,
        min_order_qty=min_order_qty,
        list_price=Decimal("1.00"),
    )
    smallest = smallest_orderable_quantity(case_pack=case_pack, min_order_qty=min_order_qty)

    accepted, no_errors = validate_lines([{"sku": "PEONY", "quantity": smallest}], {"PEONY": product})
    _, errors = validate_lines([{"sku": "PEONY", "quantity": smallest - case_pack}], {"PEONY": product})

    assert accepted == [(product, smallest)] and no_errors == []
    assert [e["code"] for e in errors] in (["below_minimum"], ["invalid_quantity"])
