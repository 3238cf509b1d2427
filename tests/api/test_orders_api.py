"""POST/GET /api/v1/orders/, cancel, and the event feed."""

import pytest
from rest_framework.test import APIClient

from orders.models import Order
from partners.api.authentication import forget_cached_tokens
from partners.models import Partner
from tests.support.journey import drive_journey

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-RED-50", stock={warehouses["RTM"]: 1000}, case_pack=50, list_price="0.40")


def post_order(api, body, key="key-1", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(ORDERS, body, format="json", **headers, **extra)


def test_placing_an_order_answers_202_with_the_order(fern_api, roses):
    answer = post_order(fern_api, {"po_number": "PO-1", "lines": [{"sku": "ROS-RED-50", "quantity": 100}]})

    assert answer.status_code == 202
    body = answer.json()
    assert body["status"] == "CREATED" and body["total"] == "40.00" and body["partner"] == "FERN"
    assert body["lines"] == [
        {
            "line_no": 1,
            "sku": "ROS-RED-50",
            "name": roses.name,
            "quantity": 100,
            "unit_price": "0.40",
            "line_total": "40.00",
        }
    ]
    assert answer["Location"] == f"/api/v1/orders/{body['number']}/"


def test_a_replay_answers_the_first_answer_with_the_replayed_header(fern_api, roses):
    body = {"lines": [{"sku": "ROS-RED-50", "quantity": 100}]}
    first, replay = post_order(fern_api, body), post_order(fern_api, body)

    assert replay.status_code == 202 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_422(fern_api, roses):
    post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 100}]})
    answer = post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50}]})
    assert answer.status_code == 422 and answer.json()["code"] == "idempotency_key_reused"


def test_an_order_without_idempotency_key_is_400(fern_api, roses):
    answer = post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 100}]}, key=None)
    assert answer.status_code == 400 and answer.json()["code"] == "idempotency_key_required"
    assert not Order.objects.exists()


def test_lines_a_rule_refuses_are_422_naming_each_line_and_sku(fern_api, roses):
    answer = post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 30}, {"sku": "NOPE", "quantity": 1}]})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid_order"
    assert [(e["line"], e["sku"], e["code"]) for e in body["errors"]] == [
        (1, "ROS-RED-50", "not_case_pack_multiple"),
        (2, "NOPE", "unknown_sku"),
    ]


def test_malformed_json_is_400_in_json(fern_api, roses):
    answer = fern_api.post(ORDERS, data="{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert answer.status_code == 400 and answer.json()["code"] == "malformed_json"


def test_unknown_fields_are_refused(fern_api, roses):
    answer = post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50, "colour": "red"}], "discount": 5})
    assert answer.status_code == 400
    assert {e["code"] for e in answer.json()["errors"]} == {"unknown_field"}


def test_wrong_content_type_is_415(fern_api, roses):
    answer = fern_api.post(
        ORDERS, data="sku=ROS-RED-50", content_type="application/x-www-form-urlencoded", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert answer.status_code == 415 and answer.json()["code"] == "unsupported_media_type"


def test_no_token_is_401(roses):
    answer = post_order(APIClient(), {"lines": []})
    assert answer.status_code == 401 and answer.json()["code"] in ("not_authenticated", "authentication_failed")


def test_staff_must_name_the_partner(staff_api, account_buyer, roses):
    missing = post_order(staff_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50}]})
    placed = post_order(staff_api, {"partner": "FERN", "lines": [{"sku": "ROS-RED-50", "quantity": 50}]}, key="k2")
    assert missing.status_code == 422 and missing.json()["code"] == "partner_required"
    assert placed.status_code == 202 and placed.json()["partner"] == "FERN"


def test_another_partners_order_is_404(fern_api, other_partner_api, roses):
    number = post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50}]}).json()["number"]

    assert other_partner_api.get(f"{ORDERS}{number}/").status_code == 404
    assert other_partner_api.post(f"{ORDERS}{number}/cancel/", {}, format="json").status_code == 404
    assert other_partner_api.get(ORDERS).json()["count"] == 0


