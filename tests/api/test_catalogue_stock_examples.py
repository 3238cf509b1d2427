"""The examples of the catalogue, price, stock and shipment operations come from the
demo world (issue 15): each request example, sent with its path parameters' examples
to a fresh demo world, succeeds, and each answer example fits its answer's schema."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model

from devdata.demo import build_demo_world
from orders.api.catalogue import PRODUCT_EXAMPLE, STAFF_PRODUCT_EXAMPLE
from partners.models import Partner
from tests.support.api import client_for
from tests.support.openapi import api_schema, operation, validate_against

pytestmark = pytest.mark.django_db

# The week the delivery options' example is taken in (orders.api.delivery_options).
EXAMPLE_MOMENT = datetime(2027, 2, 11, 15, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PRODUCT = "/api/v1/products/{sku}/"
STOCK_ROW = "/api/v1/stock/{sku}/{warehouse}/"
PRICE = "/api/v1/prices/{partner_code}/{sku}/"
DISPATCH = "/api/v1/shipments/{shipment_id}/dispatch/"
WRITES = [("put", PRODUCT), ("put", STOCK_ROW), ("put", PRICE)]
OPERATIONS = [
    ("get", "/api/v1/products/"),
    ("get", PRODUCT),
    *WRITES,
    ("delete", PRICE),
    ("get", "/api/v1/stock/"),
    ("get", STOCK_ROW),
    ("get", "/api/v1/shipments/"),
    ("post", DISPATCH),
]


@pytest.fixture
def demo_world(breaker_reset):
    # Built in the examples' week: the demo's lots are dated from the day it is built.
    with time_machine.travel(EXAMPLE_MOMENT, tick=False):
        build_demo_world()


@pytest.fixture
def schema(db):
    return api_schema()


def demo_client(username: str):
    return client_for(get_user_model().objects.get(username=username))


def path_from_examples(schema: dict, method: str, path: str) -> str:
    """The path with each path parameter's first example put in; it must have one."""
    for parameter in operation(schema, method, path).get("parameters", []):
        if parameter["in"] == "path":
            example = next(iter(parameter["examples"].values()))["value"]
            path = path.replace(f"{{{parameter['name']}}}", str(example))
    return path


@pytest.mark.parametrize("method, path", WRITES)
def test_each_request_example_succeeds_on_a_fresh_demo_world(demo_world, schema, method, path):
    examples = operation(schema, method, path)["requestBody"]["content"]["application/json"]["examples"]
    url = path_from_examples(schema, method, path)
    erp = demo_client("erp")

    assert examples
    for example in examples.values():
        answer = getattr(erp, method)(url, example["value"], format="json")
        assert answer.status_code in (200, 201), (url, example, answer.json())


def test_dispatch_has_no_request_example_as_a_fresh_demo_world_has_no_shipment(schema):
    assert "examples" not in operation(schema, "post", DISPATCH)["requestBody"]["content"]["application/json"]


def test_the_product_examples_are_what_the_demo_world_answers(demo_world):
    """The date and rule counted for depend on the day and on BLOOM's rule: both asked
    for as the example has them, the answers are the examples."""
    day = {"delivery_date": PRODUCT_EXAMPLE["delivery_date"]}
    with time_machine.travel(EXAMPLE_MOMENT, tick=False):
        Partner.objects.filter(code="BLOOM").update(min_days_at_delivery=PRODUCT_EXAMPLE["min_days_at_delivery"])
        bloom_sees = demo_client("bloom").get("/api/v1/products/RO-NAOMI-50/", day).json()
        staff_see = demo_client("erp").get("/api/v1/products/RO-NAOMI-50/", day).json()

    assert bloom_sees == PRODUCT_EXAMPLE and staff_see == STAFF_PRODUCT_EXAMPLE


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_each_answer_example_fits_its_answers_schema(schema, method, path):
    checked = 0
    for answer in operation(schema, method, path)["responses"].values():
        content = answer.get("content", {}).get("application/json", {})
        for example in content.get("examples", {}).values():
            validate_against(schema, content["schema"], example["value"])
            checked += 1
    assert checked or method in ("put", "post"), "an operation that reads has an answer example"
