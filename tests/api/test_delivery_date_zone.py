"""The API answers in UTC, but "today" for a delivery date is the supplier's
(Europe/Amsterdam): just after midnight there, yesterday's date is refused through the
API as through the portal, in winter and in summer time. A controlled clock, not the
machine's."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

ORDERS = "/api/v1/orders/"


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROS-ZONE", stock={warehouses["AMS"]: 1000}, case_pack=10, list_price="0.40")


def place_for(fern_api, delivery_date: str):
    return fern_api.post(
        ORDERS,
        {"requested_delivery_date": delivery_date, "lines": [{"sku": "ROS-ZONE", "quantity": 10}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"zone-{delivery_date}",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("utc_now", "yesterday_there", "today_there"),
    [
        # 00:30 in Aalsmeer in winter (UTC+1) is still the 13th in UTC.
        (datetime(2027, 2, 13, 23, 30, tzinfo=UTC), "2027-02-13", "2027-02-14"),
        # 01:30 in Aalsmeer on the first day of summer time (UTC+2), 23:30 on the 27th in UTC.
        (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), "2027-03-27", "2027-03-28"),
        # 00:30 after the clocks go back (UTC+1 again).
        (datetime(2027, 10, 31, 23, 30, tzinfo=UTC), "2027-10-31", "2027-11-01"),
    ],
)
def test_just_after_midnight_in_aalsmeer_yesterday_is_past_through_the_api(
    fern_api, roses, monkeypatch, utc_now, yesterday_there, today_there
):
    monkeypatch.setattr(timezone, "now", lambda: utc_now)

    refused = place_for(fern_api, yesterday_there)
    accepted = place_for(fern_api, today_there)

    assert refused.status_code == 422, refused.content
    assert refused.json()["code"] == "delivery_date_unavailable"
    assert (refused.json()["reason"], refused.json()["next_available"]) == ("cutoff_passed", today_there)
    assert accepted.status_code == 202, accepted.content
