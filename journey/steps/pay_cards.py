"""Charging a batch's cards: what `journey.steps.pay.charge_card` does for one order,
for a whole batch, with the database work batched around the Stripe calls
(docs/DESIGN.md section 9; issue 20). Per batch, whatever its size:

1. one statement takes the Stripe call lock (`payments.services.payment_call_lock`)
   of every order no other worker is talking to Stripe for, and one reads their
   payments under it;
2. the PaymentIntents are created (or, on a retry, re-read) at Stripe, concurrently;
3. one statement stores the new PaymentIntents' ids, before any is confirmed, so a
   retry asks Stripe about the same PaymentIntent instead of making another;
4. they are confirmed at Stripe, concurrently;
5. one transaction records the answers: PAID, declined (the order cancelled and its
   stock released, as `record_payment_declined` does), or still processing (that
   order deferred), and finalizes the orders now PAID, inside a savepoint, as the
   finalize step would (a transaction and a locking of the orders fewer than a
   finalize batch of their own); one statement then lets go of the locks.

An order another worker holds is left to it. A worker told to stop finishes the
orders whose PaymentIntent it has made and hands back the others, untouched at Stripe,
for another worker to take at once. A failed call fails that order alone,
returned for the caller to count as a failed attempt. It is a module apart from
`pay.py` for length; the two are twins, and `pay_one` stays the path of a single
order (retries after a failed batch, a partner on account with credit not drawn)."""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from journey.steps.finalize import finalize_locked_orders
from journey.steps.pay import (
    PAYMENT_BUSY_RECHECK_SECONDS,
    PAYMENT_PROCESSING_RECHECK_SECONDS,
    create_payment_intent_for,
    record_payment_declined_locked,
    record_payment_succeeded_locked,
)
from journey.stripe_threads import stripe_threads
from journey.worker_stop import hand_back, stop_requested
from orders.models import Order, OrderStatus
from orders.transitions import lock_orders_in_status, transition_many
from orders.wakeups import wake_on_commit
from payments import circuit_breaker, gateway
from payments import services as payments
from payments.exceptions import CardDeclinedError, PaymentGatewayUnavailableError
from payments.models import Payment

logger = logging.getLogger("bouquet.journey")


@dataclass
class Charge:
    """One order's card payment on its way through a batch."""

    payment: Payment
    intent: dict | None = None
    created: bool = False
    declined: str | None = None
    error: Exception | None = None
    # Not started: the process was told to stop first (journey.worker_stop).
    handed_back: bool = False


@dataclass
class ChargedCards:
    """What a batch of card payments came to: the orders paid (CONFIRMED, unless left
    PAID for the finalize step, woken), those another worker holds (deferred), and
    those whose attempt failed, with the error."""

    paid: list[int] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)
    failures: dict[int, Exception] = field(default_factory=dict)


def charge_cards(order_ids: Sequence[int]) -> ChargedCards:
    """Drive each order's one PaymentIntent to an answer and record it, as
    `charge_card` would one by one. The orders are PAYMENT_PENDING with a pending card
    payment, leased by the caller, who holds no transaction (Stripe is never called
    inside one)."""
    outcome = ChargedCards()
    mine = payments.try_payment_call_locks(order_ids=order_ids)
    try:
        outcome.busy = [order_id for order_id in order_ids if order_id not in set(mine)]
        if outcome.busy:
            _defer_pending(outcome.busy, PAYMENT_BUSY_RECHECK_SECONDS)
        charges = [
            Charge(payment)
            for payment in Payment.objects.select_related("order__partner").filter(
                order_id__in=mine, method=Payment.Method.CARD, status=Payment.Status.PENDING
            )
        ]
        if not charges:
            return outcome
        try:
            circuit_breaker.check_closed()
        except PaymentGatewayUnavailableError as cooling_off:
            outcome.failures = {charge.payment.order_id: cooling_off for charge in charges}
            return outcome
        _at_stripe(charges, _create_or_read)
        hand_back("pay", [charge.payment.order_id for charge in charges if charge.handed_back])
        charges = [charge for charge in charges if not charge.handed_back]
        _store_payment_intents(charges)
        _at_stripe([charge for charge in charges if _to_confirm(charge)], _confirm)
        outcome.failures = {charge.payment.order_id: charge.error for charge in charges if charge.error}
        outcome.paid = _record_answers([charge for charge in charges if not charge.error])
    finally:
        payments.release_payment_call_locks(order_ids=mine)
    return outcome


def _at_stripe(charges: list[Charge], call: Callable[[Charge], None]) -> None:
    """Make `call` for each charge, up to STRIPE_CONCURRENCY at once on the process's
    Stripe threads (no database work happens on them); an error is the charge's own."""

    def call_keeping_errors(charge: Charge) -> None:
        try:
            call(charge)
        except CardDeclinedError as declined:
            charge.declined = declined.message
        except Exception as exc:
            charge.error = exc

    threads = settings.BOUQUET["STRIPE_CONCURRENCY"]
    if threads <= 1 or len(charges) <= 1:
        for charge in charges:
            call_keeping_errors(charge)
    else:
        list(stripe_threads(threads).map(call_keeping_errors, charges))


