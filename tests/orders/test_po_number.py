"""The PO-number rule that intake and the cart's checkout share."""

from orders.models import Cart, Order
from orders.validation import MAX_PO_LENGTH, po_number_problems


def test_a_po_number_as_long_as_an_order_keeps_is_fine():
    assert po_number_problems(po_number="P" * MAX_PO_LENGTH) == []
    assert po_number_problems(po_number="") == []


def test_a_longer_one_is_named_with_the_limit():
    assert po_number_problems(po_number="P" * (MAX_PO_LENGTH + 1)) == [
        {"field": "po_number", "code": "too_long", "detail": "po_number is longer than 64 characters."}
    ]


def test_the_limit_is_what_the_order_and_the_cart_columns_hold():
    assert (
        MAX_PO_LENGTH == Order._meta.get_field("po_number").max_length == Cart._meta.get_field("po_number").max_length
    )
