from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BackofficeConfig(AppConfig):
    """The back office's tools: the admin home's "are we OK?" table, the audit, the
    shipped role groups."""

    name = "backoffice"
    default = True

    def ready(self):
        from django.db.models.signals import post_migrate

        # Registers the deploy-tagged check that refuses development values in
        # production: config holds it, and config is no app of its own.
        import config.checks  # noqa: F401

        # After every migrate (and a test database's flush), once Django has created
        # the permissions of the apps listed before this one (every domain app): the
        # shipped groups of backoffice/roles.py. Needs backoffice/models.py.
        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="backoffice.sync_role_groups")


def _sync_role_groups(sender, **kwargs):
    from backoffice.roles import sync_role_groups

    sync_role_groups()


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the back office's site as the default site, so every
    app's `admin.site.register` lands on it. Named in INSTALLED_APPS in place of
    django.contrib.admin."""

    default = False
    default_site = "backoffice.site.BackOfficeSite"
