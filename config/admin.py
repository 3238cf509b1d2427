"""What every app's admin shares: the site's names and the view-only mixin."""

from django.contrib import admin

admin.site.site_header = "Bouquet back office"
admin.site.site_title = "Bouquet back office"
admin.site.index_title = "Back office"


class ViewOnlyMixin:
    """For rows that change only through services (stock, ledger, orders, payments):
    the back office looks, the services write. Works for model admins and inlines."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
