"""Export of orders for the back office: one row per order line."""

from import_export import fields, resources

from orders.models import Order, OrderLine


class OrderLineExportResource(resources.ModelResource):
    """Orders with their lines, one row a line, for a spreadsheet or the accounts."""

    order = fields.Field(attribute="order__number", column_name="order")
    partner = fields.Field(attribute="order__partner__code", column_name="partner")
    status = fields.Field(attribute="order__status", column_name="status")
    po_number = fields.Field(attribute="order__po_number", column_name="po_number")
    created_at = fields.Field(attribute="order__created_at", column_name="created_at")
    order_total = fields.Field(attribute="order__total", column_name="order_total")
    currency = fields.Field(attribute="order__currency", column_name="currency")

    class Meta:
        model = OrderLine
        fields = [
            "order",
            "partner",
            "status",
            "po_number",
            "created_at",
            "line_no",
            "sku",
            "product_name",
            "quantity",
            "unit_price",
            "line_total",
            "order_total",
            "currency",
        ]
        export_order = fields

    @classmethod
    def get_display_name(cls):
        return "orders with lines"

    def export(self, queryset=None, **kwargs):
        """Export the lines of the given orders (the admin hands over an order queryset)."""
        if queryset is not None and queryset.model is Order:
            queryset = OrderLine.objects.filter(order__in=queryset.values("pk"))
        if queryset is not None:
            queryset = queryset.select_related("order__partner").order_by("order_id", "line_no")
        return super().export(queryset=queryset, **kwargs)
