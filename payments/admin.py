from django.contrib import admin, messages
from django.template.defaultfilters import truncatechars

from config.admin import ViewOnlyMixin
from orders.services.operations import resolve_dead_letter, retry_dead_letter
from payments.models import DeadLetter, Payment, StripeEvent


@admin.register(Payment)
class PaymentAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "method", "status", "amount", "currency", "stripe_payment_intent_id", "stripe_status", "updated_at"]
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


@admin.register(DeadLetter)
class DeadLetterAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "task", "order", "short_error", "attempts", "status", "created_at", "resolved_at"]
    list_filter = ["status", "task"]
    search_fields = ["task", "=order__number", "error"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    actions = ["retry", "mark_resolved"]

    def has_operate_permission(self, request):
        return request.user.has_perm("payments.change_deadletter")

    def _run(self, request, queryset, verb: str, call) -> None:
        done, skipped = [], []
        actor = request.user.get_username()
        for dead_letter in queryset:
            if dead_letter.status != DeadLetter.Status.OPEN:
                skipped.append(f"{dead_letter.id} ({dead_letter.status})")
                continue
            call(dead_letter_id=dead_letter.id, actor=actor)
            self.log_change(request, dead_letter, f"{verb} from the back office")
            done.append(str(dead_letter.id))
        if done:
            self.message_user(request, f"{verb}: dead letter(s) {', '.join(done)}.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"Not {verb.lower()}, already handled: {', '.join(skipped)}.", messages.WARNING)

    @admin.action(description="Retry selected dead letters (fresh attempts, wake the step)", permissions=["operate"])
    def retry(self, request, queryset):
        self._run(request, queryset, "Retried", retry_dead_letter)

    @admin.action(description="Mark selected dead letters resolved", permissions=["operate"])
    def mark_resolved(self, request, queryset):
        self._run(request, queryset, "Resolved", resolve_dead_letter)

    @admin.display(description="error")
    def short_error(self, dead_letter):
        return truncatechars(dead_letter.error, 80)
