from django.apps import AppConfig


class UploadsConfig(AppConfig):
    """CSV bulk upload of orders: read, plan, place, report."""

    name = "uploads"
