from django.contrib import admin

from config.admin import ViewOnlyMixin
from orders.models import IdempotencyRecord, Order, OrderEvent, OrderLine

class LineInline(ViewOnlyMixin, admin.TabularInline):
    model = OrderLine
    fields = ["line_no", "sku", "product_name", "quantity", "unit_price", "line_total"]
    readonly_fields = fields


class EventInline(ViewOnlyMixin, admin.TabularInline):
    model = OrderEvent
    fields = ["created_at", "from_status", "to_status", "reason", "detail", "actor"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Orders are watched here, never edited: the status moves only through the
    journey's services, so every change writes its event."""

    list_display = ["number", "partner", "status", "hold", "total", "currency", "source", "created_at", "updated_at"]
    list_filter = ["status", "hold", "source"]
    search_fields = ["=number", "po_number", "partner__code", "partner__name"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    inlines = [LineInline, EventInline]


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
