from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import truncatechars
from django.template.response import TemplateResponse
from django.utils.html import format_html
from import_export.admin import ExportMixin

from config.admin import BackOfficeImportExportMixin, ViewOnlyMixin
from config.errors import DomainError
from config.stripe_links import MirroredPaymentLinks
from fulfillment.models import Shipment
from fulfillment.route_month import order_by_text
from inventory.models import Reservation, Warehouse
from orders import campaign_admin, prebook_admin  # noqa: F401 (they register the campaign admin)
from orders.cancellation import cancel_order
from orders.credit_holds import release_credit_hold
from orders.dead_letters import resolve_dead_letter, retry_dead_letter
from orders.delivery import order_by_on_warehouse_clock
from orders.models import (
    Cart,
    CartLine,
    CsvUpload,
    DeadLetter,
    IdempotencyRecord,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
)
from orders.redrive import redrive_order
from orders.resources import OrderLineExportResource
from orders.selectors import stuck_orders
from orders.states import MOVED_BY_STEPS
from payments.models import Payment


class LineInline(ViewOnlyMixin, admin.TabularInline):
    model = OrderLine
    fields = ["line_no", "sku", "product_name", "quantity", "unit_price", "line_total"]
    readonly_fields = fields


class EventInline(ViewOnlyMixin, admin.TabularInline):
    model = OrderEvent
    verbose_name_plural = "timeline (order events)"
    fields = ["created_at", "from_status", "to_status", "reason", "detail", "actor"]
    readonly_fields = fields


class PaymentInline(MirroredPaymentLinks, ViewOnlyMixin, admin.StackedInline):
    model = Payment
    fields = [
        "method",
        "status",
        "amount",
        "currency",
        "stripe_payment_intent_id",
        "mirrored_payment_intent",
        "mirrored_charges",
        "stripe_status",
        "stripe_refund_id",
        "disputed_at",
        "stripe_dispute_id",
        "last_error",
        "updated_at",
    ]
    readonly_fields = fields


class ShipmentInline(ViewOnlyMixin, admin.TabularInline):
    model = Shipment
    fields = ["warehouse", "status", "tracking_number", "created_at", "dispatched_at"]
    readonly_fields = fields
    show_change_link = True


class DeadLetterInline(ViewOnlyMixin, admin.TabularInline):
    model = DeadLetter
    fields = ["task", "status", "attempts", "error", "created_at", "resolved_at", "resolved_by"]
    readonly_fields = fields
    show_change_link = True


class WarehouseFilter(admin.SimpleListFilter):
    """Orders served by a warehouse: shipped from it, or holding stock reserved there."""

    title = "warehouse"
    parameter_name = "warehouse"

    def lookups(self, request, model_admin):
        return [(w.code, f"{w.code} {w.name}") for w in Warehouse.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Exists(Shipment.objects.filter(order=OuterRef("pk"), warehouse__code=self.value()))
            | Exists(Reservation.objects.filter(order_id=OuterRef("pk"), warehouse__code=self.value()))
        )


