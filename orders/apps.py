from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from orders.intake_cache import connect_invalidation
        from orders.waitlist import connect_waitlist_triggers

        connect_invalidation()
        connect_waitlist_triggers()
