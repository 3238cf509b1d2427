"""Payments (card through Stripe, or on account) and the Stripe events seen."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class Payment(models.Model):
    class Method(models.TextChoices):
        CARD = "card"
        ACCOUNT = "account"

    class Status(models.TextChoices):
        PENDING = "pending", "waiting for Stripe"
        HELD = "held", "credit hold"
        SUCCEEDED = "succeeded"
        DECLINED = "declined"
        CANCELED = "canceled", "canceled before charge"
        REFUND_PENDING = "refund_pending", "refund due"
        REFUNDED = "refunded"

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="payment")
    method = models.CharField(max_length=10, choices=Method.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    # Stored before the PaymentIntent is confirmed, so a retry reuses it: one
    # PaymentIntent per order, whatever Stripe does with idempotency keys.
    stripe_payment_intent_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_status = models.CharField(max_length=40, blank=True)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status"], name="payment_refund_due", condition=Q(status="refund_pending")),
        ]

    def __str__(self):
        return f"{self.method} {self.amount} {self.status}"


class StripeEvent(models.Model):
    """Each Stripe event id once: the primary key makes a redelivery a no-op."""

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=100)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(db_default=Now())

    def __str__(self):
        return f"{self.id} {self.type}"
