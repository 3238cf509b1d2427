from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportModelAdmin

from config.admin import BackOfficeImportExportMixin, ViewOnlyMixin
from inventory.exceptions import InventoryError, OnHandBelowReservedError, VersionConflictError
from inventory.models import Product, Reservation, Stock, StockMovement, Warehouse
from inventory.resources import ProductResource, StockResource
from inventory.stock_sync import set_on_hand
from inventory.waste_admin import WASTE_PERMISSION, waste_report_view

LEDGER_ROWS_SHOWN = 20


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "priority", "is_open", "timezone"]
    list_filter = ["is_open", "timezone"]
    list_editable = ["priority", "is_open"]
    search_fields = ["code", "name"]
    ordering = ["priority", "code"]
    fieldsets = [
        (
            None,
            {
                "fields": ["code", "name", "priority", "is_open", "timezone"],
                "description": (
                    "Lower priority serves first, after a partner's home warehouse. Closing a warehouse only stops "
                    "new reservations there: orders already holding stock in it are re-routed to another open "
                    "warehouse when they are finalised, or cancelled with a clear reason if none can serve. "
                    "Nothing else happens when you close it, and reopening it is safe. Its routes' order-by times "
                    "are wall-clock times in its time zone; changing the zone moves no accepted order."
                ),
            },
        ),
    ]


@admin.register(Product)
class ProductAdmin(BackOfficeImportExportMixin, ImportExportModelAdmin):
    list_display = ["sku", "name", "category", "unit", "case_pack", "min_order_qty", "list_price", "active"]
    list_filter = ["active", "category", "unit"]
    search_fields = ["sku", "name"]
    readonly_fields = ["updated_at"]
    resource_classes = [ProductResource]


