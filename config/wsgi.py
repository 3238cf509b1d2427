"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Django runs no system check under gunicorn: refuse here, before the first request.
from config.checks import refuse_to_start_with_development_values  # noqa: E402

refuse_to_start_with_development_values()

# Last: what is loaded by now stays for the process's life (config/garbage_collection.py).
from config.garbage_collection import freeze_startup_objects  # noqa: E402

freeze_startup_objects()
