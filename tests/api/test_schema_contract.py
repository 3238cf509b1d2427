"""What the schema says of every operation at once, and the server's side of the rules
shared by every list: the answers any request can meet (405, 415, 429, 503 with their
headers), typed errors, strict inputs, text the server refuses, pages read strictly
and numbered, and moments in UTC."""

import pytest
from rest_framework.test import APIClient

from config.api.schema import NO_NUL, NOT_BLANK

LISTS = ["/api/v1/orders/", "/api/v1/products/", "/api/v1/stock/", "/api/v1/shipments/", "/api/v1/campaigns/"]


@pytest.fixture(scope="module")
def schema():
    return APIClient().get("/api/schema/", {"format": "json"}).json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_declares_405_429_and_503_with_their_headers(schema):
    for name, operation in operations(schema):
        answers = operation["responses"]
        assert "Allow" in answers["405"]["headers"], name
        for status in ("429", "503"):
            assert answers[status]["headers"]["Retry-After"]["schema"]["type"] == "integer", (name, status)


def test_every_operation_with_a_body_declares_415(schema):
    with_body = [name for name, operation in operations(schema) if "requestBody" in operation]
    assert len(with_body) >= 6
    for name, operation in operations(schema):
        assert ("415" in operation["responses"]) == ("requestBody" in operation), name


def test_error_items_are_typed(schema):
    items = schema["components"]["schemas"]["ErrorOutput"]["properties"]["errors"]["items"]
    item = schema["components"]["schemas"][items["$ref"].rsplit("/", 1)[-1]]
    assert {"code", "detail", "field", "line", "sku"} <= set(item["properties"])
    assert set(item["required"]) == {"code", "detail"}
    assert set(schema["components"]["schemas"]["ErrorOutput"]["required"]) == {"code", "detail"}


def test_every_request_body_refuses_properties_it_does_not_name(schema):
    components = schema["components"]["schemas"]
    for name, operation in operations(schema):
        for content in operation.get("requestBody", {}).get("content", {}).values():
            body = components[content["schema"]["$ref"].rsplit("/", 1)[-1]]
            assert body.get("additionalProperties") is False, name


def request_strings(schema):
    """(where, schema) of every string a client sends: parameters and body properties."""
    components = schema["components"]["schemas"]

    def walk(where, node):
        if "$ref" in node:
            yield from walk(where, components[node["$ref"].rsplit("/", 1)[-1]])
        elif node.get("type") == "string":
            yield where, node
        for key, part in node.get("properties", {}).items():
            yield from walk(f"{where}.{key}", part)
        if isinstance(node.get("items"), dict):
            yield from walk(f"{where}[]", node["items"])

    for name, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] in ("query", "path"):
                yield from walk(f"{name} {parameter['name']}", parameter["schema"])
        for content in operation.get("requestBody", {}).get("content", {}).values():
            yield from walk(f"{name} body", content["schema"])


def test_every_string_a_client_sends_declares_what_the_server_refuses(schema):
    """No NUL anywhere (no text column holds one), and no blank where blank is refused."""
    strings = list(request_strings(schema))
    assert len(strings) >= 10
    for where, node in strings:
        assert {"pattern", "enum", "format"} & set(node), where
        if node.get("pattern") in (NO_NUL, NOT_BLANK):
            assert (node["pattern"] == NOT_BLANK) == (node.get("minLength", 0) >= 1), where


def test_the_patterns_refuse_what_the_server_refuses():
    import re

    assert not re.search(NO_NUL, "a\x00b") and re.search(NO_NUL, "a b")
    for blank in ("", " ", "\t\n", "\u3000", "\x1c"):
        assert not re.search(NOT_BLANK, blank), repr(blank)
    assert re.search(NOT_BLANK, " x ") and not re.search(NOT_BLANK, "x\x00")


def test_pages_declare_their_bounds_and_the_next_page_number(schema):
    for path in LISTS:
        operation = schema["paths"][path]["get"]
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert parameters["page"]["minimum"] == 1
        assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 500)
        page = schema["components"]["schemas"][
            operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        ]
        assert {"count", "page", "next_page", "results"} <= set(page["required"])


@pytest.mark.django_db
@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": ""}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": "true"}, "page_size"),
        ({"page_size": ""}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-312"}, "page_size"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "null"}, "page_size"),
    ],
)
def test_a_page_or_page_size_that_breaks_the_schema_is_400_naming_it(staff_api, path, query, field):
    answer = staff_api.get(path, query)

    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "invalid_filter"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


@pytest.mark.django_db
def test_the_next_page_is_a_number_and_a_page_past_the_last_is_empty(staff_api, make_product):
    for n in range(3):
        make_product(f"PAGE-{n}")

    first = staff_api.get("/api/v1/products/", {"page_size": 2}).json()
    last = staff_api.get("/api/v1/products/", {"page_size": 2, "page": first["next_page"]}).json()
    beyond = staff_api.get("/api/v1/products/", {"page_size": 2, "page": 99})

    assert (first["page"], first["next_page"], len(first["results"])) == (1, 2, 2)
    assert (last["page"], last["next_page"], len(last["results"])) == (2, None, 1)
    assert beyond.status_code == 200 and beyond.json()["results"] == [] and beyond.json()["count"] == 3


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_415_with_the_error_body(staff_api):
    answer = staff_api.put("/api/v1/stock/ANY/AMS/", "on_hand=1", content_type="text/plain")

    assert answer.status_code == 415 and answer.json()["code"] == "unsupported_media_type"


@pytest.mark.django_db
def test_an_undeclared_method_is_405_with_allow(staff_api):
    answer = staff_api.patch("/api/v1/orders/", {}, format="json")

    assert answer.status_code == 405 and answer.json()["code"] == "method_not_allowed"
    assert "POST" in answer["Allow"]


@pytest.mark.django_db
def test_every_moment_in_an_answer_is_utc_with_a_z(staff_api, make_product, warehouses):
    make_product("UTC-1", stock={warehouses["AMS"]: 10})

    row = staff_api.get("/api/v1/stock/", {"sku": "UTC-1"}).json()["results"][0]

    assert row["updated_at"].endswith("Z"), row["updated_at"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/products/", {"q": "x" * 100 + " "}, "q"),
        ("/api/v1/products/", {"category": " " + "x" * 40}, "category"),
        ("/api/v1/stock/", {"warehouse": "AMS" + " " * 10}, "warehouse"),
        ("/api/v1/stock/", {"sku": "x" * 40 + " "}, "sku"),
    ],
)
def test_a_filter_longer_than_its_declared_max_length_is_400_even_with_spaces(staff_api, path, query, field):
    answer = staff_api.get(path, query)

    assert answer.status_code == 400, answer.content
    assert [e["field"] for e in answer.json()["errors"]] == [field]
