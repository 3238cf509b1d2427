"""Bad input through the ERP REST API: orders, stock, products and prices. Every answer
is JSON with a `code` and a `detail` (and `errors`) naming the line, SKU or field at
fault, and nothing is written."""

import pytest

from tests.support.bad_input import FIFTY_MEGABYTES, nothing_changes, yesterday

pytestmark = pytest.mark.django_db

GOOD_LINE = {"sku": "FERN-LEAF", "quantity": 20}


def fifty_megabytes_of_json() -> bytes:
    return b'{"lines": [' + b'{"sku": "ROSE-RED", "quantity": 10}, ' * (FIFTY_MEGABYTES // 36) + b"]}"


def send(api, method: str, url: str, body, **headers):
    """Send `body` as JSON (bytes go as they are, for bodies that are not JSON)."""
    if isinstance(body, bytes):
        return getattr(api, method)(url, data=body, content_type="application/json", **headers)
    return getattr(api, method)(url, body, format="json", **headers)


def assert_refused(answer, status: int, code: str, named: str) -> dict:
    """The answer has the status, the code (at the top or on one of its errors), and
    names `named` in its detail or in one of its errors."""
    assert answer.status_code == status, answer.content[:500]
    body = answer.json()
    errors = body.get("errors") or []
    assert code in {body["code"], *(e.get("code") for e in errors)}, body
    said = [body["detail"], *(f"{e.get('field', '')} {e.get('sku', '')} {e['detail']}" for e in errors)]
    assert any(named in text for text in said), body
    return body


# --- POST /api/v1/orders/ ------------------------------------------------------------------


# A line the schema refuses is 400; a well-formed line a rule refuses is 422.
@pytest.mark.parametrize(
    ("sku", "quantity", "status", "code"),
    [
        pytest.param("NOPE-1", 10, 422, "unknown_sku", id="unknown SKU"),
        pytest.param("GONE-1", 10, 422, "inactive_sku", id="inactive SKU"),
        pytest.param("ROSE-RED", 15, 422, "not_case_pack_multiple", id="off the case pack"),
        pytest.param("ROSE-RED", 0, 400, "invalid_quantity", id="zero quantity"),
        pytest.param("ROSE-RED", -10, 400, "invalid_quantity", id="negative quantity"),
        pytest.param("ROSE-RED", 2.5, 400, "invalid_quantity", id="fractional quantity"),
        pytest.param("ROSE-RED", "ten", 400, "invalid_quantity", id="quantity in words"),
        pytest.param("ROSE-RED", "20", 400, "invalid_quantity", id="quantity as a JSON string"),
        pytest.param("ROSE-RED", "\u00b2", 400, "invalid_quantity", id="superscript two"),
        pytest.param("ROSE-RED", "\u0663\u0660", 400, "invalid_quantity", id="Arabic-Indic digits"),
        pytest.param("ROSE-RED", "9" * 5000, 400, "invalid_quantity", id="5000 digits as a string"),
        pytest.param("TULIP-YEL", 50, 422, "below_minimum", id="below the minimum"),
    ],
)
def test_a_bad_order_line_is_refused_naming_its_line_and_sku(world, sku, quantity, status, code):
    with nothing_changes():
        answer = send(
            world.api,
            "post",
            "/api/v1/orders/",
            {"lines": [GOOD_LINE, {"sku": sku, "quantity": quantity}]},
            HTTP_IDEMPOTENCY_KEY="bad-line",
        )

    body = assert_refused(answer, status, code, sku)
    assert [(e["line"], e["sku"], e["code"]) for e in body["errors"]] == [(2, sku, code)]
    assert body["detail"].startswith("Line 2: ") and sku in body["detail"]


@pytest.mark.parametrize(
    ("fields", "status", "code", "named"),
    [
        pytest.param(
            {"requested_delivery_date": yesterday()},
            422,
            "delivery_date_unavailable",
            "requested_delivery_date",
            id="delivery date in the past",
        ),
        pytest.param(
            {"requested_delivery_date": "2030-02-30"},
            400,
            "invalid_date",
            "requested_delivery_date",
            id="delivery date that is no date",
        ),
        pytest.param({"ship_to": "IVY"}, 422, "invalid_ship_to", "ship_to", id="ship-to of another partner"),
        pytest.param({"po_number": "P" * 65}, 400, "too_long", "po_number", id="PO number too long"),
        pytest.param(
            {"po_number": "PO\x001"}, 400, "null_characters_not_allowed", "po_number", id="NUL in the PO number"
        ),
        pytest.param(
            {"lines": [{"sku": "ROSE\x00RED", "quantity": 10}]},
            400,
            "null_characters_not_allowed",
            "lines[0].sku",
            id="NUL in a SKU",
        ),
        pytest.param({"lines": []}, 400, "lines_required", "line", id="no lines"),
        pytest.param({"discount": 5}, 400, "unknown_field", "discount", id="unknown field"),
    ],
)
def test_a_bad_order_header_is_refused_naming_the_field(world, fields, status, code, named):
    body = {"lines": [GOOD_LINE], **fields}
    if body.get("ship_to") == "IVY":
        body["ship_to"] = world.ivy_address.id

    with nothing_changes():
        answer = send(world.api, "post", "/api/v1/orders/", body, HTTP_IDEMPOTENCY_KEY="bad-header")

    assert_refused(answer, status, code, named)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("k" * 256, id="longer than 255"),
        pytest.param("order\x00one", id="NUL"),
        pytest.param("order\x07one", id="control character"),
    ],
)
def test_a_bad_idempotency_key_is_refused_naming_the_header(world, key):
    with nothing_changes():
        answer = send(world.api, "post", "/api/v1/orders/", {"lines": [GOOD_LINE]}, HTTP_IDEMPOTENCY_KEY=key)

    code = "idempotency_key_required" if not key else "invalid_idempotency_key"
    assert_refused(answer, 400, code, "Idempotency-Key")


