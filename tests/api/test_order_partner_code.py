"""Staff name the partner an order is for: a code that names none is answered cleanly
(422: the body is well-formed, a rule refuses it), never with a 500, and places nothing."""

import pytest

from orders.models import Order

pytestmark = pytest.mark.django_db


def post_for(api, partner_code: str):
    return api.post(
        "/api/v1/orders/",
        {"partner": partner_code, "lines": [{"sku": "ROSE-RED", "quantity": 10}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="partner-code",
    )


def test_an_unknown_partner_code_is_a_422_naming_it(staff_api, account_buyer):
    answer = post_for(staff_api, "NOPE")

    assert answer.status_code == 422
    assert answer.json() == {
        "code": "partner_not_found",
        "detail": "Partner NOPE not found.",
        "errors": [{"field": "partner", "code": "partner_not_found", "detail": "Partner NOPE not found."}],
    }
    assert not Order.objects.exists()


def test_a_partner_code_with_a_nul_byte_is_refused_naming_the_field(staff_api, account_buyer):
    answer = post_for(staff_api, "FE\x00RN")

    assert answer.status_code == 400
    assert answer.json() == {
        "code": "invalid",
        "detail": "partner: Null characters are not allowed.",
        "errors": [
            {"field": "partner", "code": "null_characters_not_allowed", "detail": "Null characters are not allowed."}
        ],
    }
    assert not Order.objects.exists()


def test_the_orders_door_resolves_a_nul_code_to_not_found(account_buyer, django_user_model):
    """Whatever reaches the door's partner lookup, a NUL byte is a not-found, not a
    database error (the JSON parser refuses it first today)."""
    from orders.api.views import resolve_partner
    from orders.exceptions import OrderRefusedError

    staff = django_user_model.objects.create(username="erp-nul", is_staff=True)

    with pytest.raises(OrderRefusedError) as refused:
        resolve_partner(staff, {"partner": "FE\x00RN"})
    assert refused.value.code == "partner_not_found"