class AttentionFilter(admin.SimpleListFilter):
    """What the admin home links to: orders stuck past the sweeper's threshold, and
    orders still waiting at a step."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("stuck", "stuck past the sweeper's threshold"), ("waiting", "waiting at a step (not held)")]

    def queryset(self, request, queryset):
        if self.value() == "stuck":
            return queryset.filter(pk__in=stuck_orders().values("pk"))
        if self.value() == "waiting":
            return queryset.filter(status__in=MOVED_BY_STEPS, hold="")
        return queryset


class CancelReasonForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="Kept in the order's timeline and shown to the partner.")


@admin.register(Order)
class OrderAdmin(BackOfficeImportExportMixin, ExportMixin, ViewOnlyMixin, admin.ModelAdmin):
    """Orders are watched here, never edited: the status moves only through the
    journey's services, so every change writes its event. The actions call those
    services and leave an admin log entry besides the events they write."""

    list_display = [
        "number",
        "partner",
        "status",
        "hold",
        "total",
        "delivery_date",
        "route",
        "order_by_on_the_warehouse_clock",
        "created_at",
        "updated_at",
    ]
    list_filter = [
        "status",
        "hold",
        ("partner", admin.RelatedOnlyFieldListFilter),
        ("route", admin.RelatedOnlyFieldListFilter),
        "requested_delivery_date",
        "created_at",
        WarehouseFilter,
        AttentionFilter,
        "source",
    ]
    search_fields = ["=number", "po_number", "=lines__sku", "partner__code", "partner__name"]
    search_help_text = "Order number, PO number, SKU of a line, or the partner's code or name."
    list_select_related = ["partner", "route__warehouse"]
    date_hierarchy = "created_at"
    # The stored order-by moment is shown on its route's warehouse clock instead.
    exclude = ["order_by"]
    readonly_fields = ["order_by_on_the_warehouse_clock"]
    inlines = [LineInline, EventInline, PaymentInline, ShipmentInline, DeadLetterInline]
    actions = ["cancel_orders", "redrive_orders", "release_credit_holds"]
    resource_classes = [OrderLineExportResource]

    # Each action moves orders through a service and needs its own right (orders.Order's
    # Meta.permissions), so that a role may cancel without releasing credit, or the reverse.
    def has_cancel_permission(self, request):
        return request.user.has_perm("orders.cancel_order")

    def has_redrive_permission(self, request):
        return request.user.has_perm("orders.redrive_order")

    def has_release_credit_hold_permission(self, request):
        return request.user.has_perm("orders.release_credit_hold")

    def has_export_permission(self, request):
        return request.user.has_perm("orders.view_order")

    @admin.display(description="delivery date", ordering="requested_delivery_date")
    def delivery_date(self, order):
        return order.requested_delivery_date

    @admin.display(description="order by (warehouse clock)", ordering="order_by")
    def order_by_on_the_warehouse_clock(self, order):
        """The order-by moment the order was accepted under, on its route's warehouse clock."""
        moment = order_by_on_warehouse_clock(order)
        if moment is None:
            return "-"
        return format_html(
            '<time datetime="{}">{} {}</time>', moment.isoformat(), order_by_text(moment), moment.tzname()
        )

    def _run(self, request, orders, verb: str, call) -> None:
        done, failed = [], []
        for order in orders:
            try:
                outcome = call(order)
            except DomainError as exc:
                failed.append(f"{order.number}: {exc.message}")
                continue
            self.log_change(request, order, f"{verb} from the back office" + (f" ({outcome})" if outcome else ""))
            done.append(order.number)
        if done:
            self.message_user(request, f"{verb}: {', '.join(done)}.", messages.SUCCESS)
        for problem in failed:
            self.message_user(request, f"Not {verb.lower()}: {problem}", messages.ERROR)

    @admin.action(description="Cancel selected orders (asks for a reason)", permissions=["cancel"])
    def cancel_orders(self, request, queryset):
        form = CancelReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            actor = request.user.get_username()
            self._run(
                request,
                queryset,
                "Cancelled",
                lambda order: cancel_order(order_id=order.id, reason=reason, actor=actor) and f"reason: {reason}",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel orders",
            "opts": self.model._meta,
            "orders": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": "cancel_orders",
        }
        return TemplateResponse(request, "admin/orders/order/cancel_orders.html", context)

    @admin.action(description="Re-drive selected orders now", permissions=["redrive"])
    def redrive_orders(self, request, queryset):
        actor = request.user.get_username()
        self._run(request, queryset, "Re-driven", lambda order: f"at {redrive_order(order_id=order.id, actor=actor)}")

    @admin.action(description="Release credit hold of selected orders", permissions=["release_credit_hold"])
    def release_credit_holds(self, request, queryset):
        actor = request.user.get_username()
        self._run(
            request,
            queryset,
            "Credit hold released",
            lambda order: (
                "moved to PAID"
                if release_credit_hold(order_id=order.id, actor=actor).status == OrderStatus.PAID
                else "it goes on to reserve its stock"
            ),
        )


@admin.register(OrderLine)
class OrderLineAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "line_no", "sku", "product_name", "quantity", "unit_price", "line_total"]
    search_fields = ["=order__number", "sku"]
    list_select_related = ["order"]


@admin.register(OrderEvent)
class OrderEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "created_at", "order", "from_status", "to_status", "reason", "actor"]
    list_filter = ["to_status", "reason"]
    search_fields = ["=order__number", "actor", "detail"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["key", "partner", "order", "created_at"]
    search_fields = ["key", "partner__code", "=order__number"]
    list_select_related = ["partner", "order"]
    date_hierarchy = "created_at"


class CartLineInline(ViewOnlyMixin, admin.TabularInline):
    model = CartLine
    fields = ["product", "quantity", "added_at"]
    readonly_fields = fields


@admin.register(Cart)
class CartAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Partners' carts, for answering "what did I have in my cart?"; the portal writes them."""

    list_display = ["user", "partner", "po_number", "updated_at"]
    search_fields = ["user__username", "partner__code", "po_number"]
    list_select_related = ["user", "partner"]
    inlines = [CartLineInline]


@admin.register(CartLine)
class CartLineAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["cart", "product", "quantity", "added_at"]
    search_fields = ["cart__user__username", "product__sku"]
    list_select_related = ["cart__user", "product"]


@admin.register(CsvUpload)
class CsvUploadAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Partners' CSV uploads and their reports; the portal and the import task write them."""

    list_display = [
        "id",
        "partner",
        "filename",
        "status",
        "mode",
        "total_rows",
        "processed_rows",
        "orders_created",
        "problem_count",
        "created_at",
    ]
    list_filter = ["status", "mode"]
    search_fields = ["partner__code", "filename", "=content_hash"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    exclude = ["content"]

    def get_queryset(self, request):
        # A list of uploads reads no file and no report; a change page reads them when shown.
        return super().get_queryset(request).defer("content", "report", "problems")


@admin.register(DeadLetter)
class DeadLetterAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "task", "order", "short_error", "attempts", "status", "created_at", "resolved_at"]
    list_filter = ["status", "task"]
    search_fields = ["task", "=order__number", "error"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    actions = ["retry", "mark_resolved"]

    def has_operate_permission(self, request):
        return request.user.has_perm("orders.change_deadletter")

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
