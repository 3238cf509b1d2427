"""The orders and events API answers what its schema says, and the schema says what the
server enforces (issue 15): a request the schema refuses is 400, one it admits that a
rule refuses is 422 (or 409), and every answer has a typed schema a generated client
can use as it is."""

import json
import re

import pytest
from rest_framework.test import APIClient

from devdata.demo_tables import demo_catalogue
from orders.idempotency import KEY_PATTERN
from orders.models import IdempotencyRecord, Order
from partners.factories import ShipToAddressFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
EVENTS = "/api/v1/events/"


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        answer = APIClient().get("/api/schema/?format=json")
    assert answer.status_code == 200
    return json.loads(answer.content)


def component(schema, ref_holder: dict) -> dict:
    """The component a {"$ref": ...} (or an allOf of one) names."""
    ref = ref_holder.get("$ref") or ref_holder["allOf"][0]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def operation(schema, path: str, method: str) -> dict:
    return schema["paths"][path][method]


def parameter(op: dict, name: str) -> dict:
    return next(p for p in op["parameters"] if p["name"] == name)


def answer_schema(schema, op: dict, status: str) -> dict:
    return component(schema, op["responses"][status]["content"]["application/json"]["schema"])


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-RED-50", stock={warehouses["RTM"]: 1000}, case_pack=50, list_price="0.40")


@pytest.fixture
def shop(account_buyer):
    return ShipToAddressFactory(partner=account_buyer, label="Shop", is_default=True)


def post_order(api, body, key="contract-1"):
    return api.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


LINES = [{"sku": "ROS-RED-50", "quantity": 50}]


# --- 1. The 202 answer: typed, the same representation as the detail -------------------------


def test_the_accepted_answer_is_typed_with_every_field_required_and_its_headers_declared(schema):
    op = operation(schema, ORDERS, "post")
    accepted = answer_schema(schema, op, "202")

    assert set(accepted["required"]) == set(accepted["properties"]) >= {"number", "status", "ship_to", "created_at"}
    ship_to = accepted["properties"]["ship_to"]
    assert ship_to["nullable"] is True
    assert component(schema, ship_to) == component(
        schema, answer_schema(schema, operation(schema, f"{ORDERS}{{number}}/", "get"), "200")["properties"]["ship_to"]
    )
    headers = op["responses"]["202"]["headers"]
    assert headers["Location"]["required"] is True and "Idempotent-Replayed" in headers


def test_the_accepted_answer_and_its_replay_show_ship_to_and_created_at_as_the_detail_does(fern_api, roses, shop):
    first = post_order(fern_api, {"lines": LINES})
    replay = post_order(fern_api, {"lines": LINES})
    detail = fern_api.get(first["Location"]).json()

    assert first.status_code == replay.status_code == 202
    assert replay.json() == first.json()
    assert (
        first.json()["ship_to"]
        == detail["ship_to"]
        == {
            "id": shop.id,
            "label": "Shop",
            "line1": shop.line1,
            "postcode": shop.postcode,
            "city": shop.city,
            "country": shop.country,
        }
    )
    assert first.json()["created_at"] == detail["created_at"]
    assert first.json()["created_at"].endswith("Z")


def test_an_answer_stored_in_the_old_shape_is_replayed_in_the_new_one(fern_api, roses, shop):
    first = post_order(fern_api, {"lines": LINES}).json()
    record = IdempotencyRecord.objects.get(key="contract-1")
    record.response = {**first, "ship_to": shop.id, "created_at": first["created_at"].replace("Z", "+00:00")}
    record.save(update_fields=["response"])

    assert post_order(fern_api, {"lines": LINES}).json() == first


@pytest.mark.django_db(transaction=True)
def test_showing_the_address_costs_intake_no_query(account_buyer, shop, roses, django_assert_num_queries):
    from orders.intake import place_order

    place_order(partner=account_buyer, lines=LINES, idempotency_key="warm")

    # The key's claim and the write, one statement: the address comes with the cached ids
    with django_assert_num_queries(1):
        result = place_order(partner=account_buyer, lines=LINES, idempotency_key="warm-2")
    assert result.snapshot["ship_to"]["label"] == "Shop"


# --- 2. The Idempotency-Key: what the server holds, the schema declares ------------------------


def test_the_idempotency_key_declares_its_bounds_pattern_scope_and_lifetime(schema):
    key = parameter(operation(schema, ORDERS, "post"), "Idempotency-Key")

    assert key["required"] is True
    assert key["schema"] == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN}
    for promise in ("scoped per partner", "48 hours", "Idempotent-Replayed", "409", "422"):
        assert promise in key["description"]


