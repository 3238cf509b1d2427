"""What the schema says of the campaign API: every operation is there with the answers
it gives, a pre-book needs an Idempotency-Key as an order does, and the standings a
line answers are declared, nullable where they can be null."""

import pytest
from rest_framework.test import APIClient

from orders.idempotency import KEY_PATTERN

CAMPAIGN_OPERATIONS = {
    ("get", "/api/v1/campaigns/"): {"200", "403"},
    ("get", "/api/v1/campaigns/{code}/"): {"200", "404"},
    ("put", "/api/v1/campaigns/{code}/"): {"200", "201", "400", "409", "422"},
    ("post", "/api/v1/campaigns/{code}/prebooks/"): {"201", "400", "404", "422"},
    ("get", "/api/v1/campaigns/{code}/prebooks/"): {"200", "404"},
    ("get", "/api/v1/campaigns/{code}/prebooks/{id}/"): {"200", "404"},
    ("put", "/api/v1/campaigns/{code}/prebooks/{id}/"): {"200", "400", "404", "422"},
    ("delete", "/api/v1/campaigns/{code}/prebooks/{id}/"): {"204", "404", "422"},
    ("post", "/api/v1/campaigns/{code}/allocations/"): {"200", "201", "400", "404", "409"},
}


@pytest.fixture(scope="module")
def schema():
    return APIClient().get("/api/schema/", {"format": "json"}).json()


def component(schema, reference: dict) -> dict:
    return schema["components"]["schemas"][reference["$ref"].rsplit("/", 1)[-1]]


@pytest.mark.parametrize(
    ("operation", "statuses"), CAMPAIGN_OPERATIONS.items(), ids=[" ".join(o) for o in CAMPAIGN_OPERATIONS]
)
def test_the_schema_lists_each_campaign_operation_with_its_answers(schema, operation, statuses):
    method, path = operation
    answers = schema["paths"][path][method]["responses"]

    assert statuses <= set(answers), sorted(answers)


def test_a_pre_book_needs_an_idempotency_key_as_an_order_does(schema):
    def key_of(path):
        (key,) = [p for p in schema["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key"]
        return key

    prebook_key = key_of("/api/v1/campaigns/{code}/prebooks/")

    assert prebook_key["required"] is True and prebook_key["in"] == "header"
    assert prebook_key["schema"]["pattern"] == KEY_PATTERN == key_of("/api/v1/orders/")["schema"]["pattern"]


def test_a_pre_book_lines_standings_are_declared_and_the_place_in_line_nullable(schema):
    answer = schema["paths"]["/api/v1/campaigns/{code}/prebooks/{id}/"]["get"]["responses"]["200"]
    prebook = component(schema, answer["content"]["application/json"]["schema"])
    line = component(schema, prebook["properties"]["lines"]["items"])

    assert {"id", "partner", "ship_to", "placed_at", "lines"} <= set(prebook["required"])
    assert set(line["required"]) == {"sku", "quantity", "allocated", "forfeited", "waitlisted", "waitlist_position"}
    assert line["properties"]["waitlist_position"]["nullable"] is True


def test_campaign_and_pre_book_bodies_are_strict(schema):
    for path, method in [
        ("/api/v1/campaigns/{code}/", "put"),
        ("/api/v1/campaigns/{code}/prebooks/", "post"),
        ("/api/v1/campaigns/{code}/allocations/", "post"),
    ]:
        body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert component(schema, body)["additionalProperties"] is False, path
