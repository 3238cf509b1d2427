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
    # Set from a `charge.dispute.created` event by the Stripe mirror (payments/disputes.py):
    # the partner's bank contests the charge. Apart from `status`, which the journey moves.
    disputed_at = models.DateTimeField(null=True, blank=True)
    stripe_dispute_id = models.CharField(max_length=255, blank=True, default="", db_default="")
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status"], name="payment_refund_due", condition=Q(status="refund_pending")),
            models.Index(fields=["disputed_at"], name="payment_disputed", condition=Q(disputed_at__isnull=False)),
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
    # The Stripe mirror's progress (payments/mirror.py): null while the event waits to be
    # mirrored; set once it is, or once it failed, with the reason.
    mirrored_at = models.DateTimeField(null=True, blank=True)
    mirror_error = models.TextField(blank=True, default="", db_default="")

    class Meta:
        indexes = [
            models.Index(fields=["received_at"], name="stripe_event_to_mirror", condition=Q(mirrored_at__isnull=True)),
            # The admin home counts the failures at every look.
            models.Index(
                fields=["received_at"],
                name="stripe_event_mirror_failed",
                condition=Q(mirrored_at__isnull=False) & ~Q(mirror_error=""),
            ),
        ]

    def __str__(self):
        return f"{self.id} {self.type}"


class MirrorSwitch(models.Model):
    """One row: whether the Stripe mirror is paused. An operator pauses it at peak from
    the admin or `manage.py stripe_mirror pause`; events wait in StripeEvent meanwhile."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    paused = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Stripe mirror switch"

    def __str__(self):
        return "Stripe mirror paused" if self.paused else "Stripe mirror running"


class ReconciliationRun(models.Model):
    """One comparison of what Stripe holds for a window with our payments
    (payments/reconciliation.py)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    window_start = models.DateTimeField()
    charges_checked = models.PositiveIntegerField(default=0)
    refunds_checked = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    def __str__(self):
        return f"reconciliation of {self.started_at:%Y-%m-%d %H:%M}"


class ReconciliationFinding(models.Model):
    class Kind(models.TextChoices):
        CHARGE_WITHOUT_ORDER = "charge_without_order", "a charge without an order"
        AMOUNT_DIFFERS = "amount_differs", "amounts differ"
        REFUND_NOT_RECORDED = "refund_not_recorded", "a refund not recorded"

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    stripe_id = models.CharField(max_length=255)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    detail = models.TextField()

    def __str__(self):
        return f"{self.get_kind_display()}: {self.stripe_id}"
