from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.models import Group, User
        from django.db.models.signals import m2m_changed, post_delete, post_save

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

        # A cached token carries its user and the user's permissions: a user deactivated,
        # or given other groups or permissions, is seen at the token's next request.
        def _user_saved(sender, instance, update_fields=None, **kwargs):
            if update_fields is not None and set(update_fields) <= {"last_login"}:
                return  # a sign-in (Django's update_last_login) changes no right
            credentials_changed()

        post_save.connect(_user_saved, sender=User, dispatch_uid="credentials-User")
        # Deleting a group or a user takes their memberships with it, without m2m_changed.
        for model in (User, Group):
            post_delete.connect(_sign_in_rights_changed, sender=model, dispatch_uid=f"credentials-{model.__name__}-del")

        def _permissions_changed(sender, instance, action, **kwargs):
            if action.startswith("post_"):
                credentials_changed()

        for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(_permissions_changed, sender=through, dispatch_uid=f"credentials-{through.__name__}")
