from django.contrib import admin

from config.admin import ViewOnlyMixin
from fulfillment.models import Shipment, ShipmentLine


class ShipmentLineInline(ViewOnlyMixin, admin.TabularInline):
    model = ShipmentLine
    fields = ["order_line", "product", "quantity", "reservation_id"]
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Shipments are made by the journey and dispatched by the warehouse system."""

    list_display = ["id", "order", "warehouse", "status", "tracking_number", "created_at", "dispatched_at"]
    list_filter = ["status", "warehouse"]
    search_fields = ["=order__number", "tracking_number"]
    list_select_related = ["order", "warehouse"]
    date_hierarchy = "created_at"
    inlines = [ShipmentLineInline]


@admin.register(ShipmentLine)
class ShipmentLineAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "shipment", "product", "quantity", "reservation_id"]
    search_fields = ["=shipment__order__number", "product__sku"]
    list_select_related = ["shipment", "product"]
