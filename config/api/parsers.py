"""JSON bodies with a size limit. DRF parses the request stream itself, so Django's
DATA_UPLOAD_MAX_MEMORY_SIZE never applies to it; without this a client could make a
worker parse megabytes of JSON."""

from django.conf import settings
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser


class BodyTooLarge(APIException):
    status_code = 413
    default_code = "body_too_large"


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.API_MAX_BODY_BYTES
        length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        if length > limit:
            raise BodyTooLarge(f"The request body is {length} bytes; this API accepts at most {limit}.")
        return super().parse(stream, media_type, parser_context)
