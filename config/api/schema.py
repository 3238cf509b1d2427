"""What every API view's OpenAPI description shares: the error body, the error answers
any endpoint can give, and the rules that make the schema say what the server enforces
(strict inputs allow no unknown property; every operation declares its 405, 415, 429
and 503 with their headers). A generated client must need no hand-written line."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from config.api.inputs import StrictInput


class ErrorItemOutput(serializers.Serializer):
    """One problem: the field (or the line and its SKU) at fault, and why."""

    code = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)
    field = serializers.CharField(required=False, help_text="The input field at fault, e.g. lines[0].quantity.")
    line = serializers.IntegerField(required=False, help_text="The order line at fault, counted from 1.")
    sku = serializers.CharField(required=False, help_text="The SKU of that line.")
    date = serializers.DateField(
        required=False, allow_null=True, help_text="delivery_date_unavailable: the date refused."
    )
    reason = serializers.CharField(
        required=False, help_text="delivery_date_unavailable: no_delivery_day, holiday, cutoff_passed or too_far_ahead."
    )
    next_available = serializers.DateField(
        required=False, allow_null=True, help_text="delivery_date_unavailable: the first date that is an option."
    )


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="Stable and machine-readable.")
    detail = serializers.CharField(read_only=True, help_text="For people: names what is at fault.")
    errors = ErrorItemOutput(many=True, required=False, help_text="Each problem, where there are several.")


STANDARD_ERRORS = {
    400: "The request breaks this schema (a type, format, length, bound or unknown field): `code` says what, "
    "`errors` lists each field or line at fault.",
    401: "No token, or a token that is unknown, revoked or expired.",
    403: "Not allowed for this token.",
    413: "body_too_large: the request body is larger than this API accepts.",
}

# Answers any operation can give, declared once for all of them by `declare_standard_answers`.
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
        "required": True,
    }
}
EVERY_OPERATION = {
    "405": (
        "method_not_allowed: this path does not answer that method (the Allow header lists the ones it does).",
        {"Allow": {"description": "The methods this path answers.", "schema": {"type": "string"}}},
    ),
    "429": (
        "throttled: the partner's (or staff user's) rate limit is reached; retry after Retry-After seconds.",
        RETRY_AFTER,
    ),
    "503": (
        "service_unavailable: a dependency is briefly away; retry after Retry-After seconds, with the same "
        "Idempotency-Key for an order.",
        RETRY_AFTER,
    ),
}
WITH_A_BODY = {"415": ("unsupported_media_type: send the body as application/json.", {})}


def error_responses(**descriptions: str) -> dict[int, OpenApiResponse]:
    """The standard error answers, with endpoint-specific wording or extra codes given
    as keyword arguments named by status: error_responses(_404="order_not_found")."""
    wording = {**STANDARD_ERRORS, **{int(status.lstrip("_")): text for status, text in descriptions.items()}}
    return {status: OpenApiResponse(ErrorOutput, description=text) for status, text in sorted(wording.items())}


def path_parameter(name: str, description: str, demo_value: str) -> OpenApiParameter:
    """A path parameter with an example from the demo world, which the examples test
    (tests/api/test_schema_examples.py) puts in the path it sends."""
    return OpenApiParameter(
        name,
        str,
        OpenApiParameter.PATH,
        description=description,
        examples=[OpenApiExample(f"{name} in the demo world", value=demo_value)],
    )


def created_location(description: str) -> OpenApiParameter:
    """The Location header of a 201: where the new resource now is."""
    return OpenApiParameter(
        "Location", str, OpenApiParameter.HEADER, response=[201], required=True, description=description
    )


def replayed_header(status: int) -> OpenApiParameter:
    """The Idempotent-Replayed header of an answer given again for a replayed key."""
    return OpenApiParameter(
        "Idempotent-Replayed",
        {"type": "string", "enum": ["true"]},
        OpenApiParameter.HEADER,
        response=[status],
        description="Sent, as true, only when this is the first answer again (a replay of the key).",
    )


class BouquetAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with strict inputs declared strict: a property
    the input does not name is refused (400 unknown_field), so the schema says
    additionalProperties: false."""

    def _get_request_for_media_type(self, serializer, direction="request"):
        # drf-spectacular describes a PATCH body as partial (every field optional, a
        # "Patched" component). Ours are validated whole: a PATCH names the one field it
        # sets (a ship-to's route), which the schema must then require.
        if self.method != "PATCH":
            return super()._get_request_for_media_type(serializer, direction)
        self.method = "PUT"
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = "PATCH"

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if isinstance(serializer, StrictInput) and direction == "request":
            schema["additionalProperties"] = False
        return schema


# What JSON strings the server refuses although their type fits: a NUL anywhere (no
# text column holds one, config/api/parsers.py), and, where blank is refused, one
# that is only whitespace (DRF trims with str.strip, so these are Python's spaces,
# spelled out so that every regex dialect reads them alike).
_SPACES = "".join(f"\\u{ord(c):04x}" for c in map(chr, range(0x3001)) if c.isspace())  # none lies higher
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = f"^[^\\u0000]*[^\\u0000{_SPACES}][^\\u0000]*$"


def _declare_refused_text(schema: dict, components: dict, seen: set) -> None:
    """Give every free-text string of an input the pattern the server enforces."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _declare_refused_text(components.get(name, {}), components, seen)
        return
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
        schema["pattern"] = NOT_BLANK if schema.get("minLength", 0) >= 1 else NO_NUL
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _declare_refused_text(schema[key], components, seen)
    for part in (*schema.get("properties", {}).values(), *schema.get("allOf", []), *schema.get("oneOf", [])):
        _declare_refused_text(part, components, seen)


def declare_refused_text(result, generator, request, public):
    """Postprocessing hook: the patterns of NO_NUL and NOT_BLANK on every string a
    client sends (bodies, query and path parameters) that has no stricter rule."""
    components = result.get("components", {}).get("schemas", {})
    seen: set = set()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("query", "path"):
                    _declare_refused_text(parameter.get("schema", {}), components, seen)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                _declare_refused_text(content.get("schema", {}), components, seen)
    return result


def declare_standard_answers(result, generator, request, public):
    """Postprocessing hook: give every operation the answers any request can meet (405
    with Allow, 429 and 503 with Retry-After, and 415 where it takes a body), all with
    the error body."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOutput"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            extra = {**EVERY_OPERATION, **(WITH_A_BODY if "requestBody" in operation else {})}
            for status, (description, headers) in extra.items():
                answer = operation["responses"].setdefault(status, {"description": description, "content": error})
                if headers:
                    answer.setdefault("headers", {}).update(headers)
    return result
