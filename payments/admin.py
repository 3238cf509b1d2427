from django.contrib import admin

from config.admin import ViewOnlyMixin
from payments.models import Payment, StripeEvent


@admin.register(Payment)
class PaymentAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = [
        "order",
        "method",
        "status",
        "amount",
        "currency",
        "stripe_payment_intent_id",
        "stripe_status",
        "updated_at",
    ]
    list_filter = ["method", "status"]
    search_fields = ["=order__number", "=stripe_payment_intent_id", "=stripe_refund_id"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"


@admin.register(StripeEvent)
class StripeEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "type", "payment_intent_id", "received_at"]
    list_filter = ["type"]
    search_fields = ["=id", "=payment_intent_id"]
    date_hierarchy = "received_at"
