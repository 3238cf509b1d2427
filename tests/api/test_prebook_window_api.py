"""The pre-booking window through the API, on a controlled clock: a pre-book at
closes_at is taken and one a second later refused; changes and withdrawals work in
the window and are refused, changing nothing, outside it and after a committed run."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from orders.campaign_runs import run_allocation
from orders.models import Prebook, PrebookLine
from tests.support.campaigns import make_campaign, prebook, user_named

pytestmark = pytest.mark.django_db

PREBOOKS = "/api/v1/campaigns/VDAY/prebooks/"
ROSES = {"lines": [{"sku": "ROSE-RED", "quantity": 200}]}
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def window(vday):
    """VDAY's window: opening in an hour, closing two hours later (to the microsecond)."""
    now = timezone.now().replace(microsecond=0)
    hours = datetime.timedelta(hours=1)
    return make_campaign("VDAY", caps={"ROSE-RED": 600}, skus=["TULIP-Y"], delivery_date=vday.delivery_date,
                         opens_at=now + hours, closes_at=now + 3 * hours)  # fmt: skip


def place(api, key="pb-1"):
    return api.post(PREBOOKS, ROSES, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_pre_book_at_closes_at_is_taken(fern_api, window):
    with time_machine.travel(window.closes_at, tick=False):
        answer = place(fern_api)

    assert answer.status_code == 201, answer.json()


def test_a_pre_book_one_second_after_closes_at_is_refused_and_writes_nothing(fern_api, window):
    with time_machine.travel(window.closes_at + SECOND, tick=False):
        answer = place(fern_api)

    assert answer.status_code == 422
    assert answer.json()["code"] == "prebook_window_closed"
    assert answer.json()["campaign"] == "VDAY" and "closed at" in answer.json()["detail"]
    assert not Prebook.objects.exists()


def test_a_pre_book_before_opens_at_is_refused(fern_api, window):
    with time_machine.travel(window.opens_at - SECOND, tick=False):
        answer = place(fern_api)

    assert answer.status_code == 422 and answer.json()["code"] == "prebook_window_closed"
    assert "opens at" in answer.json()["detail"]


def test_a_change_in_the_window_replaces_the_lines_and_keeps_the_place_in_line(fern_api, window, account_buyer):
    with time_machine.travel(window.opens_at, tick=False):
        mine = prebook(window, account_buyer, {"ROSE-RED": 200}, user=user_named("fern"))
    with time_machine.travel(window.closes_at, tick=False):
        answer = fern_api.put(
            f"{PREBOOKS}{mine.id}/",
            {"lines": [{"sku": "ROSE-RED", "quantity": 300}, {"sku": "TULIP-Y", "quantity": 50}]},
            format="json",
        )

    assert answer.status_code == 200, answer.json()
    assert [(line["sku"], line["quantity"]) for line in answer.json()["lines"]] == [("ROSE-RED", 300), ("TULIP-Y", 50)]
    assert answer.json()["placed_at"] == mine.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert sorted(PrebookLine.objects.values_list("quantity", flat=True)) == [50, 300]


def test_a_change_past_the_cap_is_refused_and_the_lines_stay(fern_api, window, account_buyer):
    with time_machine.travel(window.opens_at, tick=False):
        mine = prebook(window, account_buyer, {"ROSE-RED": 200}, user=user_named("fern"))
        answer = fern_api.put(f"{PREBOOKS}{mine.id}/", {"lines": [{"sku": "ROSE-RED", "quantity": 625}]}, format="json")

    assert answer.status_code == 422 and answer.json()["code"] == "prebook_cap_exceeded"
    assert answer.json()["errors"][0]["left"] == 600  # its own 200 are replaced, not added
    assert list(PrebookLine.objects.values_list("quantity", flat=True)) == [200]


def test_a_change_or_withdrawal_after_closes_at_is_refused_and_changes_nothing(fern_api, window, account_buyer):
    with time_machine.travel(window.opens_at, tick=False):
        mine = prebook(window, account_buyer, {"ROSE-RED": 200}, user=user_named("fern"))
    path = f"{PREBOOKS}{mine.id}/"
    with time_machine.travel(window.closes_at + SECOND, tick=False):
        changed = fern_api.put(path, {"lines": [{"sku": "ROSE-RED", "quantity": 100}]}, format="json")
        withdrawn = fern_api.delete(path)

    assert [(a.status_code, a.json()["code"]) for a in (changed, withdrawn)] == [(422, "prebook_window_closed")] * 2
    mine.refresh_from_db()
    assert mine.withdrawn_at is None and list(mine.lines.values_list("quantity", flat=True)) == [200]


def test_a_withdrawal_in_the_window_is_204_again_204_and_the_pre_book_is_gone(fern_api, window, account_buyer):
    with time_machine.travel(window.opens_at, tick=False):
        mine = prebook(window, account_buyer, {"ROSE-RED": 600}, user=user_named("fern"))
        path = f"{PREBOOKS}{mine.id}/"
        first, again = fern_api.delete(path), fern_api.delete(path)
        read, listed = fern_api.get(path), fern_api.get(PREBOOKS).json()["results"]
        # Withdrawn units no longer count against the cap.
        placed_again = place(fern_api, key="pb-2")

    assert (first.status_code, again.status_code) == (204, 204)
    assert read.status_code == 404 and listed == []
    mine.refresh_from_db()
    assert mine.withdrawn_at == window.opens_at
    assert placed_again.status_code == 201, placed_again.json()


def test_pre_books_close_once_a_run_is_committed(fern_api, vday, account_buyer):
    mine = prebook(vday, account_buyer, {"ROSE-RED": 200}, user=user_named("fern"))
    run_allocation(campaign=vday, dry_run=False)

    placed = place(fern_api)
    withdrawn = fern_api.delete(f"{PREBOOKS}{mine.id}/")

    assert [(a.status_code, a.json()["code"]) for a in (placed, withdrawn)] == [(422, "prebook_window_closed")] * 2
    assert "has been allocated" in placed.json()["detail"]
    assert fern_api.get("/api/v1/campaigns/VDAY/").json()["prebooks_open"] is False