class StockChangeForm(forms.ModelForm):
    """Edit on_hand only. The hidden version is the one the clerk read; the
    version-checked service refuses the save when someone else wrote since."""

    class Meta:
        model = Stock
        fields = ["on_hand", "version"]
        widgets = {"version": forms.HiddenInput}

    def __init__(self, *args, actor: str = "admin", **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.saved_stock = None

    def _product_and_warehouse(self, cleaned):
        if self.instance.pk:
            return self.instance.product, self.instance.warehouse
        return cleaned.get("product"), cleaned.get("warehouse")

    def clean(self):
        cleaned = super().clean()
        product, warehouse = self._product_and_warehouse(cleaned)
        if self.errors or product is None or warehouse is None or cleaned.get("on_hand") is None:
            return cleaned
        # The service is the write: its refusal must land on this form. The admin's
        # change view runs in one transaction, so nothing else half-happens.
        try:
            self.saved_stock = set_on_hand(
                product=product,
                warehouse=warehouse,
                on_hand=cleaned["on_hand"],
                expected_version=cleaned.get("version") or 0,
                actor=self.actor,
                note="back office edit",
            )
        except VersionConflictError as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        except OnHandBelowReservedError as exc:
            self.add_error("on_hand", ValidationError(exc.message, code=exc.code))
        except InventoryError as exc:
            self.add_error("on_hand", ValidationError(exc.message, code=exc.code))
        return cleaned

    def _post_clean(self):
        # The model's own checks would compare the edited on_hand with a version and
        # reserved figure that the service has already judged; skip them once it wrote.
        if self.saved_stock is None and not self.errors:
            super()._post_clean()


class StockAddForm(StockChangeForm):
    class Meta(StockChangeForm.Meta):
        fields = ["product", "warehouse", "on_hand", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = 0


@admin.register(Stock)
class StockAdmin(BackOfficeImportExportMixin, ImportExportModelAdmin):
    """Stock rows change only through `set_on_hand` (here, the API and imports), so
    every change is version-checked and writes a ledger row."""

    list_display = ["product", "warehouse", "on_hand", "reserved", "available", "version", "updated_at", "ledger_link"]
    list_filter = ["warehouse", "product__category"]
    search_fields = ["product__sku", "product__name"]
    list_select_related = ["product", "warehouse"]
    autocomplete_fields = ["product"]
    resource_classes = [StockResource]
    change_list_template = "admin/inventory/stock/change_list.html"

    def get_urls(self):
        return [
            path("waste/", self.admin_site.admin_view(self.waste_view), name="inventory_waste_report"),
            *super().get_urls(),
        ]

    def waste_view(self, request):
        return waste_report_view(self, request)

    def changelist_view(self, request, extra_context=None):
        if request.user.has_perm(WASTE_PERMISSION):
            extra_context = {"waste_report_url": reverse("admin:inventory_waste_report"), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["product", "warehouse", "on_hand", "version"]
        return [
            "product",
            "warehouse",
            "on_hand",
            "reserved",
            "available",
            "version_read",
            "updated_at",
            "version",
            "ledger",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["product", "warehouse", "reserved", "available", "version_read", "updated_at", "ledger"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = StockChangeForm if obj is not None else StockAddForm
        form_class = super().get_form(request, obj, change=change, **kwargs)
        actor = request.user.get_username()

        class BoundActorForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, actor=actor, **inner)

        return BoundActorForm

    def save_model(self, request, obj, form, change):
        # The form's service call wrote the row; take what it wrote.
        saved = form.saved_stock
        for field in ("id", "product", "warehouse", "on_hand", "reserved", "version", "updated_at"):
            setattr(obj, field, getattr(saved, field))

    def has_delete_permission(self, request, obj=None):
        return False  # a stock row holds a ledger; set on_hand to 0 instead

    @admin.display(description="current version")
    def version_read(self, stock):
        return stock.version

    def _ledger_url(self, stock) -> str:
        return (
            reverse("admin:inventory_stockmovement_changelist")
            + f"?product__id__exact={stock.product_id}&warehouse__id__exact={stock.warehouse_id}"
        )

    @admin.display(description="ledger")
    def ledger_link(self, stock):
        return format_html('<a href="{}">movements</a>', self._ledger_url(stock))

    @admin.display(description="ledger (latest movements)")
    def ledger(self, stock):
        movements = list(
            StockMovement.objects.filter(product_id=stock.product_id, warehouse_id=stock.warehouse_id).order_by("-id")[
                :LEDGER_ROWS_SHOWN
            ]
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    m.get_kind_display(),
                    f"{m.on_hand_delta:+d}",
                    f"{m.reserved_delta:+d}",
                    m.order_id or "",
                    m.actor,
                    m.note,
                )
                for m in movements
            ),
        )
        return format_html(
            '<table id="stock-ledger"><thead><tr><th>when</th><th>kind</th><th>on hand</th><th>reserved</th>'
            "<th>order</th><th>actor</th><th>note</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">All movements of this stock row</a></p>',
            rows,
            self._ledger_url(stock),
        )


@admin.register(Reservation)
class ReservationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "order_id", "product", "warehouse", "quantity", "status", "created_at"]
    list_filter = ["status", "warehouse"]
    search_fields = ["=order_id", "product__sku"]
    list_select_related = ["product", "warehouse"]
    date_hierarchy = "created_at"


@admin.register(StockMovement)
class StockMovementAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "product",
        "warehouse",
        "kind",
        "on_hand_delta",
        "reserved_delta",
        "order_id",
        "actor",
        "note",
    ]
    list_filter = ["kind", "warehouse"]
    search_fields = ["product__sku", "=order_id", "actor", "note"]
    list_select_related = ["product", "warehouse"]
    date_hierarchy = "created_at"

    def lookup_allowed(self, lookup, value, request=None):
        # A stock row's page links here filtered to that row's product.
        if lookup in ("product__id__exact", "warehouse__id__exact"):
            return True
        return super().lookup_allowed(lookup, value, request)
