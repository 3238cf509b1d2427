"""Disputes: a `charge.dispute.created` event, read by the Stripe mirror
(payments/mirror.py), marks the order's payment as disputed. The mark sits beside the
payment's `status`, which the journey moves: a disputed payment keeps its history."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from djstripe.models import Charge

from config.metrics import count_dispute_opened
from payments.models import Payment


def mark_payment_disputed(*, dispute: dict, opened_at: datetime) -> Payment | None:
    """Mark the payment the dispute's PaymentIntent (or charge) belongs to; None when
    no payment of ours has it (the reconciliation reports such charges). A payment
    already marked keeps its first dispute and is counted once."""
    payment_intent_id = _payment_intent_of(dispute)
    if not payment_intent_id:
        return None
    payment = Payment.objects.filter(stripe_payment_intent_id=payment_intent_id).first()
    if payment is None:
        return None
    marked = Payment.objects.filter(Q(disputed_at__isnull=True), id=payment.id).update(
        disputed_at=opened_at, stripe_dispute_id=str(dispute["id"])
    )
    if marked:
        transaction.on_commit(count_dispute_opened)
    payment.refresh_from_db(fields=["disputed_at", "stripe_dispute_id"])
    return payment


def _payment_intent_of(dispute: dict) -> str:
    """Stripe's dispute names its PaymentIntent; an older API version names only the
    charge, whose mirrored row (synced with the dispute, just before) names it."""
    named = dispute.get("payment_intent")
    if isinstance(named, dict):
        named = named.get("id")
    if named:
        return str(named)
    charge = dispute.get("charge")
    charge_id = charge.get("id") if isinstance(charge, dict) else charge
    if not charge_id:
        return ""
    row = Charge.objects.filter(id=charge_id).values_list("stripe_data", flat=True).first() or {}
    return str(row.get("payment_intent") or "")
