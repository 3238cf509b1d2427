"""JSON bodies with a size limit, holding only text PostgreSQL can store. DRF parses
the request stream itself, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE never applies to
it; without this a client could make a worker parse megabytes of JSON."""

from django.conf import settings
from rest_framework.exceptions import APIException, ErrorDetail, ValidationError
from rest_framework.parsers import JSONParser


class BodyTooLarge(APIException):
    status_code = 413
    default_code = "body_too_large"


def paths_with_nul(value, path: str = ""):
    """Yield the path (lines[0].sku) of every string in the parsed body holding a NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from paths_with_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_with_nul(item, f"{path}[{index}]")


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.API_MAX_BODY_BYTES
        length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        if length > limit:
            raise BodyTooLarge(f"The request body is {length} bytes; this API accepts at most {limit}.")
        body = super().parse(stream, media_type, parser_context)
        # Valid JSON, but no text column can hold it: refused here for every endpoint,
        # as DRF's own fields refuse it, rather than failing in the database.
        paths = list(paths_with_nul(body))
        if paths:
            raise ValidationError(
                {
                    path: [ErrorDetail("Null characters are not allowed.", code="null_characters_not_allowed")]
                    for path in paths
                }
            )
        return body
