"""How the portal words a campaign: places in line as English ordinals, each line's
standing, and the pre-booking window on the supplier's clock."""

from datetime import UTC, date, datetime, timedelta

import pytest

from orders.campaign_standings import LineStanding
from orders.models import Campaign
from portal.campaign_text import closed_text, moment_text, ordinal, standing_text, status_label, window_text


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_places_in_line_are_english_ordinals(number, text):
    assert ordinal(number) == text


def standing(requested, allocated=0, waitlisted=0, position=None, forfeited=0) -> LineStanding:
    at = datetime(2027, 1, 10, tzinfo=UTC)
    return LineStanding(
        1, 1, 1, "FERN", 1, 1, "ROSE-RED", 25, requested, allocated, forfeited, waitlisted, position, at
    )


@pytest.mark.parametrize(
    ("line", "allocated", "text"),
    [
        (standing(600), False, "requested 600, waiting for the allocation"),
        (standing(600, 450, 150, 3), True, "requested 600, allocated 450, 150 waitlisted, 3rd in line"),
        (standing(600, 600), True, "requested 600, allocated 600"),
        (standing(300, 0, 300, 12), True, "requested 300, allocated 0, 300 waitlisted, 12th in line"),
        (
            standing(600, 0, 150, 1, forfeited=450),
            True,
            "requested 600, allocated 0, 150 waitlisted, 1st in line, 450 released when its order was cancelled",
        ),
    ],
)
def test_each_line_says_where_it_stands(line, allocated, text):
    assert standing_text(line, allocated=allocated) == text


def vday(**fields) -> Campaign:
    # 1 February 17:00 UTC is 18:00 in Amsterdam (winter time).
    window = {"opens_at": datetime(2027, 1, 10, 8, tzinfo=UTC), "closes_at": datetime(2027, 2, 1, 17, tzinfo=UTC)}
    return Campaign(code="VDAY", name="Valentine's Day", delivery_date=date(2027, 2, 13), **{**window, **fields})


def test_moments_are_on_the_suppliers_clock():
    assert moment_text(datetime(2027, 2, 1, 17, tzinfo=UTC)) == "Mon 1 Feb, 18:00 Amsterdam time"
    assert moment_text(datetime(2027, 7, 1, 16, tzinfo=UTC)) == "Thu 1 Jul, 18:00 Amsterdam time"


def test_the_window_is_told_as_it_stands():
    campaign = vday()
    closes = datetime(2027, 2, 1, 17, tzinfo=UTC)

    assert window_text(campaign, datetime(2027, 1, 9, 8, tzinfo=UTC)).startswith(
        "Pre-booking opens Sun 10 Jan, 09:00 Amsterdam time (in 1 day)"
    )
    assert window_text(campaign, closes - timedelta(hours=2, minutes=5)) == (
        "Pre-booking is open until Mon 1 Feb, 18:00 Amsterdam time: 2 h 5 min left."
    )
    assert window_text(campaign, closes + timedelta(seconds=1)) == (
        "Pre-booking closed Mon 1 Feb, 18:00 Amsterdam time; the allocation follows."
    )
    assert status_label(campaign, closes) == "Open"
    assert status_label(campaign, closes + timedelta(seconds=1)) == "Closed, awaiting allocation"


def test_an_allocated_campaign_is_closed_for_good():
    campaign = vday(first_committed_at=datetime(2027, 2, 3, 9, tzinfo=UTC))

    assert window_text(campaign, datetime(2027, 2, 3, 10, tzinfo=UTC)).startswith("Allocated on Wed 3 Feb, 10:00")
    assert closed_text(campaign, datetime(2027, 2, 3, 10, tzinfo=UTC)) == (
        "Campaign VDAY has been allocated: pre-books can no longer be placed or changed."
    )
    assert status_label(campaign, datetime(2027, 1, 20, tzinfo=UTC)) == "Allocated"
