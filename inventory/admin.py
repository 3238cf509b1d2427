from django.contrib import admin

from config.admin import ViewOnlyMixin
from inventory.models import Product, Reservation, Stock, StockMovement, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "priority", "is_open"]
    list_filter = ["is_open"]
    search_fields = ["code", "name"]
    ordering = ["priority", "code"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "category", "unit", "case_pack", "min_order_qty", "list_price", "active"]
    list_filter = ["active", "category", "unit"]
    search_fields = ["sku", "name"]
    readonly_fields = ["updated_at"]


@admin.register(Stock)
class StockAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Read-only for now: rows are created and changed through `set_on_hand` (API,
    imports) so that every change writes a ledger row. Version-checked editing here
    comes later."""

    list_display = ["product", "warehouse", "on_hand", "reserved", "available", "version", "updated_at"]
    list_filter = ["warehouse", "product__category"]
    search_fields = ["product__sku", "product__name"]
    list_select_related = ["product", "warehouse"]
    fields = ["product", "warehouse", "on_hand", "reserved", "available", "version", "updated_at"]
    readonly_fields = fields


@admin.register(Reservation)
class ReservationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "order_id", "product", "warehouse", "quantity", "status", "created_at"]
    list_filter = ["status", "warehouse"]
    search_fields = ["=order_id", "product__sku"]
    list_select_related = ["product", "warehouse"]
    date_hierarchy = "created_at"


@admin.register(StockMovement)
class StockMovementAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "created_at", "product", "warehouse", "kind", "on_hand_delta", "reserved_delta", "order_id", "actor", "note"]
    list_filter = ["kind", "warehouse"]
    search_fields = ["product__sku", "=order_id", "actor", "note"]
    list_select_related = ["product", "warehouse"]
    date_hierarchy = "created_at"