# --- Bodies every write shares: malformed, not an object, too large ---------------------------

WRITES = [
    pytest.param("api", "post", "/api/v1/orders/", id="order"),
    pytest.param("staff_api", "put", "/api/v1/stock/ROSE-RED/AMS/", id="stock"),
    pytest.param("staff_api", "put", "/api/v1/products/ROSE-RED/", id="product"),
    pytest.param("staff_api", "put", "/api/v1/prices/FERN/ROSE-RED/", id="price"),
]


@pytest.mark.parametrize(
    ("raw", "status", "code", "named"),
    [
        pytest.param(
            b'{"lines": [{"sku": "ROSE-RED", "quantity": 10}',
            400,
            "malformed_json",
            "line 1 column",
            id="malformed JSON",
        ),
        pytest.param(b'[{"sku": "ROSE-RED", "quantity": 10}]', 400, "", "", id="not a JSON object"),
        pytest.param(fifty_megabytes_of_json, 413, "body_too_large", "request body", id="a 50 MB body"),
    ],
)
@pytest.mark.parametrize(("caller", "method", "url"), WRITES)
def test_a_body_that_is_not_a_json_object_of_a_sane_size_is_refused(
    world, caller, method, url, raw, status, code, named
):
    raw = raw() if callable(raw) else raw

    with nothing_changes():
        answer = send(getattr(world, caller), method, url, raw, HTTP_IDEMPOTENCY_KEY="bad-body")

    assert answer.status_code == status, answer.content[:500]
    body = answer.json()
    assert body["code"] and body["detail"]
    if code:
        assert body["code"] == code and named in body["detail"]


# --- Stock, product and price writes ------------------------------------------------------------

GOOD_PRODUCT = {"name": "Red rose 60 cm", "case_pack": 10, "min_order_qty": 0, "list_price": "0.80", "active": True}


