from django.contrib import admin

from config.admin import ViewOnlyMixin
from fulfillment.models import Route, RouteException, Shipment, ShipmentLine


class RouteExceptionInline(admin.TabularInline):
    model = RouteException
    fields = ["date", "delivers", "order_by_time", "note"]
    extra = 0


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "warehouse", "delivery_weekdays", "order_by_time", "lead_days"]
    list_filter = ["warehouse"]
    search_fields = ["code", "name"]
    list_select_related = ["warehouse"]
    inlines = [RouteExceptionInline]


@admin.register(RouteException)
class RouteExceptionAdmin(admin.ModelAdmin):
    list_display = ["route", "date", "delivers", "order_by_time", "note"]
    list_filter = ["delivers", "route"]
    search_fields = ["route__code", "note"]
    list_select_related = ["route"]
    date_hierarchy = "date"


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
