"""WSGI entry point of the webhook pool: config/wsgi.py with the pool's settings
(config/webhook_pool_settings.py), whatever DJANGO_SETTINGS_MODULE the host's
environment names for its other processes."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "config.webhook_pool_settings"

from config.wsgi import application  # noqa: E402

__all__ = ["application"]
