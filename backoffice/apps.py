from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BackofficeConfig(AppConfig):
    """The back office's tools: the admin home's "are we OK?" table, the audit."""

    name = "backoffice"
    default = True

    def ready(self):
        # Registers the deploy-tagged check that refuses development values in
        # production: config holds it, and config is no app of its own.
        import config.checks  # noqa: F401


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the back office's site as the default site, so every
    app's `admin.site.register` lands on it. Named in INSTALLED_APPS in place of
    django.contrib.admin."""

    default = False
    default_site = "backoffice.site.BackOfficeSite"