@pytest.mark.parametrize(
    ("key", "status"),
    [
        pytest.param("po 1042/" + "k" * 247, 202, id="255 printable ASCII, a space inside"),
        pytest.param("clé-1", 400, id="not ASCII"),
        pytest.param(" k-1", 400, id="a space first"),
        pytest.param("", 400, id="empty"),
    ],
)
def test_a_key_is_accepted_exactly_when_the_declared_pattern_matches_it(fern_api, roses, key, status):
    answer = post_order(fern_api, {"lines": LINES}, key=key)

    assert answer.status_code == status, answer.content
    assert (re.fullmatch(KEY_PATTERN.strip("^$"), key) is not None) == (status == 202)
    if status == 400:
        assert answer.json()["code"] in ("idempotency_key_required", "invalid_idempotency_key")


# --- 3. The body: the schema declares what the parser holds (400); rules refuse with 422 --------


def test_the_order_body_declares_what_the_parser_holds(schema):
    body = component(schema, operation(schema, ORDERS, "post")["requestBody"]["content"]["application/json"]["schema"])
    fields = body["properties"]
    line = component(schema, fields["lines"]["items"])

    assert body["additionalProperties"] is False and line["additionalProperties"] is False
    assert (fields["lines"]["minItems"], fields["lines"]["maxItems"]) == (1, 500)
    assert fields["po_number"]["maxLength"] == 64 and fields["requested_delivery_date"]["format"] == "date"
    assert fields["ship_to"]["type"] == "integer" and fields["partner"]["minLength"] == 1
    assert (line["properties"]["quantity"]["minimum"], line["properties"]["quantity"]["maximum"]) == (1, 1_000_000)
    assert line["properties"]["sku"]["minLength"] == 1 and set(line["required"]) == {"sku", "quantity"}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param({"po_number": None}, "invalid_type", id="po_number null"),
        pytest.param({"po_number": " " * 65}, "too_long", id="po_number of 65 blanks"),
        pytest.param({"requested_delivery_date": "20350615"}, "invalid_date", id="a date without its dashes"),
        pytest.param({"ship_to": "1"}, "invalid_type", id="ship_to as a string"),
        pytest.param({"lines": [{"sku": 7, "quantity": 50}]}, "invalid_type", id="sku a number"),
        pytest.param({"lines": [{"sku": "  ", "quantity": 50}]}, "sku_required", id="sku blank"),
        pytest.param({"lines": [{"sku": "ROS-RED-50"}]}, "invalid_quantity", id="quantity missing"),
        pytest.param({"lines": [{"sku": "ROS-RED-50", "quantity": 1_000_050}]}, "invalid_quantity", id="over max"),
    ],
)
def test_a_body_the_schema_refuses_is_400_naming_the_field_or_line(fern_api, roses, fields, code):
    answer = post_order(fern_api, {"lines": LINES, **fields})

    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "invalid_order"
    assert [e["code"] for e in answer.json()["errors"]] == [code]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param({"lines": [{"sku": "NOPE-1", "quantity": 50}]}, "unknown_sku", id="unknown SKU"),
        pytest.param({"lines": [{"sku": "ROS-RED-50", "quantity": 30}]}, "not_case_pack_multiple", id="case pack"),
        pytest.param({"requested_delivery_date": "2000-01-01"}, "delivery_date_unavailable", id="a date in the past"),
        pytest.param({"ship_to": 999_999_999}, "invalid_ship_to", id="an address that is not the partner's"),
        pytest.param({"partner": "FERN"}, "not_allowed", id="partner from a partner's token"),
    ],
)
def test_a_well_formed_order_a_rule_refuses_is_422_with_its_code(fern_api, roses, fields, code):
    answer = post_order(fern_api, {"lines": LINES, **fields})

    assert answer.status_code == 422, answer.content
    assert [e["code"] for e in answer.json()["errors"]] == [code]
    assert not Order.objects.exists()


def test_the_order_example_uses_the_demo_catalogue_and_no_date_that_could_pass(schema):
    content = operation(schema, ORDERS, "post")["requestBody"]["content"]["application/json"]
    example = content["examples"]["Order"]["value"]
    catalogue = {spec.sku: spec for spec in demo_catalogue()}

    for line in example["lines"]:
        spec = catalogue[line["sku"]]
        assert line["quantity"] % spec.case_pack == 0 and line["quantity"] >= spec.min_order_qty
    assert "requested_delivery_date" not in example  # the earliest option, whatever the day


# --- 4. The list: strict filters, a watermark that pastes raw -----------------------------------


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("updated_since=", id="empty updated_since"),
        pytest.param("status=", id="empty status"),
        pytest.param("updated_since=2026-11-29", id="a date alone"),
        pytest.param("updated_since=2026-11-29T08:00:00", id="no offset"),
    ],
)
def test_a_filter_the_schema_refuses_is_400_naming_it(fern_api, query):
    answer = fern_api.get(f"{ORDERS}?{query}")

    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "invalid_filter"
    assert answer.json()["errors"][0]["field"] == query.split("=")[0]


