from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The partner portal: a door for buyers onto every app."""

    name = "portal"
