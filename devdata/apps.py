from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """The demo world of make run and the benchmark's world."""

    name = "devdata"
