"""Import and export of products and stock for the back office (django-import-export).

The resources map columns to fields; the rules stay in services: products are
written by `upsert_product`, stock rows by `inventory.stock_import` (which calls the
version-checked `set_on_hand`)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, resources, widgets
from import_export.results import RowResult

from config.errors import DomainError
from inventory.catalogue import upsert_product
from inventory.models import LOT_COLUMNS, Product, Stock
from inventory.stock_import import StockImport, StockRowError, check_stock_columns


class FieldValueErrorsMixin:
    """Name the column and value a cell could not be read from (a price of "abc"),
    instead of the widget's bare exception."""

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ValueError:
            raise
        except Exception as exc:
            raise ValueError(
                f"{field.column_name} {row.get(field.column_name)!r} cannot be read ({type(exc).__name__})."
            ) from None


def row_error_from(refusal: DomainError) -> ValidationError:
    """The import's row error for a service's refusal, field by field where it names them."""
    return ValidationError({e["field"]: e["detail"] for e in refusal.errors} if refusal.errors else refusal.message)


def _actor(kwargs) -> str:
    user = kwargs.get("user")
    return user.get_username() if user is not None else "import"


class ProductResource(FieldValueErrorsMixin, resources.ModelResource):
    """Products by SKU; each row is written by `upsert_product`, which judges it."""

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "category",
            "unit",
            "case_pack",
            "min_order_qty",
            "list_price",
            "active",
            "min_days_at_delivery",
        ]
        import_id_fields = ["sku"]
        export_order = fields
        skip_unchanged = True
        report_skipped = False

    def before_import(self, dataset, **kwargs):
        self.actor = _actor(kwargs)

    def do_instance_save(self, instance, is_create):
        try:
            product, _ = upsert_product(
                sku=instance.sku,
                name=instance.name,
                category=instance.category,
                unit=instance.unit,
                case_pack=instance.case_pack,
                min_order_qty=instance.min_order_qty,
                list_price=instance.list_price,
                active=instance.active,
                # A file without the column leaves the product's default as it was.
                min_days_at_delivery=instance.min_days_at_delivery,
                actor=getattr(self, "actor", "import"),
            )
        except DomainError as exc:
            raise row_error_from(exc) from None
        instance.pk = product.pk


class StockResource(resources.ModelResource):
    """Stock levels by SKU, warehouse and lot. Export gives the lot's dates, on_hand,
    reserved, available and version; import reads sku, warehouse, on_hand and version
    (the one read), and lot, available_from and expires_on where the file has them
    (inventory.stock_import), and sets each lot through the version-checked service,
    row by row, in the import's transaction (all or nothing: the admin rolls back on
    any refused row)."""

    sku = fields.Field(attribute="product__sku", column_name="sku")
    warehouse = fields.Field(attribute="warehouse__code", column_name="warehouse")
    lot = fields.Field(attribute="lot", column_name="lot")
    available_from = fields.Field(
        attribute="available_from", column_name="available_from", widget=widgets.DateWidget("%Y-%m-%d")
    )
    expires_on = fields.Field(attribute="expires_on", column_name="expires_on", widget=widgets.DateWidget("%Y-%m-%d"))
    on_hand = fields.Field(attribute="on_hand", column_name="on_hand")
    reserved = fields.Field(attribute="reserved", column_name="reserved", readonly=True)
    available = fields.Field(attribute="available", column_name="available", readonly=True)
    version = fields.Field(attribute="version", column_name="version")

    class Meta:
        model = Stock
        fields = ["sku", "warehouse", *LOT_COLUMNS]
        export_order = fields
        # A row names its lot by (sku, warehouse, lot), but import-export would refuse a
        # file without a lot column, which means lot "": import_row finds the lot itself.
        import_id_fields = ["sku", "warehouse"]

    def get_queryset(self):
        return Stock.objects.select_related("product", "warehouse").order_by("product__sku", "warehouse__code", "lot")

    def before_import(self, dataset, **kwargs):
        self.stock_import = StockImport(
            actor=_actor(kwargs), source=f"stock import {kwargs.get('file_name') or ''}".strip()
        )
        check_stock_columns(dataset.headers)
        self.stock_import.lock_named_lots(dataset.dict)

    def import_row(self, row, instance_loader, **kwargs):
        """Apply one row through the service; a refused row becomes a validation error
        naming its column, so the preview lists every bad row with its number."""
        row_result = self.get_row_result_class()()
        try:
            change = self.stock_import.apply_row(dict(row), row_number=kwargs["row_number"])
        except StockRowError as exc:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError({exc.field or NON_FIELD_ERRORS: [exc.message]})
            return row_result
        if change.created:
            row_result.import_type = RowResult.IMPORT_TYPE_NEW
        elif change.changed:
            row_result.import_type = RowResult.IMPORT_TYPE_UPDATE
        else:
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        diff = self.get_diff_class()(self, change.before or change.after, change.created)
        diff.compare_with(self, change.after)
        row_result.diff = diff.as_html()
        row_result.add_instance_info(change.after)
        row_result.instance = change.after
        return row_result
