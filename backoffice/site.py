"""The back office's admin site: Django's own, named for Bouquet, whose home page
answers "are we OK?" above the usual list of models (backoffice.dashboard)."""

from django.contrib import admin

from backoffice.dashboard import back_office_health


class BackOfficeSite(admin.AdminSite):
    site_header = "Bouquet back office"
    site_title = "Bouquet back office"
    index_title = "Back office"

    def index(self, request, extra_context=None):
        return super().index(request, extra_context={"health": back_office_health(), **(extra_context or {})})
