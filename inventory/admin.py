from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportModelAdmin

from config.admin import BackOfficeImportExportMixin, ViewOnlyMixin
from inventory.exceptions import InventoryError, LotInUseError, VersionConflictError
from inventory.models import LOT_COLUMNS, NO_LOT, Product, Reservation, Stock, StockMovement, Warehouse
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
    list_display = [
        "sku",
        "name",
        "category",
        "unit",
        "case_pack",
        "min_order_qty",
        "list_price",
        "min_days_at_delivery",
        "active",
    ]
    list_filter = ["active", "category", "unit"]
    search_fields = ["sku", "name"]
    readonly_fields = ["updated_at"]
    resource_classes = [ProductResource]


class StockChangeForm(forms.ModelForm):
    """Edit a lot's on_hand and dates. The hidden version is the one the clerk read;
    the version-checked service refuses the save when someone else wrote since, and
    dates that would leave a reservation on the lot unfit."""

    class Meta:
        model = Stock
        fields = ["on_hand", "available_from", "expires_on", "version"]
        widgets = {"version": forms.HiddenInput}

    def __init__(self, *args, actor: str = "admin", **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.saved_stock = None

    def _lot_key(self, cleaned):
        if self.instance.pk:
            return self.instance.product, self.instance.warehouse, self.instance.lot
        return cleaned.get("product"), cleaned.get("warehouse"), cleaned.get("lot") or NO_LOT

    def clean(self):
        cleaned = super().clean()
        product, warehouse, lot = self._lot_key(cleaned)
        if self.errors or product is None or warehouse is None or cleaned.get("on_hand") is None:
            return cleaned
        # The service is the write: its refusal must land on this form. The admin's
        # change view runs in one transaction, so nothing else half-happens.
        try:
            self.saved_stock = set_on_hand(
                product=product,
                warehouse=warehouse,
                lot=lot,
                on_hand=cleaned["on_hand"],
                expected_version=cleaned.get("version") or 0,
                available_from=cleaned.get("available_from"),
                expires_on=cleaned.get("expires_on"),
                actor=self.actor,
                note="back office edit",
            )
        except (VersionConflictError, LotInUseError) as exc:
            raise ValidationError(exc.message, code=exc.code) from None
        except InventoryError as exc:
            self.add_error(_field_at_fault(exc, self.fields), ValidationError(exc.message, code=exc.code))
        return cleaned

    def _post_clean(self):
        # The model's own checks would compare the edited on_hand with a version and
        # reserved figure that the service has already judged; skip them once it wrote.
        if self.saved_stock is None and not self.errors:
            super()._post_clean()


def _field_at_fault(exc: InventoryError, form_fields) -> str:
    """The form field a refusal names: its `errors`' field, the lot for a lot code,
    else on_hand."""
    named = exc.errors[0]["field"] if exc.errors else ("lot" if exc.code == "invalid_lot" else "on_hand")
    return named if named in form_fields else "on_hand"


class StockAddForm(StockChangeForm):
    class Meta(StockChangeForm.Meta):
        fields = ["product", "warehouse", "lot", "on_hand", "available_from", "expires_on", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = 0


class FreshnessFilter(admin.SimpleListFilter):
    title = "freshness"
    parameter_name = "freshness"

    def lookups(self, request, model_admin):
        return [("expired", "expired (before today)"), ("perishable", "perishable"), ("lasting", "does not perish")]

    def queryset(self, request, queryset):
        if self.value() == "expired":
            return queryset.filter(expires_on__lt=timezone.localdate())
        if self.value() == "perishable":
            return queryset.filter(expires_on__isnull=False)
        if self.value() == "lasting":
            return queryset.filter(expires_on__isnull=True)
        return queryset


@admin.register(Stock)
class StockAdmin(BackOfficeImportExportMixin, ImportExportModelAdmin):
    """Stock rows change only through `set_on_hand` (here, the API and imports), so
    every change is version-checked and writes a ledger row."""

    list_display = ["product", "warehouse", *LOT_COLUMNS, "updated_at", "ledger_link"]
    list_filter = ["warehouse", FreshnessFilter, "product__category"]
    search_fields = ["product__sku", "product__name", "lot"]
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
            return ["product", "warehouse", "lot", "on_hand", "available_from", "expires_on", "version"]
        return [
            "product",
            "warehouse",
            "lot",
            "on_hand",
            "available_from",
            "expires_on",
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
        return ["product", "warehouse", "lot", "reserved", "available", "version_read", "updated_at", "ledger"]

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
        fields = ("id", "product", "warehouse", "lot", "available_from", "expires_on", "on_hand", "reserved", "version")
        for field in (*fields, "updated_at"):
            setattr(obj, field, getattr(saved, field))

    def has_delete_permission(self, request, obj=None):
        return False  # a stock row holds a ledger; set on_hand to 0 instead

    @admin.display(description="current version")
    def version_read(self, stock):
        return stock.version

    def _ledger_url(self, stock) -> str:
        return (
            reverse("admin:inventory_stockmovement_changelist")
            + f"?product__id__exact={stock.product_id}&warehouse__id__exact={stock.warehouse_id}&"
            + urlencode({"lot__exact": stock.lot})
        )

    @admin.display(description="ledger")
    def ledger_link(self, stock):
        return format_html('<a href="{}">movements</a>', self._ledger_url(stock))

    @admin.display(description="ledger (latest movements)")
    def ledger(self, stock):
        movements = list(
            StockMovement.objects.filter(
                product_id=stock.product_id, warehouse_id=stock.warehouse_id, lot=stock.lot
            ).order_by("-id")[:LEDGER_ROWS_SHOWN]
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
        "lot",
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
        if lookup in ("product__id__exact", "warehouse__id__exact", "lot__exact"):
            return True
        return super().lookup_allowed(lookup, value, request)