def test_detail_follows_the_order_to_confirmed(fern_api, roses):
    number = post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50}]}).json()["number"]
    drive_journey()

    detail = fern_api.get(f"{ORDERS}{number}/").json()

    assert detail["status"] == "CONFIRMED"
    assert [e["to_status"] for e in detail["events"]] == [
        "CREATED",
        "INVENTORY_RESERVED",
        "PAYMENT_PENDING",
        "PAID",
        "CONFIRMED",
    ]
    assert detail["shipments"][0]["warehouse"] == "RTM" and detail["shipments"][0]["lines"] == [
        {"sku": "ROS-RED-50", "quantity": 50}
    ]
    assert detail["payment"] == {"method": "account", "status": "succeeded"}


def test_list_filters_by_status(fern_api, roses):
    post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50}]})
    assert fern_api.get(ORDERS, {"status": "CREATED"}).json()["count"] == 1
    assert fern_api.get(ORDERS, {"status": "SHIPPED"}).json()["count"] == 0
    assert fern_api.get(ORDERS, {"status": "NOPE"}).json()["code"] == "invalid_filter"


def test_cancel_then_cancel_again_then_too_late(fern_api, roses):
    first = post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50}]}).json()["number"]
    second = post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50}]}, key="k-2").json()["number"]
    drive_journey()

    cancelled = fern_api.post(f"{ORDERS}{first}/cancel/", {"reason": "wrong colour"}, format="json")
    assert cancelled.status_code == 409 and cancelled.json()["code"] == "not_cancellable"

    Order.objects.filter(number=second).update(status="CREATED")  # not yet moved on, as far as cancel is concerned
    ok = fern_api.post(f"{ORDERS}{second}/cancel/", {"reason": "wrong colour"}, format="json")
    again = fern_api.post(f"{ORDERS}{second}/cancel/", {}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "CANCELLED" and ok.json()["cancel_detail"] == "wrong colour"
    assert again.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_event_feed_pages_with_a_cursor(fern_api, other_partner_api, roses):
    post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50}]})
    drive_journey()
    # The feed serves an event once every transaction older than it has ended; other
    # work on the same server may hold it back a moment.
    wait_for_feed(fern_api, events=5)

    first = fern_api.get("/api/v1/events/", {"limit": 2}).json()
    rest = fern_api.get("/api/v1/events/", {"after": first["next_after"]}).json()

    assert [e["to_status"] for e in first["results"] + rest["results"]] == [
        "CREATED",
        "INVENTORY_RESERVED",
        "PAYMENT_PENDING",
        "PAID",
        "CONFIRMED",
    ]
    assert first["has_more"] is True and rest["has_more"] is False
    assert other_partner_api.get("/api/v1/events/").json()["results"] == []


def wait_for_feed(api, *, events: int, seconds: float = 30) -> None:
    import time

    deadline = time.monotonic() + seconds
    while len(api.get("/api/v1/events/", {"limit": 500}).json()["results"]) < events:
        assert time.monotonic() < deadline, "the feed never served the events"
        time.sleep(0.1)


def test_schema_and_docs_are_served(fern_api):
    assert fern_api.get("/api/schema/").status_code == 200
    assert APIClient().get("/api/docs/").status_code == 200


def test_updated_since_takes_any_offset_and_refuses_nonsense(fern_api, roses):
    post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 50}]})

    odd_offset = fern_api.get(ORDERS, {"updated_since": "2000-05-29T16:25:45+20:27"})
    nonsense = fern_api.get(ORDERS, {"updated_since": "yesterday"})

    assert odd_offset.status_code == 200 and odd_offset.json()["count"] == 1
    assert nonsense.status_code == 400 and nonsense.json()["code"] == "invalid_filter"


def test_an_oversized_body_is_413_and_places_nothing(fern_api, roses, settings):
    settings.API_MAX_BODY_BYTES = 2000
    lines = [{"sku": f"SKU-{i}", "quantity": 10} for i in range(200)]

    answer = post_order(fern_api, {"lines": lines})

    assert answer.status_code == 413 and answer.json()["code"] == "body_too_large"
    assert not Order.objects.exists()


