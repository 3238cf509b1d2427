"""Exports for the back office: orders, one row per order line; pre-books, one row
per pre-book line."""

from import_export import fields, resources

from config.moments import utc_text
from orders.campaign_standings import line_standings
from orders.models import Campaign, Order, OrderLine, Prebook, PrebookLine


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


class PrebookLineExportResource(resources.ModelResource):
    """Pre-books with their lines, one row a line, each with where it stands
    (orders.campaign_standings): requested, allocated over every committed run,
    waitlisted and its place in line. A withdrawn pre-book's lines stand nowhere."""

    campaign = fields.Field(attribute="prebook__campaign__code", column_name="campaign")
    prebook = fields.Field(attribute="prebook_id", column_name="prebook")
    partner = fields.Field(attribute="prebook__partner__code", column_name="partner")
    ship_to = fields.Field(attribute="prebook__ship_to__label", column_name="ship_to")
    sku = fields.Field(attribute="product__sku", column_name="sku")
    requested = fields.Field(attribute="quantity", column_name="requested")
    allocated = fields.Field(column_name="allocated")
    waitlisted = fields.Field(column_name="waitlisted")
    waitlist_position = fields.Field(column_name="waitlist_position")
    prebooked_at = fields.Field(column_name="prebooked_at")
    withdrawn_at = fields.Field(column_name="withdrawn_at")

    class Meta:
        model = PrebookLine
        fields = [
            "campaign",
            "prebook",
            "partner",
            "ship_to",
            "sku",
            "requested",
            "allocated",
            "waitlisted",
            "waitlist_position",
            "prebooked_at",
            "withdrawn_at",
        ]
        export_order = fields

    @classmethod
    def get_display_name(cls):
        return "pre-books with lines and standings"

    def export(self, queryset=None, **kwargs):
        """Export the lines of the given pre-books (the admin hands over a pre-book
        queryset), in pre-book order."""
        if queryset is None:
            queryset = PrebookLine.objects.all()
        elif queryset.model is Prebook:
            queryset = PrebookLine.objects.filter(prebook__in=queryset.values("pk"))
        queryset = queryset.select_related("prebook__campaign", "prebook__partner", "prebook__ship_to", "product")
        queryset = queryset.order_by("prebook__campaign__code", "prebook__created_at", "prebook_id", "id")
        campaigns = Campaign.objects.filter(id__in=queryset.values("prebook__campaign_id"))
        self.standings = {s.line_id: s for campaign in campaigns for s in line_standings(campaign)}
        return super().export(queryset=queryset, **kwargs)

    def _standing(self, line):
        return self.standings.get(line.id) if line.prebook.withdrawn_at is None else None

    def dehydrate_allocated(self, line):
        standing = self._standing(line)
        return standing.allocated if standing else 0

    def dehydrate_waitlisted(self, line):
        standing = self._standing(line)
        return standing.waitlisted if standing else 0

    def dehydrate_waitlist_position(self, line):
        standing = self._standing(line)
        return standing.waitlist_position if standing and standing.waitlist_position else ""

    def dehydrate_prebooked_at(self, line):
        return utc_text(line.prebook.created_at)

    def dehydrate_withdrawn_at(self, line):
        return utc_text(line.prebook.withdrawn_at) if line.prebook.withdrawn_at else ""
