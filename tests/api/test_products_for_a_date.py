"""GET /api/v1/products/ for a delivery date (docs/DESIGN.md sections 5 and 11):
`available` counts the lots that can serve the date under the caller's freshness rule,
the date defaults to the earliest the address's route can deliver, staff may ask as a
partner, and each bad parameter is named."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from partners.factories import PartnerFactory, ShipToAddressFactory
from tests.support.routes import put_on

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
ROSES = "/api/v1/products/ROS-LOT-50/"
# Thursday 11 February 2027, 15:00 in Amsterdam.
THURSDAY = datetime(2027, 2, 11, 15, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def clock():
    with time_machine.travel(THURSDAY, tick=False):
        yield


@pytest.fixture
def lots(warehouses, make_product):
    """At AMS: 100 expiring Sunday 14th, 200 expiring Friday 19th, 50 arriving Monday
    15th that do not perish; the product asks 2 days of life by default."""
    return make_product(
        "ROS-LOT-50",
        case_pack=1,
        min_days_at_delivery=2,
        lots=[
            {"warehouse": warehouses["AMS"], "lot": "OLD", "on_hand": 100, "expires_on": date(2027, 2, 14)},
            {"warehouse": warehouses["AMS"], "lot": "NEW", "on_hand": 200, "expires_on": date(2027, 2, 19)},
            {"warehouse": warehouses["AMS"], "lot": "MON", "on_hand": 50, "available_from": date(2027, 2, 15)},
        ],
    )


def roses_for(api, **query):
    answer = api.get(ROSES, query)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    return body["delivery_date"], body["min_days_at_delivery"], body["available"]


def test_available_counts_only_the_lots_that_serve_the_date(clock, fern_api, lots):
    # Friday: OLD has 2 days left (the product's 2 suffice), MON has not arrived.
    assert roses_for(fern_api, delivery_date="2027-02-12") == ("2027-02-12", 2, 300)
    # Monday: OLD has expired, MON has arrived.
    assert roses_for(fern_api, delivery_date="2027-02-15") == ("2027-02-15", 2, 250)
    # Thursday the 18th: NEW has one day left, one short of the two asked.
    assert roses_for(fern_api, delivery_date="2027-02-18") == ("2027-02-18", 2, 50)


def test_the_list_counts_for_the_date_as_the_detail_does(clock, fern_api, lots):
    answer = fern_api.get(PRODUCTS, {"delivery_date": "2027-02-15"})

    [roses] = answer.json()["results"]
    assert (roses["delivery_date"], roses["available"]) == ("2027-02-15", 250)


def test_the_partners_rule_comes_before_the_products_default(clock, fern_api, account_buyer, lots):
    account_buyer.min_days_at_delivery = 3
    account_buyer.save(update_fields=["min_days_at_delivery"])

    # Friday: OLD has 2 days left, one short of FERN's 3.
    assert roses_for(fern_api, delivery_date="2027-02-12") == ("2027-02-12", 3, 200)


def test_without_a_date_the_earliest_option_of_the_addresss_route_counts(
    clock, fern_api, account_buyer, warehouses, lots
):
    shop = ShipToAddressFactory(partner=account_buyer, is_default=True)
    put_on("RTM-NL", warehouses, shop)  # Mon-Fri, order by 12:00 the day before: Friday's has passed
    earliest = fern_api.get("/api/v1/delivery-options/").json()["options"][0]["date"]

    assert earliest == "2027-02-15"
    assert roses_for(fern_api) == ("2027-02-15", 2, 250)
    assert roses_for(fern_api, ship_to=shop.id) == ("2027-02-15", 2, 250)


def test_staff_naming_no_partner_count_today_with_each_products_default(clock, staff_api, lots):
    # Thursday the 11th: OLD has 3 days left, NEW 8; MON has not arrived.
    assert roses_for(staff_api) == ("2027-02-11", 2, 300)


def test_staff_naming_a_partner_count_with_its_rule_and_date(clock, staff_api, account_buyer, warehouses, lots):
    account_buyer.min_days_at_delivery = 5
    account_buyer.save(update_fields=["min_days_at_delivery"])
    put_on("RTM-NL", warehouses, ShipToAddressFactory(partner=account_buyer, is_default=True))

    # Monday the 15th (FERN's earliest), 5 days of life: NEW (4 left) no longer serves.
    assert roses_for(staff_api, partner="FERN") == ("2027-02-15", 5, 50)


# --- bad input ---------------------------------------------------------------------------


def refusal(answer) -> tuple:
    body = answer.json()
    return answer.status_code, body["code"], [(e["field"], e["code"]) for e in body["errors"]]


@pytest.mark.parametrize("path", [PRODUCTS, ROSES])
@pytest.mark.parametrize("day", ["2027-02-30", "20270212", "tomorrow", ""])
def test_a_delivery_date_that_is_no_date_is_400_naming_it(clock, fern_api, lots, path, day):
    assert refusal(fern_api.get(path, {"delivery_date": day})) == (
        400,
        "invalid_filter",
        [("delivery_date", "invalid")],
    )


@pytest.mark.parametrize(
    "day, code",
    [("2027-02-10", "delivery_date_in_past"), ("2028-02-13", "delivery_date_too_far_ahead")],
)
def test_a_date_no_order_can_be_for_is_422_naming_it(clock, fern_api, lots, day, code):
    answer = fern_api.get(ROSES, {"delivery_date": day})

    assert refusal(answer) == (422, code, [("delivery_date", code)])
    assert day in answer.json()["detail"]


def test_another_partners_ship_to_is_404_as_one_never_made(clock, fern_api, lots):
    theirs = ShipToAddressFactory(partner=PartnerFactory(code="ROSA"))

    answer = fern_api.get(ROSES, {"ship_to": theirs.id})

    assert (answer.status_code, answer.json()["code"]) == (404, "ship_to_not_found")


@pytest.mark.parametrize("ship_to", ["abc", "0", "-1", "1.5"])
def test_a_ship_to_that_is_no_id_is_400_naming_it(clock, fern_api, lots, ship_to):
    assert refusal(fern_api.get(ROSES, {"ship_to": ship_to}))[:3] == (
        400,
        "invalid_filter",
        [("ship_to", "invalid_filter")],
    )


def test_staff_naming_an_unknown_partner_get_422_naming_it(clock, staff_api, lots):
    answer = staff_api.get(ROSES, {"partner": "NOPE"})

    assert refusal(answer) == (422, "partner_not_found", [("partner", "partner_not_found")])
    assert answer.json()["detail"] == "Partner NOPE not found."


def test_a_partners_token_may_not_name_a_partner(clock, fern_api, account_buyer, lots):
    answer = fern_api.get(PRODUCTS, {"partner": "FERN"})

    assert refusal(answer) == (422, "not_allowed", [("partner", "not_allowed")])
