"""The site's pages for a request it cannot take: Django's own, except that a form
over the size limit is told so (413), not given a bare "Bad Request"."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils.html import escape
from django.views import defaults

from config.spreadsheets import megabytes


def too_large_detail() -> str:
    return (
        f"What was sent is larger than {megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}, the most one request takes."
    )


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        detail = f"{too_large_detail()} Send fewer lines at a time, or upload them as a CSV file."
        return HttpResponse(
            f"<!doctype html>\n<title>Too large</title>\n<h1>Too large (413)</h1>\n<p>{escape(detail)}</p>\n",
            status=413,
        )
    return defaults.bad_request(request, exception)
