"""Security basics of the portal and the API: CSRF on forms, tokens never logged, no
stack trace in an error answer, odd bytes in addresses answered cleanly."""

import logging

import pytest
from django.test import Client

from config.api.errors import json_server_error
from orders.cart import add_to_cart
from orders.models import Order
from tests.support.api import client_for

pytestmark = pytest.mark.django_db


def test_a_checkout_without_its_csrf_token_is_refused_and_places_nothing(buyer, products, ship_tos, cart_key):
    add_to_cart(user=buyer, sku="ROSE-RED", quantity=100)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(buyer)

    answer = browser.post(
        "/cart/",
        {
            "action": "checkout",
            "idempotency_key": cart_key(),
            "ship_to": "",
            "po_number": "",
            "requested_delivery_date": "",
        },
    )

    assert answer.status_code == 403
    assert not Order.objects.exists()


def test_an_api_token_never_reaches_the_logs(buyer, products, caplog):
    api = client_for(buyer)
    token = api._credentials["HTTP_AUTHORIZATION"].split()[1]

    with caplog.at_level(logging.DEBUG):
        api.post(
            "/api/v1/orders/",
            {"lines": [{"sku": "ROSE-RED", "quantity": 100}]},
            format="json",
            HTTP_IDEMPOTENCY_KEY="sec-1",
        )
        api.get("/api/v1/orders/?status=NOPE")
        client_for(buyer).get("/api/v1/orders/", HTTP_AUTHORIZATION="Token not-a-real-token")

    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records, "the requests logged nothing at all"
    assert token not in logged and "not-a-real-token" not in logged


def test_a_server_error_answers_json_without_a_stack_trace(rf, settings):
    assert settings.DEBUG is False
    answer = json_server_error(rf.get("/api/v1/orders/"))
    assert answer.status_code == 500
    assert b"Traceback" not in answer.content and b'File "' not in answer.content


@pytest.mark.parametrize("path", ["/orders/BQ%00X/", "/orders/BQ%00X/cancel/", "/orders/%E2%82%AC/"])
def test_odd_bytes_in_an_order_address_are_a_404(portal, path):
    answer = portal.get(path) if not path.endswith("cancel/") else portal.post(path, {})
    assert answer.status_code == 404
