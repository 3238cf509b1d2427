from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from config.credentials import credentials_changed
        from partners.models import ApiToken, Membership, Partner

        def _sign_in_rights_changed(sender, instance, **kwargs):
            # A partner deactivated, or a user moved between partners: cached tokens
            # must not keep the old rights (config/credentials.py).
            credentials_changed()

        for model in (Partner, Membership):
            post_save.connect(_sign_in_rights_changed, sender=model, dispatch_uid=f"credentials-{model.__name__}")
            post_delete.connect(_sign_in_rights_changed, sender=model, dispatch_uid=f"credentials-{model.__name__}-del")
        # A deleted token (its user deleted, say) must not live on in a cache either.
        post_delete.connect(_sign_in_rights_changed, sender=ApiToken, dispatch_uid="credentials-ApiToken-del")
