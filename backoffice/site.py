"""The back office's admin site: Django's own, named for Bouquet, whose home page
answers "are we OK?" above the usual list of models (backoffice.dashboard)."""

from django.contrib import admin
from django.urls import reverse

from backoffice.dashboard import back_office_health


class BackOfficeSite(admin.AdminSite):
    site_header = "Bouquet back office"
    site_title = "Bouquet back office"
    index_title = "Back office"

    def index(self, request, extra_context=None):
        # The waste report is a page, not a model: linked here for whoever may see it.
        waste = (
            reverse("admin:inventory_waste_report") if request.user.has_perm("inventory.view_waste_report") else None
        )
        context = {"health": back_office_health(), "waste_report_url": waste}
        return super().index(request, extra_context={**context, **(extra_context or {})})
