"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.machine_door import split_doors  # noqa: E402 (needs the settings loaded)

application = split_doors(application)

# Django runs no system check under gunicorn: refuse here, before the first request.
from config.checks import refuse_to_start_with_development_values  # noqa: E402

refuse_to_start_with_development_values()