def _create_or_read(charge: Charge) -> None:
    if stop_requested():  # the process is stopping: another worker takes it now
        charge.handed_back = True
        return
    payment, order = charge.payment, charge.payment.order
    partner = order.partner
    if payment.stripe_payment_intent_id:
        charge.intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    elif not (partner.stripe_customer_id and partner.stripe_payment_method_id):
        charge.declined = "No card on file for this partner."
    else:
        charge.intent = create_payment_intent_for(order, payment)
        charge.created = True


def _store_payment_intents(charges: list[Charge]) -> None:
    """Store the new PaymentIntents' ids in one statement. Where one could not be
    stored (rare): the order was cancelled meanwhile, and ours is cancelled so it never
    charges; or another worker stored its own first, and we follow theirs."""
    created = [charge for charge in charges if charge.created and not charge.error]
    stored = payments.store_payment_intents({charge.payment: charge.intent for charge in created})
    for charge in created:
        if charge.payment.id in stored:
            continue
        try:
            ours = charge.intent["id"]
            theirs = payments.store_payment_intent(
                payment=charge.payment, payment_intent_id=ours, stripe_status=charge.intent["status"]
            )
            if theirs == ours:
                continue
            gateway.cancel_payment_intent(ours)
            charge.intent = gateway.retrieve_payment_intent(theirs) if theirs else None
        except Exception as exc:
            charge.error = exc


def _to_confirm(charge: Charge) -> bool:
    return not charge.error and charge.intent is not None and charge.intent["status"] == "requires_confirmation"


def _confirm(charge: Charge) -> None:
    order_id = charge.payment.order_id
    charge.intent = gateway.confirm_payment_intent(
        charge.intent["id"], idempotency_key=f"bouquet-order-{order_id}-confirm"
    )


def _record_answers(charges: list[Charge]) -> list[int]:
    """Record every answer in one transaction, as `act_on_payment_intent` would one by
    one, and return the ids of the orders now PAID. Charges with no answer (their
    order cancelled while its PaymentIntent was made) record nothing."""
    answered = {charge.payment.order_id: charge for charge in charges if charge.declined or charge.intent}
    if not answered:
        return []
    with transaction.atomic():
        orders = lock_orders_in_status(list(answered), OrderStatus.PAYMENT_PENDING, OrderStatus.CANCELLED)
        succeeded = [
            order
            for order in orders
            if order.status == OrderStatus.PAYMENT_PENDING
            and not answered[order.id].declined
            and answered[order.id].intent["status"] == "succeeded"
        ]
        payments.mark_payments_succeeded(payment_ids=[answered[order.id].payment.id for order in succeeded])
        paid = transition_many(
            succeeded,
            OrderStatus.PAID,
            details={order.id: f"card charged ({answered[order.id].intent['id']})" for order in succeeded},
        )
        processing = []
        for order in orders:
            if order in succeeded:
                continue
            charge = answered[order.id]
            if charge.declined:
                record_payment_declined_locked(order, charge.declined)
            elif charge.intent["status"] == "succeeded":
                record_payment_succeeded_locked(order, charge.intent["id"])  # cancelled meanwhile: a refund
            elif charge.intent["status"] in ("requires_payment_method", "canceled"):
                error = (charge.intent.get("last_payment_error") or {}).get("message")
                record_payment_declined_locked(order, error or f"PaymentIntent {charge.intent['status']}.")
            elif order.status == OrderStatus.PAYMENT_PENDING:
                processing.append(order.id)
        if processing:
            _defer_pending(processing, PAYMENT_PROCESSING_RECHECK_SECONDS)
            logger.info("payments still processing", extra={"orders": len(processing)})
        if _finalize_paid(paid):
            wake_on_commit("finalize")
    return [order.id for order in paid]


def _finalize_paid(orders: list[Order]) -> set[int]:
    """Finalize the orders just paid, in the transaction that recorded their payment,
    and return the ids of those left PAID for the finalize step: a warehouse holding
    their reservation closed, or finalizing failed. It runs in a savepoint, so that a
    failure here never undoes the record of a card charged."""
    if not orders:
        return set()
    try:
        with transaction.atomic():
            return finalize_locked_orders(orders)
    except Exception as exc:
        logger.warning("finalizing a batch failed", extra={"orders": len(orders), "error": repr(exc)})
        return {order.id for order in orders}


def _defer_pending(order_ids: list[int], seconds: float) -> None:
    """Let orders still PAYMENT_PENDING wait `seconds` before the pay step claims them
    again, in one statement."""
    Order.objects.filter(id__in=order_ids, status=OrderStatus.PAYMENT_PENDING).update(
        next_attempt_at=timezone.now() + timedelta(seconds=seconds)
    )
