"""Payment records: what was asked of Stripe and what it answered, and the events it
sent. These functions record; moving an order is the job of `orders` and of the
journey's workers (`journey`), which call them."""

import logging
from contextlib import contextmanager

from django.db import connection
from django.db.models.functions import Now

from config.row_inserts import as_saved, insert_rows
from partners.credit import return_credit
from payments.models import Payment

logger = logging.getLogger("bouquet.payments")


def create_payment(*, order, method: str, status: str) -> Payment:
    return Payment.objects.create(
        order=order, method=method, status=status, amount=order.total, currency=order.currency
    )


PAYMENT_COLUMNS = ("order_id", "method", "amount", "currency", "status")


def create_payments(*, orders, method: str, status_of) -> list[Payment]:
    """Write what `create_payment` would for each order, in one statement, its status
    `status_of(order)`; each order's `payment` is then the one written, as after
    `create_payment`."""
    rows = [(order.id, method, order.total, order.currency, status_of(order)) for order in orders]
    created = insert_rows(Payment, PAYMENT_COLUMNS, rows, returning=("id", "created_at"))
    payments = []
    for order, row, (payment_id, created_at) in zip(orders, rows, created, strict=True):
        values = dict(zip(PAYMENT_COLUMNS, row, strict=True))
        payment = as_saved(Payment(id=payment_id, created_at=created_at, updated_at=created_at, **values))
        payment.order = order  # and order.payment is this payment
        payments.append(payment)
    return payments


def create_payments_on_account(*, orders, succeeded_order_ids: set[int]) -> list[Payment]:
    """Payments on account: succeeded when the order's credit was drawn, else held."""
    return create_payments(
        orders=orders,
        method=Payment.Method.ACCOUNT,
        status_of=lambda order: Payment.Status.SUCCEEDED if order.id in succeeded_order_ids else Payment.Status.HELD,
    )


def create_card_payments(*, orders) -> list[Payment]:
    """Payments by card, pending until Stripe answers."""
    return create_payments(orders=orders, method=Payment.Method.CARD, status_of=lambda order: Payment.Status.PENDING)


def lock_payment(*, order_id: int) -> Payment | None:
    """Lock the order's payment row, if it has one. Call after locking the order."""
    return Payment.objects.select_for_update().filter(order_id=order_id).first()


def mark_payment(
    payment: Payment, status: str, *, stripe_status: str | None = None, last_error: str | None = None
) -> None:
    payment.status = status
    fields = ["status", "updated_at"]
    if stripe_status is not None:
        payment.stripe_status = stripe_status
        fields.append("stripe_status")
    if last_error is not None:
        payment.last_error = last_error[:2000]
        fields.append("last_error")
    payment.updated_at = Now()
    payment.save(update_fields=fields)


def store_payment_intent(*, payment: Payment, payment_intent_id: str, stripe_status: str) -> str | None:
    """Store the PaymentIntent's id on the payment unless one is stored already, and
    return the id that is stored (ours, or the one another worker stored first). None
    means the payment was cancelled meanwhile (its order with it): nothing is stored,
    and the caller must not charge."""
    stored = Payment.objects.filter(
        id=payment.id,
        stripe_payment_intent_id__isnull=True,
        status=Payment.Status.PENDING,
    ).update(stripe_payment_intent_id=payment_intent_id, stripe_status=stripe_status, updated_at=Now())
    if stored:
        payment.stripe_payment_intent_id = payment_intent_id
        return payment_intent_id
    payment.refresh_from_db(fields=["stripe_payment_intent_id", "stripe_status", "status"])
    return payment.stripe_payment_intent_id


_STORE_PAYMENT_INTENTS_SQL = """
UPDATE payments_payment p
   SET stripe_payment_intent_id = d.intent_id, stripe_status = d.stripe_status, updated_at = statement_timestamp()
  FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS d(id, intent_id, stripe_status)
 WHERE p.id = d.id AND p.stripe_payment_intent_id IS NULL AND p.status = 'pending'
RETURNING p.id
"""


def store_payment_intents(intents: dict[Payment, dict]) -> set[int]:
    """Store each PaymentIntent's id on its payment as `store_payment_intent` would, in
    one statement for the lot, and return the ids of the payments it was stored on.
    For the others the caller must ask `store_payment_intent` what is stored instead."""
    if not intents:
        return set()
    payments = list(intents)
    with connection.cursor() as cursor:
        cursor.execute(
            _STORE_PAYMENT_INTENTS_SQL,
            [
                [payment.id for payment in payments],
                [intents[payment]["id"] for payment in payments],
                [intents[payment]["status"] for payment in payments],
            ],
        )
        stored = {row[0] for row in cursor.fetchall()}
    for payment in payments:
        if payment.id in stored:
            payment.stripe_payment_intent_id = intents[payment]["id"]
    return stored


