"""The back office's admin site: Django's own, named for Bouquet, whose home page
answers "are we OK?" (backoffice.dashboard) beside the peak view's charts
(backoffice.peak_figures, backoffice.peak_charts), above the usual list of models."""

from django.contrib import admin
from django.urls import reverse

from backoffice.dashboard import back_office_health
from backoffice.peak_charts import peak_view


class BackOfficeSite(admin.AdminSite):
    site_header = "Bouquet back office"
    site_title = "Bouquet back office"
    index_title = "Back office"

    def index(self, request, extra_context=None):
        # The waste report is a page, not a model: linked here for whoever may see it.
        waste = (
            reverse("admin:inventory_waste_report") if request.user.has_perm("inventory.view_waste_report") else None
        )
        peak = peak_view(request.GET.get("peak_hours"))
        context = {"health": back_office_health(), "peak": peak, "waste_report_url": waste}
        return super().index(request, extra_context={**context, **(extra_context or {})})
