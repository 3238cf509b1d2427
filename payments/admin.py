from django.contrib import admin

from config.admin import ViewOnlyMixin
from config.stripe_links import MirroredPaymentLinks
from payments.models import MirrorSwitch, Payment, ReconciliationFinding, ReconciliationRun, StripeEvent


class DisputedFilter(admin.SimpleListFilter):
    title = "dispute"
    parameter_name = "disputed"

    def lookups(self, request, model_admin):
        return [("yes", "disputed"), ("no", "not disputed")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(disputed_at__isnull=self.value() == "no")
        return queryset


@admin.register(Payment)
class PaymentAdmin(MirroredPaymentLinks, ViewOnlyMixin, admin.ModelAdmin):
    list_display = [
        "order",
        "method",
        "status",
        "amount",
        "currency",
        "stripe_payment_intent_id",
        "stripe_status",
        "disputed_at",
        "updated_at",
    ]
    list_filter = ["method", "status", DisputedFilter]
    search_fields = ["=order__number", "=stripe_payment_intent_id", "=stripe_refund_id", "=stripe_dispute_id"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    readonly_fields = ["mirrored_payment_intent", "mirrored_charges", "mirrored_dispute"]


class MirrorStateFilter(admin.SimpleListFilter):
    title = "Stripe mirror"
    parameter_name = "mirror"

    def lookups(self, request, model_admin):
        return [("waiting", "waiting"), ("failed", "failed"), ("done", "mirrored")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(mirrored_at__isnull=True)
        if self.value() == "failed":
            return queryset.filter(mirrored_at__isnull=False).exclude(mirror_error="")
        if self.value() == "done":
            return queryset.filter(mirrored_at__isnull=False, mirror_error="")
        return queryset


@admin.register(StripeEvent)
class StripeEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "type", "payment_intent_id", "received_at", "mirrored_at", "mirror_error"]
    list_filter = ["type", MirrorStateFilter]
    search_fields = ["=id", "=payment_intent_id"]
    date_hierarchy = "received_at"


@admin.register(MirrorSwitch)
class MirrorSwitchAdmin(admin.ModelAdmin):
    """The operator's switch: untick "paused" to let the mirror run again."""

    list_display = ["__str__", "paused", "changed_at"]
    list_editable = ["paused"]
    list_display_links = None
    fields = ["paused"]

    def get_queryset(self, request):
        MirrorSwitch.objects.get_or_create(id=1)
        return super().get_queryset(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FindingInline(ViewOnlyMixin, admin.TabularInline):
    model = ReconciliationFinding
    fields = ["kind", "stripe_id", "payment", "detail"]
    readonly_fields = fields


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["started_at", "window_start", "charges_checked", "refunds_checked", "findings_count", "error"]
    date_hierarchy = "started_at"
    inlines = [FindingInline]

    @admin.display(description="differences")
    def findings_count(self, run):
        return run.findings.count()


@admin.register(ReconciliationFinding)
class ReconciliationFindingAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["run", "kind", "stripe_id", "payment", "detail"]
    list_filter = ["kind"]
    search_fields = ["=stripe_id"]
    list_select_related = ["run", "payment"]