def mark_payments_succeeded(*, payment_ids) -> None:
    """Mark card payments whose orders the caller has locked as charged, in one
    statement."""
    Payment.objects.filter(id__in=payment_ids).update(
        status=Payment.Status.SUCCEEDED, stripe_status="succeeded", updated_at=Now()
    )


def mark_settled_at_stripe(*, payment: Payment, refund_id: str | None) -> bool:
    """Close a payment that was due to be undone at Stripe: refunded (with the refund's
    id) or, when the PaymentIntent never charged, cancelled. Once only."""
    status = Payment.Status.REFUNDED if refund_id else Payment.Status.CANCELED
    return bool(
        Payment.objects.filter(id=payment.id, status=Payment.Status.REFUND_PENDING).update(
            status=status, stripe_refund_id=refund_id or "", updated_at=Now()
        )
    )


def settle_payment_on_cancel(payment: Payment | None) -> None:
    """Undo what the payment did for an order being cancelled: a card charge becomes
    due for refund, an on-account draw goes back on the credit line, anything not yet
    charged is cancelled. A card payment with a PaymentIntent that has not answered
    yet is due to be settled at Stripe as well: the worker that confirmed it may have
    died before recording the charge, and an unconfirmed one must be cancelled so it
    never charges. Call with the payment locked, inside the cancel's transaction."""
    if payment is None:
        return
    if payment.method == Payment.Method.CARD:
        if payment.status == Payment.Status.SUCCEEDED or (
            payment.status == Payment.Status.PENDING and payment.stripe_payment_intent_id
        ):
            mark_payment(payment, Payment.Status.REFUND_PENDING)
        elif payment.status == Payment.Status.PENDING:
            mark_payment(payment, Payment.Status.CANCELED)
    else:
        if payment.status == Payment.Status.SUCCEEDED:
            return_credit(partner_id=payment.order.partner_id, amount=payment.amount)
            mark_payment(payment, Payment.Status.CANCELED)
        elif payment.status == Payment.Status.HELD:
            mark_payment(payment, Payment.Status.CANCELED)


# Store a Stripe event by id, its payload as Stripe sent it (JSON text: PostgreSQL reads
# it, so the webhook does not write out again what it parsed); a row comes back only for
# an event not seen before (not a redelivery). The first part of the webhook's one
# statement (journey.payment_events), which also makes the order waiting on it due.
RECORD_EVENT_SQL = """
INSERT INTO payments_stripeevent (id, type, payment_intent_id, payload, received_at)
VALUES (%(event_id)s, %(event_type)s, %(payment_intent_id)s, %(payload)s::jsonb, statement_timestamp())
ON CONFLICT (id) DO NOTHING
RETURNING id
"""


# The keys are those `payment_call_lock` takes, so a batch and a single order exclude
# each other.
_TRY_CALL_LOCKS_SQL = """
SELECT id FROM unnest(%s::bigint[]) AS ids(id)
 WHERE pg_try_advisory_lock(hashtextextended('stripe-call:' || id::text, 0))
"""


_RELEASE_CALL_LOCKS_SQL = """
SELECT pg_advisory_unlock(hashtextextended('stripe-call:' || id::text, 0)) FROM unnest(%s::bigint[]) AS ids(id)
"""


def try_payment_call_locks(*, order_ids) -> list[int]:
    """Take `payment_call_lock` for each of the orders that no other worker holds, in
    one statement, and return those taken (release them with
    `release_payment_call_locks`). Read the payments only after this: what another
    worker wrote before letting go is seen only by a later statement."""
    if not order_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_TRY_CALL_LOCKS_SQL, [list(order_ids)])
        return sorted(row[0] for row in cursor.fetchall())


def release_payment_call_locks(*, order_ids) -> None:
    if not order_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE_CALL_LOCKS_SQL, [list(order_ids)])


@contextmanager
def payment_call_lock(*, order_id: int):
    """Yield whether this worker may talk to Stripe for the order now: a session-level
    advisory lock, taken without waiting and held across the Stripe calls (no row lock
    is held meanwhile), keeps two workers from confirming or refunding one order at
    once. It dies with the connection, so a killed worker does not keep it."""
    key = f"stripe-call:{order_id}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
