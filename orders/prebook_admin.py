"""Pre-books in the back office (docs/DESIGN.md section 12): read-only, since buyers
place, change and withdraw them (orders.prebooks) through the portal and the API;
filtered by campaign and partner, searched by partner code, each line with where it
stands, and exported one row per line (orders.resources.PrebookLineExportResource)."""

from django.contrib import admin
from import_export.admin import ExportMixin

from config.admin import BackOfficeImportExportMixin, ViewOnlyMixin
from orders.campaign_standings import LineStanding, line_standings
from orders.models import Prebook, PrebookLine
from orders.resources import PrebookLineExportResource


class PrebookLineInline(ViewOnlyMixin, admin.TabularInline):
    model = PrebookLine
    fields = ["product", "requested", "allocated", "waitlisted", "place_in_line"]
    readonly_fields = fields

    def get_formset(self, request, obj=None, **kwargs):
        # One read of the campaign's standings for every line shown.
        self.standings = {} if obj is None else {s.line_id: s for s in line_standings(obj.campaign)}
        return super().get_formset(request, obj, **kwargs)

    def _standing(self, line) -> LineStanding | None:
        return getattr(self, "standings", {}).get(line.id)

    @admin.display(description="requested")
    def requested(self, line):
        return line.quantity

    @admin.display(description="allocated")
    def allocated(self, line):
        standing = self._standing(line)
        return standing.allocated if standing else 0

    @admin.display(description="waitlisted")
    def waitlisted(self, line):
        standing = self._standing(line)
        return standing.waitlisted if standing else 0

    @admin.display(description="place in line")
    def place_in_line(self, line):
        standing = self._standing(line)
        return standing.waitlist_position if standing and standing.waitlist_position else "-"


@admin.register(Prebook)
class PrebookAdmin(BackOfficeImportExportMixin, ExportMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "campaign", "partner", "ship_to", "line_summary", "source", "created_at", "withdrawn_at"]
    list_filter = [
        ("campaign", admin.RelatedOnlyFieldListFilter),
        ("partner", admin.RelatedOnlyFieldListFilter),
        ("withdrawn_at", admin.EmptyFieldListFilter),
        "source",
    ]
    search_fields = ["partner__code"]
    search_help_text = "The partner's code."
    list_select_related = ["campaign", "partner", "ship_to"]
    date_hierarchy = "created_at"
    fields = ["campaign", "partner", "ship_to", "placed_by", "source", "created_at", "updated_at", "withdrawn_at"]
    readonly_fields = fields
    inlines = [PrebookLineInline]
    resource_classes = [PrebookLineExportResource]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines__product")

    def has_export_permission(self, request):
        return request.user.has_perm("orders.view_prebook")

    @admin.display(description="lines")
    def line_summary(self, prebook):
        return ", ".join(f"{line.quantity} {line.product.sku}" for line in prebook.lines.all())


@admin.register(PrebookLine)
class PrebookLineAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["prebook", "campaign", "partner", "product", "quantity"]
    list_filter = [("prebook__campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["prebook__partner__code", "product__sku"]
    list_select_related = ["prebook__campaign", "prebook__partner", "product"]

    @admin.display(description="campaign", ordering="prebook__campaign__code")
    def campaign(self, line):
        return line.prebook.campaign.code

    @admin.display(description="partner", ordering="prebook__partner__code")
    def partner(self, line):
        return line.prebook.partner.code