def test_the_watermark_is_declared_on_200_only(schema):
    responses = operation(schema, ORDERS, "get")["responses"]

    assert [status for status, answer in responses.items() if "Sync-Watermark" in answer.get("headers", {})] == ["200"]


def test_the_watermark_pasted_raw_into_a_url_is_accepted(fern_api, roses):
    post_order(fern_api, {"lines": LINES})
    watermark = fern_api.get(ORDERS)["Sync-Watermark"]

    answer = fern_api.get(f"{ORDERS}?updated_since={watermark}")

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", watermark)
    assert answer.status_code == 200, answer.content


@pytest.mark.parametrize(
    "moment", ["2026-11-29t08:00:00z", "2026-11-29T08:00:00.5+01:00", "2016-12-31T23:59:60Z"], ids=str
)
def test_every_rfc_3339_moment_is_a_valid_updated_since(fern_api, moment):
    """Lower-case t and z, a fraction, an offset, a leap second: RFC 3339 allows each."""
    answer = fern_api.get(ORDERS, {"updated_since": moment})

    assert answer.status_code == 200, answer.content


# --- 5. Output serializers: always-present fields required, nested objects typed ---------------


def test_order_answers_require_every_field_and_type_ship_to_and_payment(schema):
    detail = answer_schema(schema, operation(schema, f"{ORDERS}{{number}}/", "get"), "200")
    page = answer_schema(schema, operation(schema, ORDERS, "get"), "200")
    summary = component(schema, page["properties"]["results"]["items"])
    always_there = {"status", "po_number", "currency", "hold", "cancel_reason", "cancel_detail", "ship_to", "payment"}
    typed = {"ship_to": {"id", "label", "line1", "postcode", "city", "country"}, "payment": {"method", "status"}}

    assert set(summary["required"]) == set(summary["properties"])
    assert set(detail["required"]) == set(detail["properties"]) >= always_there
    for name, fields in typed.items():
        assert detail["properties"][name]["nullable"] is True
        assert set(component(schema, detail["properties"][name])["required"]) == fields


# --- 6. Cancel: a body that is not an object cancels nothing -----------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'"whatever"', id="a string"),
        pytest.param(b"[1]", id="a list"),
        pytest.param(b"null", id="null"),
        pytest.param(b'{"reason": 5}', id="a reason that is a number"),
        pytest.param(b'{"reason": "late", "refund": true}', id="an unknown field"),
    ],
)
def test_a_cancel_body_the_schema_refuses_is_400_and_the_order_stays_live(fern_api, roses, raw):
    number = post_order(fern_api, {"lines": LINES}).json()["number"]

    answer = fern_api.post(f"{ORDERS}{number}/cancel/", data=raw, content_type="application/json")

    assert answer.status_code == 400, answer.content
    assert Order.objects.get(number=number).status == "CREATED"


def test_a_cancel_without_a_body_still_cancels(fern_api, roses):
    number = post_order(fern_api, {"lines": LINES}).json()["number"]

    answer = fern_api.post(f"{ORDERS}{number}/cancel/")

    assert answer.status_code == 200 and answer.json()["status"] == "CANCELLED"


def test_the_cancel_declares_a_strict_body_and_the_status_of_its_409(schema):
    op = operation(schema, f"{ORDERS}{{number}}/cancel/", "post")
    body = component(schema, op["requestBody"]["content"]["application/json"]["schema"])
    conflict = answer_schema(schema, op, "409")

    assert body["additionalProperties"] is False
    assert "status" in conflict["required"] and {"code", "detail"} <= set(conflict["required"])


# --- 7. The event feed: a typed page, strict bounds, an unknown cursor is 422 ------------------


def test_the_feed_answers_a_typed_page_and_declares_its_bounds_and_cursor_rule(schema):
    op = operation(schema, EVENTS, "get")
    page = answer_schema(schema, op, "200")
    event = component(schema, page["properties"]["results"]["items"])

    assert set(page["required"]) == {"results", "next_after", "has_more"}
    assert set(event["required"]) == set(event["properties"]) >= {"id", "order", "to_status"}
    assert parameter(op, "after")["schema"]["minimum"] == 0
    assert "next_after" in parameter(op, "after")["description"]
    assert "not monotonic" in parameter(op, "after")["description"]
    limit = parameter(op, "limit")["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 500, 100)


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        pytest.param("limit=501", 400, "invalid_filter", id="limit over 500"),
        pytest.param("limit=0", 400, "invalid_filter", id="limit 0"),
        pytest.param("limit=", 400, "invalid_filter", id="limit empty"),
        pytest.param("after=-1", 400, "invalid_filter", id="after negative"),
        pytest.param("after=999999999", 422, "invalid_cursor", id="an after never served"),
    ],
)
def test_the_feeds_parameters_are_strict_and_an_unknown_cursor_is_422(fern_api, query, status, code):
    answer = fern_api.get(f"{EVENTS}?{query}")

    assert answer.status_code == status, answer.content
    assert answer.json()["code"] == code
