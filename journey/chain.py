"""The chained pass: a worker carries each order of a claimed batch as far as it can go
at once (issue 20), instead of leaving it for the next step's task and claim.

The reserve step's batch (`reserve_and_go_on`) reserves, then in the same transaction
moves the orders whose credit it drew on to PAID and CONFIRMED, and starts the card
payments; the cards are then charged (journey.steps.pay_cards) and the orders they paid
finalized, in the same pass. The pay step's batch (`pay_and_go_on`) does the same from
INVENTORY_RESERVED or PAYMENT_PENDING: retries, webhook wake-ups, orders whose
processing PaymentIntent was deferred. Each move is still a compare-and-set with its
event (orders.transitions), counted at the step whose queue the order left; the moves
of a locked batch are folded (`folded_moves`), so that an order's row is written once
a transaction, with an event for every move it made.

An order that cannot go on stays where its step left it, for that step's own claim:
on credit hold, cancelled out of stock, declined, a PaymentIntent still processing,
a Stripe conversation another worker holds, a failed attempt (counted under the pay
step, with its backoff), a reservation in a warehouse that closed. The pass wakes the
step of whatever it leaves due now."""

import logging
from collections.abc import Sequence

from django.db import transaction

from journey.failures import count_failures_on_commit, record_failure
from journey.steps import finalize, pay
from journey.steps.pay_cards import charge_cards
from orders.models import Order, OrderStatus
from orders.reserving import reserve_created_orders
from orders.transitions import folded_moves, lock_orders_in_status
from orders.wakeups import wake_on_commit
from payments.models import Payment

logger = logging.getLogger("bouquet.journey")

PAY_STATES = (OrderStatus.INVENTORY_RESERVED, OrderStatus.PAYMENT_PENDING)


def reserve_and_go_on(order_ids: Sequence[int]) -> list[int]:
    """Do what `reserve_batch` does, then carry each reserved order on as far as it
    goes. Return the orders left to `reserve_one` (those released from a credit hold).
    One transaction, with a constant number of statements, takes an on-account batch
    from CREATED to CONFIRMED. Any error before the cards are charged rolls the batch
    back (the caller then reserves one order at a time)."""
    with transaction.atomic():
        orders = [
            order
            for order in lock_orders_in_status(order_ids, OrderStatus.CREATED, with_payment=True)
            if not order.hold
        ]
        released = [order.id for order in orders if getattr(order, "payment", None) is not None]
        orders = [order for order in orders if order.id not in released]
        if not orders:
            return released
        with folded_moves():
            reserve_created_orders(orders)
            cards = _pay_and_finalize_locked(orders)
        if any(order.status == OrderStatus.INVENTORY_RESERVED for order in orders):
            wake_on_commit("pay")  # on account, reserved before its credit was drawn (pay_one)
    _charge_and_finalize(cards)
    return released


def pay_and_go_on(order_ids: Sequence[int]) -> list[int]:
    """Start the payments of orders reserved, charge the cards of those waiting on one,
    and finalize what was paid. Return the orders left to `pay_one`: an on-account order
    whose credit was not drawn, a payment in any state the batch does not handle."""
    with transaction.atomic():
        orders = lock_orders_in_status(order_ids, *PAY_STATES, with_payment=True)
        waiting = [order.id for order in orders if _waits_for_its_card(order)]
        with folded_moves():
            cards = _pay_and_finalize_locked(orders)
    charging = {*waiting, *cards}
    left = [order.id for order in orders if order.status in PAY_STATES and order.id not in charging]
    _charge_and_finalize(sorted(charging))
    return left


def _waits_for_its_card(order: Order) -> bool:
    payment = getattr(order, "payment", None)
    return (
        order.status == OrderStatus.PAYMENT_PENDING
        and not order.hold
        and payment is not None
        and payment.method == Payment.Method.CARD
        and payment.status == Payment.Status.PENDING
    )


def _pay_and_finalize_locked(orders: Sequence[Order]) -> list[int]:
    """Start the payments of the locked orders now reserved, finalize those paid on
    account, and return the ids of the card orders to charge once this commits."""
    cards = pay.start_payments(orders)
    closed = finalize.finalize_locked_orders([order for order in orders if order.status == OrderStatus.PAID])
    if closed:
        wake_on_commit("finalize")  # re-routed one at a time by finalize_one
    return [order.id for order in cards]


def _charge_and_finalize(order_ids: list[int]) -> None:
    """Charge the orders' cards, finalizing those paid as their answers are recorded:
    failures are counted per order under the pay step, and whatever a failure here
    leaves is due for its own step's claim (woken), or waits out the lease its claim
    took."""
    if not order_ids:
        return
    try:
        charged = charge_cards(order_ids)
    except Exception as exc:
        # The database failing: nothing is lost, the orders are retried once leased out.
        logger.warning("charging a batch failed", extra={"orders": len(order_ids), "error": repr(exc)})
        return
    if charged.busy:
        count_failures_on_commit("pay", "deferred", len(charged.busy))
    for order_id, error in charged.failures.items():
        record_failure("pay", order_id, error)
