"""JSON bodies with a size limit, holding only text PostgreSQL can store. DRF parses
the request stream itself, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE never applies to
it; without this a client could make a worker parse megabytes of JSON.

The body is read whole and decoded once (DRF's parser reads it through a codecs
reader, in Python, a few hundredths of a millisecond of every order), with DRF's
strictness and error: NaN and Infinity are refused, and a body that is not JSON, or
not in its encoding, is a ParseError saying why."""

import json

from django.conf import settings
from rest_framework.exceptions import APIException, ErrorDetail, ParseError, ValidationError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils.json import strict_constant


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
        try:
            text = stream.read().decode(get_encoding(parser_context or {})) if stream is not None else ""
            body = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        # Valid JSON, but no text column can hold it: refused here for every endpoint,
        # as DRF's own fields refuse it, rather than failing in the database. A NUL can
        # only come from a \u0000 escape (JSON admits no raw control character in a
        # string), so a body without one needs no walk.
        paths = list(paths_with_nul(body)) if "\\u0000" in text else []
        if paths:
            raise ValidationError(
                {
                    path: [ErrorDetail("Null characters are not allowed.", code="null_characters_not_allowed")]
                    for path in paths
                }
            )
        return body
