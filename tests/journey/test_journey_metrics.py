"""The journey counts its moves once they commit (config/metrics.py): each state an
order reaches at the step whose queue it left, a step's failures, its time per batch,
and each order's time from acceptance to CONFIRMED. A rolled-back batch counts nothing."""

import pytest
from django.db import transaction

from journey.runner import run_step
from orders.models import OrderStatus
from orders.transitions import lock_orders_in_status, transition_many
from tests.support.journey import drive_journey, place, run_step_alone
from tests.support.metrics import counted

pytestmark = pytest.mark.django_db(transaction=True)

UNREACHABLE = "http://127.0.0.1:9"
MOVES = [
    ("reserve", "INVENTORY_RESERVED"),
    ("pay", "PAYMENT_PENDING"),
    ("pay", "PAID"),
    ("finalize", "CONFIRMED"),
    ("reserve", "CANCELLED"),
]


def moves() -> dict[tuple[str, str], float]:
    return {(step, outcome): counted("bouquet_order_transitions_total", step=step, outcome=outcome)
            for step, outcome in MOVES}  # fmt: skip


def failures(step: str) -> dict[str, float]:
    return {
        outcome: counted("bouquet_order_transitions_total", step=step, outcome=outcome)
        for outcome in ("retry", "dead_letter", "deferred")
    }


def test_each_move_counts_at_the_step_it_left_and_confirmation_times_the_whole_journey(
    account_buyer, warehouses, make_product
):
    make_product("ROSE-M", stock={warehouses["AMS"]: 30}, case_pack=10)
    before = moves()
    confirmed_before = counted("bouquet_order_accepted_to_confirmed_seconds_count")
    batches_before = counted("bouquet_step_duration_seconds_count", step="reserve")
    for _ in range(2):
        place(account_buyer, {"ROSE-M": 10})
    place(account_buyer, {"ROSE-M": 20})  # past the stock: cancelled out of stock

    drive_journey()

    assert {move: count - before[move] for move, count in moves().items()} == {
        ("reserve", "INVENTORY_RESERVED"): 2,
        ("pay", "PAYMENT_PENDING"): 2,
        ("pay", "PAID"): 2,
        ("finalize", "CONFIRMED"): 2,
        ("reserve", "CANCELLED"): 1,
    }
    assert counted("bouquet_order_accepted_to_confirmed_seconds_count") == confirmed_before + 2
    assert counted("bouquet_step_duration_seconds_count", step="reserve") > batches_before


def test_a_rolled_back_batch_counts_nothing(account_buyer, warehouses, make_product):
    make_product("ROSE-RB", stock={warehouses["AMS"]: 30}, case_pack=10)
    order = place(account_buyer, {"ROSE-RB": 10})
    before = moves()

    with pytest.raises(RuntimeError), transaction.atomic():
        moved = transition_many(lock_orders_in_status([order.id], OrderStatus.CREATED), OrderStatus.CANCELLED)
        assert len(moved) == 1
        raise RuntimeError("the batch failed after the move")

    assert moves() == before


def test_failed_attempts_count_as_retries_then_a_dead_letter(card_buyer, warehouses, make_product, settings):
    settings.STRIPE_API_BASE, settings.STRIPE_BREAKER_THRESHOLD = UNREACHABLE, 100
    settings.BOUQUET = {**settings.BOUQUET, "STEP_MAX_ATTEMPTS": 3, "STEP_BACKOFF_BASE_SECONDS": 0}
    make_product("ROSE-DL", stock={warehouses["AMS"]: 100}, case_pack=10)
    place(card_buyer, {"ROSE-DL": 10})
    run_step_alone("reserve")
    before = failures("pay")

    for _ in range(5):
        run_step("pay")

    assert {outcome: n - before[outcome] for outcome, n in failures("pay").items()} == {
        "retry": 2,
        "dead_letter": 1,
        "deferred": 0,
    }


def test_an_order_the_open_breaker_holds_back_counts_as_deferred(card_buyer, warehouses, make_product, settings):
    settings.STRIPE_API_BASE, settings.STRIPE_BREAKER_THRESHOLD, settings.STRIPE_BREAKER_COOLOFF_SECONDS = (
        UNREACHABLE,
        2,
        60,
    )
    make_product("ROSE-CB", stock={warehouses["AMS"]: 100}, case_pack=10)
    for _ in range(4):
        place(card_buyer, {"ROSE-CB": 10})
    run_step_alone("reserve")
    before = failures("pay")

    run_step("pay")

    # Two real failures opened the breaker; the other two waited without an attempt.
    assert {outcome: n - before[outcome] for outcome, n in failures("pay").items()} == {
        "retry": 2,
        "dead_letter": 0,
        "deferred": 2,
    }