def test_an_order_number_with_a_nul_byte_is_a_json_404(fern_api):
    answer = fern_api.get(f"{ORDERS}BQ%00X/")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_a_deleted_token_stops_working_at_once(fern_api, roses, django_capture_on_commit_callbacks):
    from partners.models import ApiToken

    assert fern_api.get(ORDERS).status_code == 200  # the token is now cached in this process
    with django_capture_on_commit_callbacks(execute=True):
        ApiToken.objects.all().delete()

    answer = fern_api.get(ORDERS)
    assert answer.status_code == 401 and answer.json()["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("quantities", "named"),
    [
        pytest.param([1000], {"line": 1, "sku": "GOLD-1"}, id="a line total past its column"),
        pytest.param([60, 60], {"field": "total"}, id="an order total past its column"),
    ],
)
def test_an_order_whose_money_overflows_its_columns_is_422_naming_the_line_or_total(
    fern_api, make_product, quantities, named
):
    skus = [make_product(f"GOLD-{n}", case_pack=1, list_price="99999999.99").sku for n in (1, 2)]

    answer = post_order(fern_api, {"lines": [{"sku": s, "quantity": q} for s, q in zip(skus, quantities)]})

    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert body["code"] == "order_too_large"
    assert [{k: e[k] for k in named} for e in body["errors"]] == [named]
    assert "9999999999.99" in body["detail"]
    assert not Order.objects.exists()


def test_a_deactivated_partners_token_stops_working_at_once(
    fern_api, account_buyer, django_capture_on_commit_callbacks
):
    assert fern_api.get(ORDERS).status_code == 200  # the token is now cached in this process
    with django_capture_on_commit_callbacks(execute=True):
        account_buyer.active = False
        account_buyer.save()

    answer = fern_api.get(ORDERS)

    assert answer.status_code == 401
    assert answer.json()["code"] == "authentication_failed" and "FERN" in answer.json()["detail"]


def test_staff_actors_appear_to_partners_as_the_back_office(fern_api, staff_api, roses):
    number = post_order(fern_api, {"lines": [{"sku": "ROS-RED-50", "quantity": 100}]}).json()["number"]
    assert staff_api.post(f"{ORDERS}{number}/cancel/", {}, format="json").status_code == 200

    order_seen_by_fern = fern_api.get(f"{ORDERS}{number}/").json()
    seen_by_fern = order_seen_by_fern["events"]
    seen_by_staff = staff_api.get(f"{ORDERS}{number}/").json()["events"]

    assert [e["actor"] for e in seen_by_fern] == ["fern", "Bouquet back office"]
    assert seen_by_fern[-1]["detail"] == order_seen_by_fern["cancel_detail"] == "cancelled by Bouquet back office"
    assert [e["actor"] for e in seen_by_staff] == ["fern", "erp"] and seen_by_staff[-1]["detail"] == "cancelled by erp"


def test_an_order_over_the_partners_maximum_order_value_is_422_naming_the_limit(fern_api, account_buyer, roses):
    Partner.objects.filter(id=account_buyer.id).update(max_order_value="30.00")
    forget_cached_tokens()

    answer = post_order(fern_api, {"lines": [{"sku": roses.sku, "quantity": 100}]})  # 40.00

    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert body["code"] == "order_too_large"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("total", "order_too_large")]
    assert "The order comes to 40.00" in body["detail"] and "maximum order value (30.00)" in body["detail"]
    assert not Order.objects.exists()


def test_an_order_past_the_open_order_limit_is_422_naming_the_limit_and_what_is_open(fern_api, account_buyer, roses):
    Partner.objects.filter(id=account_buyer.id).update(max_open_order_value="50.00")
    forget_cached_tokens()
    assert post_order(fern_api, {"lines": [{"sku": roses.sku, "quantity": 100}]}, key="first").status_code == 202

    answer = post_order(fern_api, {"lines": [{"sku": roses.sku, "quantity": 50}]}, key="second")

    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert body["code"] == "open_orders_limit"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("total", "open_orders_limit")]
    assert (body["open_order_value"], body["max_open_order_value"]) == ("40.00", "50.00")
    assert "has 40.00 in open orders" in body["detail"] and "open-order limit (50.00)" in body["detail"]
    assert Order.objects.count() == 1