@pytest.mark.parametrize(
    ("url", "body", "status", "code", "named"),
    [
        pytest.param(
            "/api/v1/stock/NOPE-1/AMS/",
            {"on_hand": 5, "version": 1},
            404,
            "product_not_found",
            "NOPE-1",
            id="stock: unknown SKU",
        ),
        pytest.param(
            "/api/v1/stock/ROSE-RED/NOWHERE/",
            {"on_hand": 5, "version": 1},
            404,
            "warehouse_not_found",
            "NOWHERE",
            id="stock: unknown warehouse",
        ),
        pytest.param(
            "/api/v1/stock/ROSE-RED/AMS/",
            {"on_hand": -5, "version": 1},
            400,
            "min_value",
            "on_hand",
            id="stock: negative on_hand",
        ),
        pytest.param(
            "/api/v1/stock/ROSE-RED/AMS/",
            {"on_hand": 2.5, "version": 1},
            400,
            "invalid",
            "on_hand",
            id="stock: fractional on_hand",
        ),
        pytest.param(
            "/api/v1/stock/ROSE-RED/AMS/",
            {"on_hand": "12", "version": 1},
            400,
            "invalid",
            "on_hand",
            id="stock: on_hand as text",
        ),
        pytest.param("/api/v1/stock/ROSE-RED/AMS/", {"on_hand": 5}, 400, "required", "version", id="stock: no version"),
        pytest.param(
            "/api/v1/stock/ROSE-RED/AMS/",
            {"on_hand": 5, "version": 9},
            409,
            "version_conflict",
            "version",
            id="stock: stale version",
        ),
        pytest.param(
            "/api/v1/products/ROSE-RED/",
            {**GOOD_PRODUCT, "case_pack": 0},
            400,
            "min_value",
            "case_pack",
            id="product: case pack 0",
        ),
        pytest.param(
            "/api/v1/products/ROSE-RED/",
            {**GOOD_PRODUCT, "case_pack": 2.5},
            400,
            "invalid",
            "case_pack",
            id="product: fractional case pack",
        ),
        pytest.param(
            "/api/v1/products/ROSE-RED/",
            {**GOOD_PRODUCT, "min_order_qty": -1},
            400,
            "min_value",
            "min_order_qty",
            id="product: negative minimum",
        ),
        pytest.param(
            "/api/v1/products/ROSE-RED/",
            {**GOOD_PRODUCT, "list_price": "abc"},
            400,
            "invalid",
            "list_price",
            id="product: price in words",
        ),
        pytest.param(
            "/api/v1/products/ROSE-RED/",
            {**GOOD_PRODUCT, "list_price": "-0.80"},
            400,
            "invalid",
            "list_price",
            id="product: negative price",
        ),
        pytest.param(
            "/api/v1/products/ROSE-RED/",
            {**GOOD_PRODUCT, "name": "Rose\x00"},
            400,
            "null_characters_not_allowed",
            "name",
            id="product: NUL in the name",
        ),
        pytest.param(
            "/api/v1/products/NEW-1/", {"name": "New rose"}, 400, "required", "case_pack", id="product: fields missing"
        ),
        pytest.param(
            "/api/v1/prices/FERN/NOPE-1/",
            {"unit_price": "0.70"},
            404,
            "product_not_found",
            "NOPE-1",
            id="price: unknown SKU",
        ),
        pytest.param(
            "/api/v1/prices/NOBODY/ROSE-RED/",
            {"unit_price": "0.70"},
            404,
            "partner_not_found",
            "NOBODY",
            id="price: unknown partner",
        ),
        pytest.param(
            "/api/v1/prices/FERN/ROSE-RED/",
            {"unit_price": "-0.70"},
            400,
            "invalid",
            "unit_price",
            id="price: negative",
        ),
        pytest.param(
            "/api/v1/prices/FERN/ROSE-RED/",
            {"unit_price": "0.70", "min_quantity": 0},
            400,
            "min_value",
            "min_quantity",
            id="price: break from 0",
        ),
    ],
)
def test_a_bad_stock_product_or_price_write_is_refused_naming_what_is_wrong(world, url, body, status, code, named):
    with nothing_changes():
        answer = send(world.staff_api, "put", url, body)

    assert_refused(answer, status, code, named)
